package fhir

import (
	"encoding/json"
	"testing"
	"time"
)

// TestOfficialName: the name shown for a patient is a current one. A name whose period has ended
// (a previous legal name), has not begun (a change registered ahead), or that is marked old or
// maiden is used only when there is no other. Today is Apr 27, 2026 in the clinic.
func TestOfficialName(t *testing.T) {
	now := time.Date(2026, 4, 28, 4, 45, 0, 0, time.UTC)
	clinic := time.FixedZone("CDT", -5*60*60)
	tests := []struct {
		name, js, want string
	}{
		{"official over usual", `[{"use":"usual","text":"Ali Mychart"},{"use":"official","text":"Allison Mychart"}]`, "Allison Mychart"},
		{"Epic's old name first", `[{"use":"old","text":"MYCHART,ALI"},{"use":"official","text":"Allison Mychart"},{"use":"usual","text":"Ali Mychart"}]`, "Allison Mychart"},
		{"usual when no official", `[{"use":"old","text":"Old"},{"use":"usual","text":"Usual"}]`, "Usual"},
		{"ended official name skipped", `[{"use":"official","text":"Jane Smith","period":{"start":"1990-01-01","end":"2015-06-01"}},
			{"use":"official","text":"Jane Doe","period":{"start":"2015-06-01"}}]`, "Jane Doe"},
		{"ended official loses to a current usual", `[{"use":"official","text":"Jane Smith","period":{"end":"2015-06-01"}},{"use":"usual","text":"Jane Doe"}]`, "Jane Doe"},
		{"old and maiden names after any other", `[{"use":"old","text":"Old"},{"use":"maiden","text":"Maiden"},{"use":"nickname","text":"Nick"}]`, "Nick"},
		{"no use at all: the first", `[{"text":"First"},{"text":"Second"}]`, "First"},
		{"only an old name: still shown", `[{"use":"old","text":"Old"}]`, "Old"},
		{"official name ending next month is still the name", `[{"use":"official","text":"Jane Smith","period":{"end":"2026-05-31"}},
			{"use":"usual","text":"Jane Doe"}]`, "Jane Smith"},
		{"official name ending today is still the name", `[{"use":"official","text":"Jane Smith","period":{"end":"2026-04-27"}},
			{"use":"usual","text":"Jane Doe"}]`, "Jane Smith"},
		{"official name ended yesterday", `[{"use":"official","text":"Jane Smith","period":{"end":"2026-04-26"}},
			{"use":"usual","text":"Jane Doe"}]`, "Jane Doe"},
		{"official name ending this month (month precision)", `[{"use":"official","text":"Jane Smith","period":{"end":"2026-04"}},
			{"use":"usual","text":"Jane Doe"}]`, "Jane Smith"},
		{"official name ended last year (year precision)", `[{"use":"official","text":"Jane Smith","period":{"end":"2025"}},
			{"use":"usual","text":"Jane Doe"}]`, "Jane Doe"},
		{"official name starting next month not yet the name", `[{"use":"official","text":"Jane Doe","period":{"start":"2026-05-01"}},
			{"use":"official","text":"Jane Smith","period":{"start":"1990-01-01","end":"2026-04-30"}}]`, "Jane Smith"},
		{"instant end 15 min ago in the clinic", `[{"use":"official","text":"Jane Smith","period":{"end":"2026-04-27T23:30:00-05:00"}},
			{"use":"usual","text":"Jane Doe"}]`, "Jane Doe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Patient
			if err := json.Unmarshal([]byte(`{"resourceType":"Patient","name":`+tt.js+`}`), &p); err != nil {
				t.Fatal(err)
			}
			if n, ok := p.OfficialNameAt(now, clinic); !ok || n.Text != tt.want {
				t.Errorf("got %q (ok %v), want %q", n.Text, ok, tt.want)
			}
		})
	}
	if _, ok := (Patient{}).OfficialNameAt(now, clinic); ok {
		t.Error("a patient without names has an official name")
	}
}
