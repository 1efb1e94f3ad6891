package present

import (
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// TestLabMatrixSaysWhatDiffers: a matrix cell never silently takes on its row's unit or reference
// range, and a result without an effective time is not left out. Morgan Quinlan (sandbox 400009)
// has an HbA1c sent as a bare 5.1 (no unit, no range, like Camila Lopez's capture) beside earlier
// ones in % with the range 4.0 - 5.6 %: the matrix showed "5.1" in a row without unit or range and
// dropped the earlier results' range; a result Epic sent with only an issued time was missing.
func TestLabMatrixSaysWhatDiffers(t *testing.T) {
	a1c := func(when, value, unit, rng string) string {
		js := `{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}],"text":"Hemoglobin A1C"},` + when +
			`,"valueQuantity":{"value":` + value
		if unit != "" {
			js += `,"unit":"` + unit + `"`
		}
		js += `}`
		if rng != "" {
			js += `,"referenceRange":[{"text":"` + rng + `"}]`
		}
		return js + `}`
	}
	const eff1, eff2, eff3 = `"effectiveDateTime":"2026-11-22T01:34:00Z"`, `"effectiveDateTime":"2026-11-17T16:50:00Z"`, `"effectiveDateTime":"2026-02-15T15:19:00Z"`
	tests := []struct {
		name              string
		obs               []string
		wantUnit, wantRng string
		wantDates         []string
		wantCells         []string
	}{
		{"newest without unit or range",
			[]string{a1c(eff1, "5.1", "", ""), a1c(eff2, "8.0", "%", "4.0 - 5.6 %"), a1c(eff3, "7.3", "%", "4.0 - 5.6 %")},
			"", "", []string{"Nov 22, 2026", "Nov 17, 2026", "Feb 15, 2026"},
			[]string{"5.1 (unit not sent)", "8.0 % (ref. 4.0 - 5.6 %)", "7.3 % (ref. 4.0 - 5.6 %)"}},
		{"older without unit or range",
			[]string{a1c(eff1, "8.0", "%", "4.0 - 5.6 %"), a1c(eff2, "5.1", "", "")},
			"%", "4.0 - 5.6 %", []string{"Nov 22, 2026", "Nov 17, 2026"},
			[]string{"8.0", "5.1 (unit not sent) (no range sent)"}},
		{"a range that changed",
			[]string{a1c(eff1, "8.0", "%", "4.0 - 5.6 %"), a1c(eff2, "7.9", "%", "4.0 - 6.0 %")},
			"%", "4.0 - 5.6 %", []string{"Nov 22, 2026", "Nov 17, 2026"},
			[]string{"8.0", "7.9 (ref. 4.0 - 6.0 %)"}},
		{"no effective time",
			[]string{a1c(eff1, "8.0", "%", "4.0 - 5.6 %"), a1c(`"issued":"2026-11-18T10:00:00Z"`, "6.0", "%", "4.0 - 5.6 %"), a1c(`"id":"x"`, "6.1", "%", "4.0 - 5.6 %")},
			"%", "4.0 - 5.6 %", []string{"Nov 22, 2026", "Date not recorded"},
			[]string{"8.0", "6.0 (issued Nov 18, 2026 10:00); 6.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obs []fhir.Observation
			for _, js := range tt.obs {
				obs = append(obs, obsFrom(t, js))
			}
			m := LabMatrix(obs, time.UTC, Links{})
			if len(m.Rows) != 1 {
				t.Fatalf("rows = %+v", m.Rows)
			}
			r := m.Rows[0]
			if r.Unit != tt.wantUnit || r.Range != tt.wantRng {
				t.Errorf("row unit %q range %q, want %q %q", r.Unit, r.Range, tt.wantUnit, tt.wantRng)
			}
			if strings.Join(m.Dates, "|") != strings.Join(tt.wantDates, "|") {
				t.Errorf("dates %q, want %q", m.Dates, tt.wantDates)
			}
			var cells []string
			for _, c := range r.Cells {
				cells = append(cells, c.Value)
			}
			if strings.Join(cells, "|") != strings.Join(tt.wantCells, "|") {
				t.Errorf("cells %q,\nwant  %q", cells, tt.wantCells)
			}
		})
	}
}

// TestLabMatrixCellSaysWhichResultIsWhich: several results of a test on one day each say their
// time and their own flag. Kwame Mensah (sandbox 400012) had a critical potassium of 6.7 at 19:04
// redrawn at 21:34 as 4.6: the cell read "4.6; 6.7 ‼ Critical high", which reads left to right as
// a potassium that rose to a critical 6.7.
func TestLabMatrixCellSaysWhichResultIsWhich(t *testing.T) {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	k := func(when, value, interp string) fhir.Observation {
		js := `{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2823-3"}],"text":"Potassium"},"effectiveDateTime":"` + when +
			`","valueQuantity":{"value":` + value + `,"unit":"mmol/L"},"referenceRange":[{"text":"3.5 - 5.1 mmol/L"}]`
		if interp != "" {
			js += `,"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"` + interp + `"}]}]`
		}
		return obsFrom(t, js+"}")
	}
	tests := []struct {
		name string
		obs  []fhir.Observation
		want string
	}{
		{"redrawn critical", []fhir.Observation{k("2026-11-22T19:04:00-06:00", "6.7", "HH"), k("2026-11-22T21:34:00-06:00", "4.6", "")},
			"4.6 at 21:34; 6.7 HH at 19:04"},
		{"one result stays as it was", []fhir.Observation{k("2026-11-22T19:04:00-06:00", "6.7", "HH")}, "6.7"},
		{"a result without a time", []fhir.Observation{k("2026-11-22T19:04:00-06:00", "5.4", "H"), k("2026-11-22", "4.0", "")},
			"5.4 H at 19:04; 4.0 (time not sent)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := LabMatrix(tt.obs, loc, Links{})
			if len(m.Rows) != 1 || len(m.Rows[0].Cells) != 1 {
				t.Fatalf("rows = %+v", m.Rows)
			}
			c := m.Rows[0].Cells[0]
			if c.Value != tt.want {
				t.Errorf("cell = %q, want %q", c.Value, tt.want)
			}
			if tt.obs[0].Interpretation != nil && c.Flag.Text != "Critical high" && c.Flag.Text != "High" {
				t.Errorf("cell flag = %+v, want the flagged result's", c.Flag)
			}
		})
	}
}
