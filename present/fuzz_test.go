package present

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// FuzzPresentObservations feeds whatever Epic could send as a page of Observations through every
// presenter the chart's sections use, and renders what they return: a malformed or unusual result
// must be shown (or said to be missing), never crash the section. The decoder is fuzzed on its
// own in epic/fhir; this one found a reference range with nothing in it crashing the trend chart.
func FuzzPresentObservations(f *testing.F) {
	for _, s := range []string{
		`{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}],"text":"Hemoglobin A1C"},"effectiveDateTime":"2026-11-17T16:50:00Z","valueQuantity":{"value":8.0,"unit":"%"},"referenceRange":[{"low":{"value":4.0,"unit":"%"},"high":{"value":5.6,"unit":"%"},"text":"4.0 - 5.6 %"}],"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"H"}]}]}`,
		`{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"effectiveDateTime":"2026-02","valueQuantity":{"value":6.5,"unit":"%","comparator":">"},"referenceRange":[{"type":{"text":"Female"},"appliesTo":[{"text":"Adult"}],"age":{"low":{"value":18}}}]}`,
		`{"status":"final","category":[{"coding":[{"code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"BP"},"effectiveDateTime":"2026-11-20T10:00:00-06:00","component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":150,"unit":"mm[Hg]"},"referenceRange":[{"high":{"value":120}}]},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]}}]}`,
		`{"status":"entered-in-error","code":{"text":"K"},"issued":"2026-11-01T00:00:00Z","valueRange":{"low":{"value":1}},"note":[{"text":"a"},{"authorString":"b"}]}`,
		`{"code":{},"valueRatio":{"denominator":{"value":0}},"effectivePeriod":{"end":"2020"}}`,
		`{"code":{"coding":[{"system":"http://loinc.org","code":"72166-2"}]},"category":[{"coding":[{"code":"social-history"}]}],"valueCodeableConcept":{"text":"Never"},"effectivePeriod":{"start":"2020"}}`,
		`{"code":{"coding":[{"code":"2345-7"}]},"valueQuantity":{"value":1e400},"effectiveDateTime":"0001-01-01T00:00:00Z","encounter":{"reference":"Encounter/e1"}}`,
		`{"code":{"text":"<script>"},"valueString":"\u0000\u202e","valueBoolean":true,"valueInteger":-9223372036854775808,"effectiveInstant":"9999-12-31T23:59:59Z"}`,
	} {
		f.Add([]byte(s))
	}
	addCaptureSeeds(f, "Observation", "observation-search-laboratory-sandbox-camila-lopez.json",
		"observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json", "observation-search-social-history-apporchard.json")
	// The fuzzed result is shown on its own, and beside an ordinary result of the same analyte
	// (older and newer): tables, matrix, trend and strip compare results with each other.
	var older, newer fhir.Observation
	for i, js := range []string{
		`{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"effectiveDateTime":"2020-01-02T03:04:05Z","valueQuantity":{"value":5.0,"unit":"%"},"referenceRange":[{"text":"4.0 - 5.6 %"}]}`,
		`{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"effectiveDateTime":"2026-11-21T03:04:05Z","valueQuantity":{"value":5.0,"unit":"%"}}`,
	} {
		if err := fhir.Unmarshal([]byte(js), []*fhir.Observation{&older, &newer}[i]); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var o fhir.Observation
		if err := fhir.Unmarshal(raw, &o); err != nil {
			return
		}
		for _, obs := range [][]fhir.Observation{{o}, {older, o, newer}} {
			presentAll(t, obs, AnalyteCode(o.Code), SocialItemKey(o))
		}
	})
}

// presentAll runs obs through the chart's presenters and renders the results.
func presentAll(t *testing.T, obs []fhir.Observation, code, socialKey string) {
	t.Helper()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	loc := time.FixedZone("CST", -6*3600)
	links := Links{
		Analyte:      func(code, rng string) string { return "/analyte?code=" + code + "&range=" + rng },
		Encounter:    func(id string) string { return "/enc/" + id },
		AnalyteRange: Range1Y,
		Now:          now,
	}
	_ = PageText(ObservationPage(obs, now, 2, loc, links), true)
	parts := []templ.Component{
		views.ObsTableView(ObservationTable(obs, "Results", "None", "fuzz", loc, links)),
		views.LabMatrixView(LabMatrix(obs, loc, links)),
		views.VitalsStripFragment(VitalsStrip(obs, now, loc, 24*time.Hour, links)),
		views.EncounterFragment(EncounterDetail(fhir.Encounter{ID: "e1"}, nil, obs, loc, links)),
		views.SocialFragment(views.SocialHistory{Items: SocialHistory(obs, func(string) bool { return true }, loc, func(key string) string { return "/social/" + key })}),
	}
	if it, ok := SocialItemHistory(obs, socialKey, loc); ok {
		parts = append(parts, views.SocialItemFragment(it))
	}
	for _, rng := range Ranges() {
		parts = append(parts, views.AnalyteFragment(Analyte(obs, obs, code, rng, now, loc, links)))
	}
	for _, o := range obs {
		_, _ = ObservationValue(o, loc)
		_ = ObservationDetail(o, loc)
		_ = ObservationRange(o)
	}
	for _, c := range parts {
		if err := c.Render(context.Background(), io.Discard); err != nil {
			t.Fatalf("render: %v", err)
		}
	}
}

