package present

import "testing"

// TestComponentsNotDropped: what Epic sends on an observation's components is shown. Before, a
// blood pressure's or a panel's reference ranges on its components left the range cell empty, a
// blood pressure's third component (a mean arterial pressure) vanished behind "150/70", and a
// panel's flag did not say which component it was for.
func TestComponentsNotDropped(t *testing.T) {
	const sys = `{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}],"text":"Systolic"},"valueQuantity":{"value":150,"unit":"mm[Hg]"},
		"interpretation":[{"text":"H"}],"referenceRange":[{"high":{"value":120,"unit":"mm[Hg]"}}]}`
	const dia = `{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}],"text":"Diastolic"},"valueQuantity":{"value":70,"unit":"mm[Hg]"},
		"referenceRange":[{"high":{"value":80,"unit":"mm[Hg]"}}]}`
	const mean = `{"code":{"coding":[{"system":"http://loinc.org","code":"8478-0"}],"text":"Mean blood pressure"},"valueQuantity":{"value":97,"unit":"mm[Hg]"}}`
	tests := []struct {
		name                             string
		js                               string
		wantValue, wantDetail, wantRange string
	}{
		{"blood pressure's component ranges",
			`{"status":"final","code":{"text":"BP"},"component":[` + sys + `,` + dia + `]}`,
			"150/70", "", "Systolic: ≤ 120 mm[Hg]; Diastolic: ≤ 80 mm[Hg]"},
		{"blood pressure's third component",
			`{"status":"final","code":{"text":"BP"},"component":[` + sys + `,` + dia + `,` + mean + `]}`,
			"150/70", "Mean blood pressure: 97 mm[Hg]", "Systolic: ≤ 120 mm[Hg]; Diastolic: ≤ 80 mm[Hg]"},
		{"observation's own range first, then its components'",
			`{"status":"final","code":{"text":"BP"},"referenceRange":[{"text":"see components"}],"component":[` + sys + `,` + dia + `]}`,
			"150/70", "", "see components; Systolic: ≤ 120 mm[Hg]; Diastolic: ≤ 80 mm[Hg]"},
		{"panel: each component's flag and range",
			`{"status":"final","code":{"text":"Urinalysis"},"component":[
				{"code":{"text":"Protein"},"valueString":"3+","interpretation":[{"text":"A"}],"referenceRange":[{"text":"Negative"}]},
				{"code":{"text":"Glucose"},"valueString":"Negative","referenceRange":[{"text":"Negative"}]}]}`,
			"Protein: 3+ (Abnormal); Glucose: Negative", "", "Protein: Negative; Glucose: Negative"},
		{"no ranges anywhere", `{"status":"final","code":{"text":"BP"},"component":[` + mean + `]}`,
			"Mean blood pressure: 97 mm[Hg]", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ObservationRow(obsFrom(t, tt.js), chicago(t), Links{})
			if r.Value != tt.wantValue || r.Detail != tt.wantDetail || r.Range != tt.wantRange {
				t.Errorf("value %q detail %q range %q,\nwant  %q detail %q range %q", r.Value, r.Detail, r.Range, tt.wantValue, tt.wantDetail, tt.wantRange)
			}
		})
	}
}
