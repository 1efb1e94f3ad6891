package present

import (
	"testing"

	"github.com/chartside/chartside/views"
)

// TestEveryInterpretationKept: when Epic sends several interpretations for one result (or one on
// the result and others on its components), each is shown, the most serious first. Before, only
// the most serious was kept, and a code Chartside does not know outranks high and low: a High
// beside "Resistant", or a systolic's High under Epic's "(NONE)" on the blood pressure itself,
// vanished, and the value lost its bold.
func TestEveryInterpretationKept(t *testing.T) {
	const v3 = `"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"`
	bp := func(obsInterp, sysInterp string) string {
		return `{"status":"final","code":{"text":"BP"},"interpretation":[` + obsInterp + `],"component":[
			{"code":{"coding":[{"code":"8480-6"}],"text":"Systolic"},"valueQuantity":{"value":150,"unit":"mm[Hg]"},"interpretation":[` + sysInterp + `]},
			{"code":{"coding":[{"code":"8462-4"}],"text":"Diastolic"},"valueQuantity":{"value":80,"unit":"mm[Hg]"}}]}`
	}
	tests := []struct {
		name     string
		js       string
		want     []string // every flag's text, lead first
		abnormal bool
	}{
		{"high beside an unknown code", `{"valueQuantity":{"value":8,"unit":"ug/mL"},"interpretation":[
			{"coding":[{` + v3 + `,"code":"H"}]},{"coding":[{` + v3 + `,"code":"R","display":"Resistant"}]}]}`,
			[]string{"Resistant", "High"}, true},
		{"critical beside an unknown code", `{"valueQuantity":{"value":8,"unit":"mmol/L"},"interpretation":[
			{"coding":[{` + v3 + `,"code":"HH"}]},{"coding":[{` + v3 + `,"code":"W","display":"Worse"}]}]}`,
			[]string{"Critical high", "Worse"}, true},
		{"systolic high under Epic's (NONE)", bp(`{"text":"(NONE)"}`, `{"text":"H"}`), []string{"(NONE)", "High"}, true},
		{"observation high and component low", bp(`{"text":"H"}`, `{"text":"L"}`), []string{"High", "Low"}, true},
		{"the same flag twice is shown once", `{"valueQuantity":{"value":8,"unit":"mmol/L"},"interpretation":[
			{"coding":[{` + v3 + `,"code":"H"}]},{"text":"H"}]}`, []string{"High"}, true},
		{"one flag", `{"valueQuantity":{"value":8,"unit":"mmol/L"},"interpretation":[{"text":"N"}]}`, []string{"Normal"}, false},
		{"none", `{"valueQuantity":{"value":8,"unit":"mmol/L"}}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ObservationRow(obsFrom(t, tt.js), chicago(t), Links{}).Flag
			var got []string
			if f.Level != views.FlagNone {
				got = append(got, f.Text)
			}
			for _, a := range f.Also {
				got = append(got, a.Text)
				if len(a.Also) != 0 {
					t.Errorf("nested Also in %+v", a)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("flags %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("flags %q, want %q", got, tt.want)
				}
			}
			if f.Abnormal() != tt.abnormal {
				t.Errorf("Abnormal() = %v, want %v (%+v)", f.Abnormal(), tt.abnormal, f)
			}
		})
	}
}
