package present

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// sameMinuteEncounters are three office visits booked at the same minute: a and b in different
// clinics, c in a's clinic.
const sameMinuteEncounters = `[
	{"resourceType":"Encounter","id":"a","status":"finished","type":[{"text":"Office Visit"}],"period":{"start":"2023-06-02T20:49:00Z"},"location":[{"location":{"display":"EMC Family Medicine"}}]},
	{"resourceType":"Encounter","id":"b","status":"finished","type":[{"text":"Office Visit"}],"period":{"start":"2023-06-02T20:49:00Z"},"location":[{"location":{"display":"EMC Cardiology"}}]},
	{"resourceType":"Encounter","id":"c","status":"finished","type":[{"text":"Office Visit"}],"period":{"start":"2023-06-02T20:49:00Z"},"location":[{"location":{"display":"EMC Family Medicine"}}]}
]`

// pulseIn is a pulse recorded in the encounter with this id, so its details hold a results region.
func pulseIn(t *testing.T, id string) fhir.Observation {
	t.Helper()
	var o fhir.Observation
	js := `{"resourceType":"Observation","id":"p-` + id + `","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],` +
		`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Pulse"}],"text":"Pulse"},` +
		`"valueQuantity":{"value":72,"unit":"/min"},"effectiveDateTime":"2023-06-02T20:55:00Z","encounter":{"reference":"Encounter/` + id + `"}}`
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		t.Fatalf("decode observation: %v", err)
	}
	return o
}

func renderDoc(t *testing.T, cs ...templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	for _, c := range cs {
		if err := c.Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
	}
	d, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Two encounters of one type at the same minute, both expanded in the timeline, had results
// regions of the same accessible name ("Observations recorded in this encounter (Office Visit,
// Jun 2, 2023 15:49 CDT)"), and their Details controls the same name: a screen-reader user could
// not tell which was which, and axe reports landmark-unique. The names now say where each was; a
// third at the same minute in the same clinic has its Details control numbered.
func TestSameMinuteEncountersNamedApart(t *testing.T) {
	loc := chicago(t)
	var encs []fhir.Encounter
	if err := json.Unmarshal([]byte(sameMinuteEncounters), &encs); err != nil {
		t.Fatal(err)
	}

	// The results regions of a and b, open at once in the timeline.
	var details []templ.Component
	for _, e := range encs[:2] {
		details = append(details, views.EncounterFragment(EncounterDetail(e, nil, []fhir.Observation{pulseIn(t, "a"), pulseIn(t, "b")}, loc, testLinks())))
	}
	d := renderDoc(t, details...)
	var regions []string
	d.Find(`[role="region"]`).Each(func(_ int, s *goquery.Selection) { regions = append(regions, s.AttrOr("aria-label", "")) })
	want := []string{
		"Observations recorded in this encounter (Office Visit, Jun 2, 2023 15:49 CDT, EMC Family Medicine)",
		"Observations recorded in this encounter (Office Visit, Jun 2, 2023 15:49 CDT, EMC Cardiology)",
	}
	if strings.Join(regions, "\n") != strings.Join(want, "\n") {
		t.Errorf("results regions named\n%s\nwant\n%s", strings.Join(regions, "\n"), strings.Join(want, "\n"))
	}

	// The timeline's Details controls: each names one encounter.
	tl := views.Timeline{Section: views.Section{ID: views.TimelineID, Title: "Encounters"}, Groups: TimelineGroups(encs, loc, testLinks())}
	d = renderDoc(t, views.TimelineFragment(tl))
	got := map[string]string{}
	d.Find(`[data-testid="encounter-expand"]`).Each(func(_ int, s *goquery.Selection) {
		got[s.AttrOr("href", "")] = "Details" + s.Find(".visually-hidden").Text()
	})
	wantNames := map[string]string{
		"/enc/a": "Details of Office Visit, Jun 2, 2023 15:49 CDT, EMC Family Medicine (1 of 2)",
		"/enc/b": "Details of Office Visit, Jun 2, 2023 15:49 CDT, EMC Cardiology",
		"/enc/c": "Details of Office Visit, Jun 2, 2023 15:49 CDT, EMC Family Medicine (2 of 2)",
	}
	for href, want := range wantNames {
		if got[href] != want {
			t.Errorf("the Details control of %s is named %q, want %q", href, got[href], want)
		}
	}
	if len(got) != len(wantNames) {
		t.Errorf("Details controls: %v", got)
	}
}

// Encounters a and c share type, minute and clinic: the timeline numbers their Details controls,
// but each detail is fetched on its own request, so both results regions were named
// "Observations recorded in this encounter (Office Visit, Jun 2, 2023 15:49 CDT, EMC Family
// Medicine)" when open together. Given the encounters it was loaded among, a detail is numbered
// as its row is; unambiguous ones are not.
func TestSameMinuteEncounterDetailsNumberedAsTheirRows(t *testing.T) {
	loc := chicago(t)
	var encs []fhir.Encounter
	if err := json.Unmarshal([]byte(sameMinuteEncounters), &encs); err != nil {
		t.Fatal(err)
	}
	obs := []fhir.Observation{pulseIn(t, "a"), pulseIn(t, "b"), pulseIn(t, "c")}
	const fm = "Observations recorded in this encounter (Office Visit, Jun 2, 2023 15:49 CDT, EMC Family Medicine)"
	tests := []struct {
		name  string
		e     fhir.Encounter
		among []fhir.Encounter
		want  string
	}{
		{"a among all", encs[0], encs, fm + " (1 of 2)"},
		{"c among all", encs[2], encs, fm + " (2 of 2)"},
		{"b among all", encs[1], encs, "Observations recorded in this encounter (Office Visit, Jun 2, 2023 15:49 CDT, EMC Cardiology)"},
		{"c among a search that lists it twice", encs[2], append([]fhir.Encounter{encs[0]}, encs[2], encs[2]), fm + " (2 of 2)"},
		{"a alone", encs[0], encs[:1], fm},
		{"a among nothing", encs[0], nil, fm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := renderDoc(t, views.EncounterFragment(EncounterDetail(tt.e, tt.among, obs, loc, testLinks())))
			if got := d.Find(`[role="region"]`).AttrOr("aria-label", ""); got != tt.want {
				t.Errorf("results region named %q, want %q", got, tt.want)
			}
		})
	}
	// The same numbers as the rows' Details controls.
	rows := map[string]string{}
	for _, g := range TimelineGroups(encs, loc, testLinks()) {
		for _, r := range g.Entries {
			rows[r.DOMID] = r.Name
		}
	}
	for _, e := range encs {
		if got, want := EncounterDetail(e, encs, obs, loc, testLinks()).Row.Name, rows[EncounterDOMID(e.ID)]; got != want {
			t.Errorf("detail of %s named %q, its row %q", e.ID, got, want)
		}
	}
}
