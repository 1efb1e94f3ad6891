package present

import (
	"context"
	"io"
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
		views.EncounterFragment(EncounterDetail(fhir.Encounter{ID: "e1"}, obs, loc, links)),
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
