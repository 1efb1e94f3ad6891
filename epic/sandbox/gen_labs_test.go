package sandbox

import (
	"testing"
	"time"
)

// TestGeneratedLabFlagsAgreeWithReportedValues: a clinician shown the sandbox sees each generated
// lab's value, range and flag side by side, so they must agree as shown: a CO2 reported as 22
// against 22 - 29 was flagged Low (the flag came from the unrounded 21.6), outliers were clamped to
// a platelet count of 0, and men got women's hemoglobin and hematocrit ranges.
func TestGeneratedLabFlagsAgreeWithReportedValues(t *testing.T) {
	s, err := New(Options{Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	sexOf := map[string]string{}
	for _, p := range s.data.patients {
		sexOf[p.p.ID] = p.p.Gender
	}
	checked, maleRanges := 0, 0
	for patient, recs := range s.data.observations {
		for _, r := range recs {
			o := r.obs
			if o == nil || o.ValueQuantity == nil || len(o.ReferenceRange) != 1 || o.Status != "final" || o.ValueQuantity.Comparator != "" {
				continue
			}
			rr := o.ReferenceRange[0]
			if rr.Low == nil || rr.High == nil {
				continue
			}
			v, err1 := o.ValueQuantity.Value.Float64()
			low, err2 := rr.Low.Value.Float64()
			high, err3 := rr.High.Value.Float64()
			if err1 != nil || err2 != nil || err3 != nil {
				t.Fatalf("observation %s: unreadable numbers", o.ID)
			}
			flag := ""
			if len(o.Interpretation) > 0 && len(o.Interpretation[0].Coding) > 0 {
				flag = o.Interpretation[0].Coding[0].Code
			}
			want := map[string]bool{"": true}
			switch {
			case v < low:
				want = map[string]bool{"L": true, "LL": true}
			case v > high:
				want = map[string]bool{"H": true, "HH": true}
			}
			if !want[flag] {
				t.Errorf("%s %s %s against %s - %s is flagged %q", o.Code.Text, o.ValueQuantity.Value, o.ValueQuantity.Unit, rr.Low.Value, rr.High.Value, flag)
			}
			if v <= 0 {
				t.Errorf("%s reported as %s", o.Code.Text, o.ValueQuantity.Value)
			}
			if o.Code.Text == "Hemoglobin" && sexOf[patient] == "male" {
				maleRanges++
				if rr.Low.Value != "13.5" || rr.High.Value != "17.5" {
					t.Errorf("a man's hemoglobin range is %s - %s, want 13.5 - 17.5", rr.Low.Value, rr.High.Value)
				}
			}
			checked++
		}
	}
	if checked < 1000 || maleRanges == 0 {
		t.Fatalf("checked %d results (%d men's hemoglobin): the generator's labs were not found", checked, maleRanges)
	}
}
