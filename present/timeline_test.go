package present

import (
	"encoding/json"
	"testing"

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
		Status: "in-progress", StatusNotable: true, Location: views.NotRecorded, Clinician: views.NotRecorded}
	if r != want {
		t.Errorf("start only, nothing else:\n got %+v\nwant %+v", r, want)
	}
}
