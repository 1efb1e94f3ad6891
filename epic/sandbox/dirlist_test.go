package sandbox

import (
	"testing"
	"time"
)

// TestDirectoryMRNsResolve: every MRN the sign-in page offers finds a patient by MRN search, and the
// README-documented fixed MRNs are there.
func TestDirectoryMRNsResolve(t *testing.T) {
	s, err := New(Options{Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, l := range s.Directory() {
		have[l.MRN] = true
		n := 0
		for _, p := range s.data.patients {
			if identifierMatches(p.p, "MRN|"+l.MRN) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("directory MRN %s (%s) finds no patient", l.MRN, l.Name)
		}
	}
	for _, mrn := range []string{"203713", "203711", "203714", "203709", "203712", "203715", "203710", "203675",
		"400001", "400002", "400003", "400004", "400005", "400006", "400007", "400008", "400009", "400010", "400011", "400012", "300001"} {
		if !have[mrn] {
			t.Errorf("MRN %s missing from the directory", mrn)
		}
	}
}
