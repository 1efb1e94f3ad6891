package fhir

import (
	"encoding/json"
	"testing"
)

// TestOfficialName: the name shown for a patient is a current one. A name whose period has ended
// (a previous legal name) or that is marked old or maiden is used only when there is no other.
func TestOfficialName(t *testing.T) {
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Patient
			if err := json.Unmarshal([]byte(`{"resourceType":"Patient","name":`+tt.js+`}`), &p); err != nil {
				t.Fatal(err)
			}
			if n, ok := p.OfficialName(); !ok || n.Text != tt.want {
				t.Errorf("got %q (ok %v), want %q", n.Text, ok, tt.want)
			}
		})
	}
	if _, ok := (Patient{}).OfficialName(); ok {
		t.Error("a patient without names has an official name")
	}
}
