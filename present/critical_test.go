package present

import (
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// TestCriticalResults: the summary under the banner lists each analyte's newest critical result of
// the last 7 days, newest first, and the analyte's later result when it was redrawn, so a critical
// potassium already followed by a normal one never reads as current. High and low (not critical),
// entered-in-error and cancelled results, and critical results older than 7 days are left to the
// labs table.
func TestCriticalResults(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	lab := func(code, name, when, value, interp, status string) fhir.Observation {
		js := `{"status":"` + status + `","code":{"coding":[{"system":"http://loinc.org","code":"` + code + `"}],"text":"` + name + `"},
			"effectiveDateTime":"` + when + `","valueQuantity":{"value":` + value + `,"unit":"mmol/L"}`
		if interp != "" {
			js += `,"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"` + interp + `"}]}]`
		}
		return obsFrom(t, js+"}")
	}
	obs := []fhir.Observation{
		lab("2823-3", "Potassium", "2026-11-22T08:00:00Z", "6.8", "HH", "final"),
		lab("2823-3", "Potassium", "2026-11-22T11:30:00Z", "4.1", "N", "final"),  // the redraw
		lab("2823-3", "Potassium", "2026-11-20T08:00:00Z", "6.5", "HH", "final"), // older critical: not repeated
		lab("2951-2", "Sodium", "2026-11-23T06:00:00Z", "118", "LL", "preliminary"),
		lab("2160-0", "Creatinine", "2026-11-23T06:00:00Z", "2.1", "H", "final"),         // high, not critical
		lab("6690-2", "WBC", "2026-11-10T06:00:00Z", "0.7", "LL", "final"),               // 13 days ago
		lab("777-3", "Platelets", "2026-11-23T07:00:00Z", "9", "LL", "entered-in-error"), // never counts
		lab("1975-2", "Bilirubin", "2026-11-23T07:00:00Z", "30", "HH", "cancelled"),
	}
	c := CriticalResults(obs, false, now, time.UTC, Links{})
	if len(c.Items) != 2 {
		t.Fatalf("%d items, want sodium and potassium: %+v", len(c.Items), c.Items)
	}
	na, k := c.Items[0], c.Items[1]
	if na.Result.Name != "Sodium" || na.Result.Value != "118" || na.Result.Flag.Text != "Critical low" || na.Later != nil || !na.Result.StatusNotable {
		t.Errorf("first item %+v, want sodium 118 Critical low, preliminary, nothing later", na)
	}
	if k.Result.Name != "Potassium" || k.Result.Value != "6.8" || k.Result.Unit != "mmol/L" || k.Result.Flag.Text != "Critical high" {
		t.Errorf("second item %+v, want potassium 6.8 mmol/L Critical high", k.Result)
	}
	if k.Later == nil || k.Later.Value != "4.1" || !strings.Contains(k.Later.When, "11:30") {
		t.Errorf("potassium's later result %+v, want the 4.1 redraw at 11:30", k.Later)
	}
	if c.Title == "" || !strings.Contains(c.Title, "7 days") {
		t.Errorf("title %q does not say the window", c.Title)
	}

	if c := CriticalResults(obs[4:5], false, now, time.UTC, Links{}); len(c.Items) != 0 {
		t.Errorf("a high creatinine alone gave %+v", c.Items)
	}
}

// TestCriticalResultsSayWhatTheyCouldNotSee: a summary built from a truncated answer says other
// results may be critical, with or without items; one for labs that did not load says it could not
// be checked. An empty summary has no key, and the key follows what is shown: the same answer gives
// the same key (app.js then leaves the summary alone), a changed value a new one.
func TestCriticalResultsSayWhatTheyCouldNotSee(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	k := func(value string) fhir.Observation {
		return obsFrom(t, `{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2823-3"}],"text":"Potassium"},
			"effectiveDateTime":"2026-11-22T08:00:00Z","valueQuantity":{"value":`+value+`,"unit":"mmol/L"},
			"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"HH"}]}]}`)
	}
	c := CriticalResults([]fhir.Observation{k("6.8")}, true, now, time.UTC, Links{})
	if len(c.Items) != 1 || !strings.Contains(c.Note, "may be other critical results") {
		t.Errorf("truncated with a critical potassium: %d items, note %q", len(c.Items), c.Note)
	}
	if c := CriticalResults(nil, true, now, time.UTC, Links{}); len(c.Items) != 0 || c.Note == "" || c.Key == "" {
		t.Errorf("truncated with nothing critical: note %q, key %q; want the note and a key", c.Note, c.Key)
	}
	if u := CriticalUnavailable(); !strings.Contains(u.Note, "could not be checked") || u.Key == "" {
		t.Errorf("labs that did not load: note %q, key %q", u.Note, u.Key)
	}
	if e := CriticalResults(nil, false, now, time.UTC, Links{}); e.Key != "" || e.Note != "" {
		t.Errorf("nothing critical: key %q, note %q; want neither", e.Key, e.Note)
	}

	a := CriticalResults([]fhir.Observation{k("6.8")}, false, now, time.UTC, Links{})
	again := CriticalResults([]fhir.Observation{k("6.8")}, false, now, time.UTC, Links{})
	other := CriticalResults([]fhir.Observation{k("6.9")}, false, now, time.UTC, Links{})
	if a.Key == "" || a.Key != again.Key || a.Key == other.Key || a.Key == c.Key {
		t.Errorf("keys: %q, again %q, 6.9 %q, truncated %q; want equal for the same summary only", a.Key, again.Key, other.Key, c.Key)
	}
}
