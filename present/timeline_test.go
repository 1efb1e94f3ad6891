package present

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

func encounterFrom(t *testing.T, js string) fhir.Encounter {
	t.Helper()
	var e fhir.Encounter
	if err := json.Unmarshal([]byte(js), &e); err != nil {
		t.Fatalf("decode encounter: %v", err)
	}
	return e
}

// TestEncounterRowStatusAndMissing: statuses that change how an encounter reads are tags, and so is
// a status Chartside does not know (shown as given, never as routine); missing parts say so.
func TestEncounterRowStatusAndMissing(t *testing.T) {
	loc := chicago(t)
	tests := []struct {
		name, js    string
		wantStatus  string
		wantNotable bool
	}{
		{"finished", `{"status":"finished"}`, "finished", false},
		{"arrived", `{"status":"arrived"}`, "arrived", false},
		{"in progress", `{"status":"in-progress"}`, "in-progress", true},
		{"cancelled", `{"status":"cancelled"}`, "cancelled", true},
		{"entered in error", `{"status":"entered-in-error"}`, "entered-in-error", true},
		{"on leave", `{"status":"onleave"}`, "onleave", false},
		{"a code Chartside does not know", `{"status":"no-show"}`, "no-show", true},
		{"no status", `{}`, views.NotRecorded, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := EncounterRow(encounterFrom(t, tt.js), loc, Links{})
			if r.Status != tt.wantStatus || r.StatusNotable != tt.wantNotable {
				t.Errorf("got status %q notable %v, want %q %v", r.Status, r.StatusNotable, tt.wantStatus, tt.wantNotable)
			}
		})
	}
	r := EncounterRow(encounterFrom(t, `{"status":"in-progress","period":{"start":"2023-06-02T20:49:58Z"}}`), loc, Links{})
	want := views.EncounterRow{DOMID: "enc-", When: "Jun 2, 2023 15:49 CDT", Class: views.NotRecorded, Type: views.NotRecorded,
		Status: "in-progress", StatusNotable: true, Location: views.NotRecorded, Clinician: views.NotRecorded, ClinicianRole: "Clinician", Name: "Jun 2, 2023 15:49 CDT"}
	if r != want {
		t.Errorf("start only, nothing else:\n got %+v\nwant %+v", r, want)
	}
}

