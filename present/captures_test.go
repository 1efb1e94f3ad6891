package present

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// capturesDir holds real Epic sandbox responses (see epic/sandbox/captures/README.md).
const capturesDir = "../epic/sandbox/captures"

func chicago(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	return loc
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(capturesDir, name))
	if err != nil {
		t.Fatalf("read capture: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}

func bundleOf[T any](t *testing.T, name, resourceType string) []T {
	t.Helper()
	var b fhir.Bundle
	readJSON(t, name, &b)
	items, err := fhir.Resources[T](&b, resourceType)
	if err != nil {
		t.Fatalf("resources of %s: %v", name, err)
	}
	return items
}

func testLinks() Links {
	return Links{
		Analyte:   func(code, rng string) string { return "/analyte?code=" + code + "&range=" + rng },
		Encounter: func(id string) string { return "/enc/" + id },
	}
}

func TestCamilaLopezLabs(t *testing.T) {
	loc := chicago(t)
	obs := bundleOf[fhir.Observation](t, "observation-search-laboratory-sandbox-camila-lopez.json", "Observation")
	rows := ObservationRows(obs, loc, testLinks())

	type lab struct{ Name, Value, Unit, Range, When, Status string }
	var got []lab
	for _, r := range rows {
		got = append(got, lab{r.Name, r.Value, r.Unit, r.Range, r.When, r.Status})
	}
	// Newest first; values, units and ranges exactly as captured: a range is Epic's text, because its
	// low and high are JSON numbers that lose the lab's precision (the text's 5.20 arrives as 5.2);
	// times in Chicago (the capture is in UTC, so the zone is named).
	want := []lab{
		{"Genotype:", "Genotype Value", "", "", "Mar 21, 2023 16:42 CDT", "final"},
		{"Hemoglobin A1C", "5.1", "", "", "May 28, 2019 09:22 CDT", "final"},
		{"Platelets", "322", "10*3/uL", "150 - 399 10*3/uL", "May 28, 2019 09:21 CDT", "final"},
		{"RBC", "4.8", "10*6/µL", "4.00 - 5.20 10*6/µL", "May 28, 2019 09:21 CDT", "final"},
		{"Auto WBC", "6.5", "10*3/mL", "3.3 - 10.0 10*3/mL", "May 28, 2019 09:21 CDT", "final"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lab rows:\n got %+v\nwant %+v", got, want)
	}

	// The Hemoglobin A1C's 5.1 came without a unit: its row says so, where the genotype's words
	// have none to miss.
	for i, want := range []bool{false, true, false, false, false} {
		if rows[i].NoUnit != want {
			t.Errorf("%s: NoUnit = %v, want %v", rows[i].Name, rows[i].NoUnit, want)
		}
	}

	// Epic's interpretation [{text:"(NONE)"}] is shown as given, never as normal.
	if f := rows[0].Flag; f.Text != "(NONE)" || f.Level != views.FlagUnknown {
		t.Errorf("genotype flag = %+v, want (NONE) shown as given with the unknown style", f)
	}
	if len(rows[0].Notes) != 1 || rows[0].Notes[0] != "Test Comment" {
		t.Errorf("genotype notes = %q", rows[0].Notes)
	}
	if want := "/analyte?code=http://loinc.org|777-3&range="; rows[2].AnalyteURL != want {
		t.Errorf("platelets analyte URL = %q, want %q", rows[2].AnalyteURL, want)
	}
}

func TestCamilaLopezVitals(t *testing.T) {
	loc := chicago(t)
	obs := bundleOf[fhir.Observation](t, "observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json", "Observation")
	now := time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC)
	strip := VitalsStrip(obs, now, loc, 48*time.Hour, testLinks())

	type tile struct{ Label, Value, Unit, Time string }
	var got []tile
	for _, it := range strip.Items {
		got = append(got, tile{it.Label, it.Value, it.Unit, it.Time})
	}
	want := []tile{
		{"BP", "118/76", "mm[Hg]", "Apr 24, 2026 16:10 CDT"},
		{"Pulse", "72", "/min", "Apr 25, 2026 13:30 CDT"},
		{"Temp", "37", "Cel", "Jan 11, 2021 14:33 CST"},
		{"SpO2", views.NotRecorded, "", ""},
		{"Resp rate", views.NotRecorded, "", ""},
		{"Weight", "71.1", "kg", "Feb 4, 2021 00:41 CST"},
		{"Height", "220", "cm", "Jan 11, 2021 14:33 CST"},
		{"BMI", views.NotRecorded, "", ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("vitals strip:\n got %+v\nwant %+v", got, want)
	}
	// The newest vital (pulse, Apr 25 18:30Z) is 2 days 17.5 hours before now.
	if want := "Vitals are 2 days old"; strip.StaleNotice != want {
		t.Errorf("stale notice = %q, want %q", strip.StaleNotice, want)
	}
	fresh := VitalsStrip(obs, now, loc, 7*24*time.Hour, testLinks())
	if fresh.StaleNotice != "" {
		t.Errorf("stale notice with a week's threshold = %q, want none", fresh.StaleNotice)
	}
}

func TestCamilaLopezEncounters(t *testing.T) {
	loc := chicago(t)
	encs := bundleOf[fhir.Encounter](t, "encounter-search-sandbox-camila-lopez.json", "Encounter")
	tl := Timeline(encs, loc, EncounterFilter{}, testLinks())

	var labels []string
	var rows []views.EncounterRow
	for _, g := range tl.Groups {
		labels = append(labels, g.Label)
		rows = append(rows, g.Entries...)
	}
	if want := []string{"June 2023", "May 2023", "May 2019"}; !reflect.DeepEqual(labels, want) {
		t.Errorf("month groups = %q, want %q", labels, want)
	}
	if len(rows) != 10 {
		t.Fatalf("got %d encounters, want the 10 captured", len(rows))
	}
	first := rows[0]
	wantFirst := views.EncounterRow{
		DOMID:         "enc-eoK8nLRcEypNjtns4dgnF3Q3",
		DetailURL:     "/enc/eoK8nLRcEypNjtns4dgnF3Q3",
		When:          "Jun 6, 2023 11:20 CDT",
		Class:         "Preadmission",
		Type:          "Surgery Admit · Hospital Encounter",
		Status:        "planned",
		StatusNotable: true,
		Location:      "EMH Main Operating Room; Epic Hospital System",
		Clinician:     "Physician Surgery, MD",
		ClinicianRole: "Clinician",
		Name:          "Surgery Admit · Hospital Encounter, Jun 6, 2023 11:20 CDT, EMH Main Operating Room; Epic Hospital System",
	}
	if first != wantFirst {
		t.Errorf("newest encounter:\n got %+v\nwant %+v", first, wantFirst)
	}
	// The surgery log has a start and an end on the same day: the day is shown once.
	if got, want := rows[1].When, "Jun 6, 2023 11:20 – 12:35 CDT"; got != want {
		t.Errorf("surgery log when = %q, want %q", got, want)
	}
	// Date-only periods stay dates (no zone, no shift), and start==end collapses.
	last := rows[len(rows)-1]
	if last.When != "May 24, 2019" || last.Type != "Office Visit" || last.Class != "Support OP Encounter" {
		t.Errorf("oldest encounter = %+v", last)
	}

	// Filters offer every class and type seen; filtering keeps the options.
	f := Timeline(encs, loc, EncounterFilter{Class: "HOV"}, testLinks())
	n := 0
	for _, g := range f.Groups {
		for _, e := range g.Entries {
			n++
			if e.Class != "HOV" {
				t.Errorf("filtered class = %q", e.Class)
			}
		}
	}
	if n != 2 {
		t.Errorf("HOV encounters = %d, want 2", n)
	}
	var classes []string
	for _, o := range f.Filters.Classes {
		classes = append(classes, o.Label)
		if o.Selected != (o.Value == "HOV") {
			t.Errorf("option %q selected=%v", o.Value, o.Selected)
		}
	}
	if want := []string{"HOV", "Preadmission", "Support OP Encounter", "Surgery Log"}; !reflect.DeepEqual(classes, want) {
		t.Errorf("class options = %q, want %q", classes, want)
	}
}

func TestCamilaLopezBanner(t *testing.T) {
	loc := chicago(t)
	var p fhir.Patient
	readJSON(t, "patient-read-sandbox-camila-lopez.json", &p)
	now := time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC)
	b := Banner(p, "EPI", now, loc)
	if b.Name != "Camila Maria Lopez" || b.MRN != "203713" || b.BirthDate != "Sep 12, 1987" || b.Age != "38 y" || b.Sex != "Female" || b.Deceased {
		t.Errorf("banner essentials = %+v", b)
	}
	if want := []string{"3268 W Johnson St Apt 117", "GARLAND TX 75043", "United States of America"}; !reflect.DeepEqual(b.Address, want) {
		t.Errorf("address = %q, want %q", b.Address, want)
	}
	if b.Phone != "+1 469-888-8888 (work)" {
		t.Errorf("phone = %q", b.Phone)
	}
	if b.Language != "English" || b.PCP != "Physician Family Medicine, MD" {
		t.Errorf("language/pcp = %q/%q", b.Language, b.PCP)
	}
	for _, id := range b.OtherIDs {
		if id.Value == "203713" {
			t.Errorf("MRN repeated among other identifiers: %+v", id)
		}
	}
	if len(b.OtherIDs) == 0 || b.OtherIDs[0] != (views.IDRow{Label: "CEID", Value: "FHRLBVD2TLZS69Z"}) {
		t.Errorf("other ids = %+v", b.OtherIDs)
	}
}

func TestCamilaLopezEncounterDetail(t *testing.T) {
	loc := chicago(t)
	encs := bundleOf[fhir.Encounter](t, "encounter-search-sandbox-camila-lopez.json", "Encounter")
	labs := bundleOf[fhir.Observation](t, "observation-search-laboratory-sandbox-camila-lopez.json", "Observation")
	var office fhir.Encounter
	for _, e := range encs {
		if e.ID == "elMz2mwjsRvKnZiR.0ceTUg3" {
			office = e
		}
	}
	d := EncounterDetail(office, nil, labs, loc, testLinks())
	// Every captured lab points at this office visit by reference.
	if got := len(d.Observations.Rows); got != 5 {
		t.Errorf("observations in encounter = %d, want 5", got)
	}
	if d.Row.DOMID != "enc-elMz2mwjsRvKnZiR_46_0ceTUg3" {
		t.Errorf("DOM id = %q (dots must not reach a CSS selector)", d.Row.DOMID)
	}
	var roles []string
	for _, r := range EncounterDetail(encs[0], nil, nil, loc, testLinks()).Details {
		roles = append(roles, r.Label)
	}
	if want := "When|Class|Type|Status|Service|Reason|Location|Admitter|Attender|Surgeon|Organization|Encounter number (CSN)"; strings.Join(roles, "|") != want {
		t.Errorf("detail labels = %q, want %q", strings.Join(roles, "|"), want)
	}
	other := EncounterDetail(encs[0], nil, labs, loc, testLinks())
	if len(other.Observations.Rows) != 0 {
		t.Errorf("observations of another encounter leaked in: %d", len(other.Observations.Rows))
	}
}

func TestSocialHistoryCapture(t *testing.T) {
	loc := chicago(t)
	obs := bundleOf[fhir.Observation](t, "observation-search-social-history-apporchard.json", "Observation")
	rows := ObservationRows(obs, loc, Links{})
	type social struct{ Name, Value, Detail, When string }
	var got []social
	for _, r := range rows {
		got = append(got, social{r.Name, r.Value, r.Detail, r.When})
	}
	// No effective time: the issued time is shown, labelled "Issued" so it does not read as when
	// the patient drank (and ordered by); with neither, "Not recorded".
	// The smoking history's effectivePeriod has only an end (a date): it is shown as a period that
	// ends then, not as the time of the observation. Components beside a value (smoking type,
	// pack-years) are kept, not dropped.
	want := []social{
		{"Alcohol Use History", "Yes", "Alcohol intake (observable entity): 0.24 alcoholic_units/day", "Issued Apr 7, 2022 00:00 CDT"},
		{"Drug Use History", "No", "", "Issued Apr 7, 2022 00:00 CDT"},
		{"Smoking History", "Former", "Type: Cigarettes; Cigarette pack-years (observable entity): 35 {PackYears}; Years Used: 35 Years Used; Packs/Day: 1 Packs/Day", "until Oct 22, 2008"},
		{"Social Documentation", "Patient and wife are avid birdwatchers and make annual trip to birding hotspot.   Pets - Springer spaniel named Lucky.", "", "Not recorded"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("social history:\n got %+v\nwant %+v", got, want)
	}
}

// TestCamilaLopezVitalHistoryIsThatVital: Epic lists a vital's LOINC codes in code order, so
// Camila Lopez's pulse carries the "Vital signs" panel code 8716-3 (shared by every vital) before
// its own 8867-4. Its link opened a "Pulse history" listing her blood pressure, weight,
// temperature and height as pulse results.
func TestCamilaLopezVitalHistoryIsThatVital(t *testing.T) {
	loc := chicago(t)
	obs := bundleOf[fhir.Observation](t, "observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json", "Observation")
	now := time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC)
	wantCode := map[string]string{
		"BP":     "http://loinc.org|55284-4",
		"Height": "http://loinc.org|8302-2",
		"Pulse":  "http://loinc.org|8867-4",
		"Temp":   "http://loinc.org|8310-5",
		"Weight": "http://loinc.org|29463-7",
	}
	for _, o := range obs {
		name := o.Code.Label()
		code := AnalyteCode(o.Code)
		if code != wantCode[name] {
			t.Errorf("%s: AnalyteCode = %q, want %q", name, code, wantCode[name])
		}
		a := Analyte(obs, nil, code, RangeAll, now, loc, testLinks())
		if a.Name != name {
			t.Errorf("%s: history named %q", name, a.Name)
		}
		for _, r := range a.Table.Rows {
			if r.Name != name {
				t.Errorf("%s history lists %s %s %s", name, r.Name, r.Value, r.Unit)
			}
		}
		if len(a.Table.Rows) != 1 {
			t.Errorf("%s history has %d rows, want its 1 result", name, len(a.Table.Rows))
		}
	}
	// Only the panel code: it still names something rather than nothing.
	only := fhir.CodeableConcept{Coding: []fhir.Coding{{System: systemLOINC, Code: "8716-3"}}}
	if got := AnalyteCode(only); got != "http://loinc.org|8716-3" {
		t.Errorf("panel code alone: AnalyteCode = %q", got)
	}
	// A flowsheet row beats the panel code when there is no other LOINC code.
	row := fhir.CodeableConcept{Coding: []fhir.Coding{{System: systemLOINC, Code: "8716-3"}, {System: "urn:oid:1.2.840.114350.1.13.0.1.7.2.707679", Code: "8"}}}
	if got := AnalyteCode(row); got != "urn:oid:1.2.840.114350.1.13.0.1.7.2.707679|8" {
		t.Errorf("panel code and flowsheet row: AnalyteCode = %q", got)
	}
}