// addCaptureSeeds adds each resourceType resource of Epic's captured search results (or the
// captured resource itself) as a seed.
func addCaptureSeeds(f *testing.F, resourceType string, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(capturesDir, name))
		if err != nil {
			f.Fatal(err)
		}
		var doc struct {
			ResourceType string `json:"resourceType"`
			Entry        []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			f.Fatal(err)
		}
		if doc.ResourceType == resourceType {
			f.Add(b)
		}
		for _, e := range doc.Entry {
			if bytes.Contains(e.Resource, []byte(`"resourceType":"`+resourceType+`"`)) || bytes.Contains(e.Resource, []byte(`"resourceType": "`+resourceType+`"`)) {
				f.Add([]byte(e.Resource))
			}
		}
	}
}

// FuzzPresentPatient: whatever Epic sends as the Patient, the banner and the lookup's match row
// are drawn (names, ages, identifiers, addresses said to be missing when they are), never a crash.
func FuzzPresentPatient(f *testing.F) {
	addCaptureSeeds(f, "Patient", "patient-read-sandbox-camila-lopez.json", "patient-search-apporchard-with-outcome.json", "patient-search-multiple-identifiers-apporchard.json")
	f.Add([]byte(`{"resourceType":"Patient","birthDate":"1987","name":[{"use":"old","period":{"end":"2001"}},{"given":[""]}],"address":[{"period":{"start":"2030-01-01"}}],"identifier":[{"system":"urn:oid:1","value":""}],"deceasedDateTime":"2020-02"}`))
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	loc := time.FixedZone("CST", -6*3600)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var p fhir.Patient
		if err := fhir.Unmarshal(raw, &p); err != nil {
			return
		}
		_ = Match(p, "urn:oid:1", now, loc)
		_ = PatientName(p, now, loc)
		_ = PreferredName(p, now, loc)
		if err := views.PatientBanner(Banner(p, "urn:oid:1", now, loc)).Render(context.Background(), io.Discard); err != nil {
			t.Fatalf("render: %v", err)
		}
	})
}

// FuzzPresentEncounter: whatever Epic sends as an Encounter, the timeline, its windows and the
// encounter's detail are drawn, alone and beside an ordinary encounter.
func FuzzPresentEncounter(f *testing.F) {
	addCaptureSeeds(f, "Encounter", "encounter-search-sandbox-camila-lopez.json", "encounter-search-sandbox-derrick-lin.json")
	f.Add([]byte(`{"resourceType":"Encounter","id":"","status":"planned","period":{"end":"2020"},"class":{},"type":[{"coding":[{}]}],"location":[{"location":{}}],"participant":[{"individual":{"display":"<b>"}}]}`))
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	loc := time.FixedZone("CST", -6*3600)
	links := Links{Encounter: func(id string) string { return "/enc/" + id }, Now: now}
	var ordinary fhir.Encounter
	if err := fhir.Unmarshal([]byte(`{"resourceType":"Encounter","id":"e0","status":"finished","class":{"display":"Outpatient"},"type":[{"text":"Office Visit"}],"period":{"start":"2026-03-01T09:00:00Z","end":"2026-03-01T09:30:00Z"}}`), &ordinary); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e fhir.Encounter
		if err := fhir.Unmarshal(raw, &e); err != nil {
			return
		}
		for _, encs := range [][]fhir.Encounter{{e}, {ordinary, e}} {
			_ = EncounterRow(e, loc, links)
			filter := EncounterFilter{Class: EncounterClass(e), Type: EncounterType(e)}
			parts := []templ.Component{
				views.TimelineFragment(Timeline(encs, loc, EncounterFilter{}, links)),
				views.TimelineFragment(Timeline(encs, loc, filter, links)),
				views.EncounterFragment(EncounterDetail(e, nil, nil, loc, links)),
			}
			for _, to := range []time.Time{{}, now} {
				kept, ongoing := TimelineWindow(encs, now.AddDate(-1, 0, 0), to, loc)
				groups := TimelineGroups(kept, loc, links)
				_ = OngoingNote(MarkOngoing(groups, ongoing))
			}
			for _, c := range parts {
				if err := c.Render(context.Background(), io.Discard); err != nil {
					t.Fatalf("render: %v", err)
				}
			}
		}
	})
}