// TestTimelineWindow: the newest window lists what began before it and had not ended by then (as
// ongoing, with a row id of its own); an earlier window lists only what began in it, and keeps
// what it cannot place before its first day (undated, or a month or year that holds that day);
// neither lists what began on or after its end, nor what ended before its first day (the caller
// searches a day wider on each side, for Epic's zone).
func TestTimelineWindow(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2025, 11, 23, 0, 0, 0, 0, ny)
	encs := []fhir.Encounter{
		encounterFrom(t, `{"id":"open2023","status":"in-progress","period":{"start":"2023-06-02"}}`),
		encounterFrom(t, `{"id":"inside","period":{"start":"2025-12-01","end":"2025-12-01"}}`),
		encounterFrom(t, `{"id":"eveBefore","period":{"start":"2025-11-22T23:30:00-05:00","end":"2025-11-23T08:00:00-05:00"}}`),
		encounterFrom(t, `{"id":"firstHour","period":{"start":"2025-11-23T00:30:00-05:00"}}`),
		encounterFrom(t, `{"id":"sameMonth","period":{"start":"2025-11"}}`),
		encounterFrom(t, `{"id":"lastYear","period":{"start":"2024"}}`),
		encounterFrom(t, `{"id":"undated"}`),
		encounterFrom(t, `{"id":"endedEve","period":{"start":"2025-11-22T10:00:00-05:00","end":"2025-11-22T11:00:00-05:00"}}`),
		encounterFrom(t, `{"id":"endedDayBefore","period":{"start":"2025-11-20","end":"2025-11-22"}}`),
		encounterFrom(t, `{"id":"atEnd","period":{"start":"2026-11-23T00:10:00-05:00","end":"2026-11-23T01:00:00-05:00"}}`),
		encounterFrom(t, `{"id":"monthOfEnd","period":{"start":"2026-11"}}`),
	}
	ids := func(es []fhir.Encounter) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	kept, ongoing := TimelineWindow(encs, from, time.Time{}, ny)
	if got, want := ids(kept), []string{"open2023", "inside", "eveBefore", "firstHour", "sameMonth", "lastYear", "undated", "atEnd", "monthOfEnd"}; !reflect.DeepEqual(got, want) {
		t.Errorf("newest window kept %v, want %v", got, want)
	}
	wantOngoing := []string{EncounterDOMID("open2023"), EncounterDOMID("eveBefore"), EncounterDOMID("lastYear")}
	if !reflect.DeepEqual(ongoing, wantOngoing) {
		t.Errorf("ongoing = %v, want %v", ongoing, wantOngoing)
	}
	kept, ongoing = TimelineWindow(encs, from, from.AddDate(1, 0, 0), ny)
	if got, want := ids(kept), []string{"inside", "firstHour", "sameMonth", "undated", "monthOfEnd"}; !reflect.DeepEqual(got, want) || ongoing != nil {
		t.Errorf("earlier window kept %v (ongoing %v), want %v", got, ongoing, want)
	}

	groups := TimelineGroups(encs[:2], ny, Links{})
	if n := MarkOngoing(groups, []string{EncounterDOMID("open2023"), EncounterDOMID("filteredOut")}); n != 1 {
		t.Errorf("MarkOngoing marked %d rows, want 1 (the other ongoing encounter is not in the groups)", n)
	}
	var rowIDs []string
	for _, g := range groups {
		for _, r := range g.Entries {
			rowIDs = append(rowIDs, r.DOMID)
		}
	}
	if want := []string{"enc-inside", "enc-open2023-ongoing"}; !reflect.DeepEqual(rowIDs, want) {
		t.Errorf("row ids %v, want %v", rowIDs, want)
	}
	if got := OngoingNote(1) + "|" + OngoingNote(0) + "|" + OngoingNote(3); got !=
		", and 1 encounter that began earlier and had not ended by then||, and 3 encounters that began earlier and had not ended by then" {
		t.Errorf("notes %q", got)
	}
}

// TestTimelineOrdersDatesInTheClinicDay: Epic sends a clinic visit's period as a date and a
// hospital encounter's as an instant. A date sorted as midnight UTC, which in Chicago is 18:00 the
// day before: the follow-up office visit of Nov 18 was listed below (before) the emergency visit
// of the evening of Nov 17, and the Dec 1 visit below an evening visit on Nov 30, so December had
// two headings with November between them.
func TestTimelineOrdersDatesInTheClinicDay(t *testing.T) {
	loc := chicago(t)
	encs := []fhir.Encounter{
		encounterFrom(t, `{"id":"a","status":"finished","period":{"start":"2026-12-03T10:00:00-06:00"}}`),
		encounterFrom(t, `{"id":"b","status":"finished","period":{"start":"2026-11-30T20:00:00-06:00"}}`),
		encounterFrom(t, `{"id":"c","status":"finished","period":{"start":"2026-12-01"}}`),
		encounterFrom(t, `{"id":"d","status":"finished","period":{"start":"2026-11-17T20:00:00-06:00","end":"2026-11-17T23:10:00-06:00"}}`),
		encounterFrom(t, `{"id":"e","status":"finished","period":{"start":"2026-11-18"}}`),
		encounterFrom(t, `{"id":"f","status":"finished","period":{"start":"2026-11"}}`),
		encounterFrom(t, `{"id":"g","status":"finished","period":{"start":"2026-11-01T08:00:00-06:00"}}`),
	}
	var got []string
	for _, g := range TimelineGroups(encs, loc, Links{}) {
		got = append(got, g.Label+":")
		for _, r := range g.Entries {
			got = append(got, r.When)
		}
	}
	want := []string{
		"December 2026:", "Dec 3, 2026 10:00", "Dec 1, 2026",
		"November 2026:", "Nov 30, 2026 20:00", "Nov 18, 2026", "Nov 17, 2026 20:00 – 23:10", "Nov 1, 2026 08:00", "Nov 2026",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("timeline:\n got %q\nwant %q", got, want)
	}
}
