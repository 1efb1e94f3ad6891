package present

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// obsFrom decodes an Observation written as JSON, so tests use the wire form Epic sends.
func obsFrom(t *testing.T, js string) fhir.Observation {
	t.Helper()
	var o fhir.Observation
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		t.Fatalf("decode observation: %v", err)
	}
	return o
}

func TestObservationValue(t *testing.T) {
	tests := []struct {
		name      string
		js        string
		wantValue string
		wantUnit  string
	}{
		{"trailing zeros kept", `{"valueQuantity":{"value":7.20,"unit":"%"}}`, "7.20", "%"},
		{"comparator kept", `{"valueQuantity":{"value":5,"comparator":"<","unit":"mg/L"}}`, "<5", "mg/L"},
		{"unit from code when unit absent", `{"valueQuantity":{"value":1.0,"code":"mmol/L","system":"http://unitsofmeasure.org"}}`, "1.0", "mmol/L"},
		{"no unit", `{"valueQuantity":{"value":5.1}}`, "5.1", ""},
		{"exponent as sent", `{"valueQuantity":{"value":1e3,"unit":"/uL"}}`, "1e3", "/uL"},
		{"string", `{"valueString":"Positive for <b>x</b>"}`, "Positive for <b>x</b>", ""},
		{"coded text", `{"valueCodeableConcept":{"text":"Never smoker","coding":[{"code":"266919005"}]}}`, "Never smoker", ""},
		{"coded display", `{"valueCodeableConcept":{"coding":[{"code":"LA6576-8","display":"Positive"}]}}`, "Positive", ""},
		{"coded code only", `{"valueCodeableConcept":{"coding":[{"code":"POS"}]}}`, "POS", ""},
		{"boolean true", `{"valueBoolean":true}`, "Yes", ""},
		{"boolean false", `{"valueBoolean":false}`, "No", ""},
		{"integer", `{"valueInteger":0}`, "0", ""},
		{"range", `{"valueRange":{"low":{"value":2,"unit":"h"},"high":{"value":4,"unit":"h"}}}`, "2–4 h", ""},
		{"ratio", `{"valueRatio":{"numerator":{"value":1},"denominator":{"value":128}}}`, "1 : 128", ""},
		{"time", `{"valueTime":"07:30:00"}`, "07:30:00", ""},
		{"dateTime partial", `{"valueDateTime":"1970-03"}`, "Mar 1970", ""},
		{"period", `{"valuePeriod":{"start":"2020","end":"2021"}}`, "2020 – 2021", ""},
		{"data absent with reason", `{"dataAbsentReason":{"text":"Patient refused"}}`, "Not recorded: Patient refused", ""},
		{"data absent coded", `{"dataAbsentReason":{"coding":[{"code":"asked-declined","display":"Asked But Declined"}]}}`, "Not recorded: Asked But Declined", ""},
		{"nothing", `{}`, "Not recorded", ""},
		// A value[x] that is there but empty is said to be missing, never a blank cell.
		{"quantity without a value", `{"valueQuantity":{"unit":"mg/dL"}}`, "Not recorded", ""},
		{"coded without text or codes", `{"valueCodeableConcept":{}}`, "Not recorded", ""},
		{"range without low or high", `{"valueRange":{}}`, "Not recorded", ""},
		{"blank string", `{"valueString":"  "}`, "Not recorded", ""},
		{"ratio without numerator", `{"valueRatio":{"denominator":{"value":5,"unit":"mL"}}}`, "not sent : 5 mL", ""},
		{"ratio without either side", `{"valueRatio":{}}`, "Not recorded", ""},
		{"empty time", `{"valueTime":""}`, "Not recorded", ""},
		{"blood pressure systolic without a value", `{"component":[
			{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"unit":"mm[Hg]"}},
			{"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mm[Hg]"}}]}`, "(systolic not recorded)/80", "mm[Hg]"},
		{"blood pressure", `{"component":[
			{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mm[Hg]"}},
			{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mm[Hg]"}}]}`, "120/80", "mm[Hg]"},
		{"blood pressure diastolic first", `{"component":[
			{"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mmHg"}},
			{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mmHg"}}]}`, "120/80", "mmHg"},
		{"blood pressure missing diastolic", `{"component":[
			{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mm[Hg]"}}]}`, "120/(diastolic not recorded)", "mm[Hg]"},
		{"blood pressure absent", `{"component":[
			{"code":{"coding":[{"code":"8480-6"}]},"dataAbsentReason":{"text":"Unable"}},
			{"code":{"coding":[{"code":"8462-4"}]},"dataAbsentReason":{"text":"Unable"}}]}`, "Not recorded: Unable", ""},
		{"blood pressure mixed units", `{"component":[
			{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":16,"unit":"kPa"}},
			{"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mm[Hg]"}}]}`, "16 kPa/80 mm[Hg]", ""},
		{"other components joined", `{"component":[
			{"code":{"text":"Packs/day"},"valueQuantity":{"value":0.5}},
			{"code":{"text":"Years"},"valueInteger":10}]}`, "Packs/day: 0.5; Years: 10", ""},
	}
	loc := chicago(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotV, gotU := ObservationValue(obsFrom(t, tt.js), loc)
			if gotV != tt.wantValue || gotU != tt.wantUnit {
				t.Errorf("got (%q, %q), want (%q, %q)", gotV, gotU, tt.wantValue, tt.wantUnit)
			}
		})
	}
}

func TestReferenceRange(t *testing.T) {
	tests := []struct {
		name string
		js   string
		want string
	}{
		{"low and high", `{"referenceRange":[{"low":{"value":3.5,"unit":"mmol/L"},"high":{"value":5.0,"unit":"mmol/L"}}]}`, "3.5–5.0 mmol/L"},
		// Epic's text is the lab's wording: its precision ("5.20" where the JSON number says 5.2) and
		// its comparators ("<0.01", which "≤ 0.01" built from high would misstate) are kept.
		{"Epic's text over low and high", `{"referenceRange":[{"low":{"value":4,"unit":"10*6/uL"},"high":{"value":5.2,"unit":"10*6/uL"},"text":"4.00 - 5.20 10*6/uL"}]}`, "4.00 - 5.20 10*6/uL"},
		{"Epic's text with a strict comparator", `{"referenceRange":[{"high":{"value":0.01,"unit":"ng/mL"},"text":"<0.01 ng/mL"}]}`, "<0.01 ng/mL"},
		{"low only", `{"referenceRange":[{"low":{"value":60,"unit":"mL/min"}}]}`, "≥ 60 mL/min"},
		{"high only", `{"referenceRange":[{"high":{"value":200,"unit":"mg/dL"}}]}`, "≤ 200 mg/dL"},
		{"text only", `{"referenceRange":[{"text":"Negative"}]}`, "Negative"},
		{"blank text falls back to low and high", `{"referenceRange":[{"low":{"value":1},"high":{"value":2},"text":" "}]}`, "1–2"},
		{"several ranges, each with whom it applies to", `{"referenceRange":[
			{"low":{"value":12.0,"unit":"g/dL"},"high":{"value":16.0,"unit":"g/dL"},"appliesTo":[{"text":"Female"}]},
			{"low":{"value":13.5,"unit":"g/dL"},"high":{"value":17.5,"unit":"g/dL"},"appliesTo":[{"text":"Male"}]}]}`,
			"Female: 12.0–16.0 g/dL; Male: 13.5–17.5 g/dL"},
		{"type and age", `{"referenceRange":[
			{"low":{"value":3.5},"high":{"value":5.0},"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/referencerange-meaning","code":"normal","display":"Normal Range"}]}},
			{"text":"2.0 - 3.0","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/referencerange-meaning","code":"therapeutic","display":"Therapeutic Desired Level"}]},
			 "age":{"low":{"value":18,"unit":"a"},"high":{"value":65,"unit":"a"}}}]}`,
			"3.5–5.0; Therapeutic Desired Level, age 18–65 a: 2.0 - 3.0"},
		{"none", `{}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReferenceRange(obsFrom(t, tt.js).ReferenceRange); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInterpretation(t *testing.T) {
	const v3 = `"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"`
	tests := []struct {
		name      string
		js        string
		wantText  string
		wantLevel views.FlagLevel
		wantIcon  string
	}{
		{"none", `{}`, "", views.FlagNone, ""},
		{"v3 H", `{"interpretation":[{"coding":[{` + v3 + `,"code":"H"}]}]}`, "High", views.FlagHigh, "▲"},
		{"v3 L", `{"interpretation":[{"coding":[{` + v3 + `,"code":"L"}]}]}`, "Low", views.FlagLow, "▼"},
		{"v3 HH", `{"interpretation":[{"coding":[{` + v3 + `,"code":"HH"}]}]}`, "Critical high", views.FlagCritical, "‼"},
		{"v3 LL", `{"interpretation":[{"coding":[{` + v3 + `,"code":"LL"}]}]}`, "Critical low", views.FlagCritical, "‼"},
		{"v3 AA", `{"interpretation":[{"coding":[{` + v3 + `,"code":"AA"}]}]}`, "Critical abnormal", views.FlagCritical, "‼"},
		{"v3 A", `{"interpretation":[{"coding":[{` + v3 + `,"code":"A"}]}]}`, "Abnormal", views.FlagAbnormal, "◆"},
		{"v3 N", `{"interpretation":[{"coding":[{` + v3 + `,"code":"N"}]}]}`, "Normal", views.FlagNormal, ""},
		{"v2 H", `{"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0078","code":"H"}]}]}`, "High", views.FlagHigh, "▲"},
		{"bare text H", `{"interpretation":[{"text":"H"}]}`, "High", views.FlagHigh, "▲"},
		{"Epic (NONE) as given", `{"interpretation":[{"text":"(NONE)"}]}`, "(NONE)", views.FlagUnknown, "?"},
		{"unknown v3 code as given", `{"interpretation":[{"coding":[{` + v3 + `,"code":"HU","display":"Significantly high"}]}]}`, "Significantly high", views.FlagUnknown, "?"},
		{"known code in a foreign system is not trusted", `{"interpretation":[{"coding":[{"system":"urn:oid:1.2.3","code":"N","display":"Nope"}]}]}`, "Nope", views.FlagUnknown, "?"},
		{"code only unknown", `{"interpretation":[{"coding":[{"code":"XYZ"}]}]}`, "XYZ", views.FlagUnknown, "?"},
		{"most serious wins", `{"interpretation":[{"coding":[{` + v3 + `,"code":"H"}]},{"coding":[{` + v3 + `,"code":"HH"}]}]}`, "Critical high", views.FlagCritical, "‼"},
		{"unknown beats normal", `{"interpretation":[{"coding":[{` + v3 + `,"code":"N"}]},{"text":"Weird"}]}`, "Weird", views.FlagUnknown, "?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Interpretation(obsFrom(t, tt.js).Interpretation)
			if got.Text != tt.wantText || got.Level != tt.wantLevel || got.Icon != tt.wantIcon {
				t.Errorf("got %+v, want {%q %q %q}", got, tt.wantText, tt.wantLevel, tt.wantIcon)
			}
		})
	}
}

func TestObservationRowStatusAndComponentsFlag(t *testing.T) {
	loc := chicago(t)
	tests := []struct {
		name        string
		js          string
		wantStatus  string
		wantNotable bool
		wantLevel   views.FlagLevel
	}{
		{"final", `{"status":"final","valueInteger":1}`, "final", false, views.FlagNone},
		{"preliminary shown", `{"status":"preliminary","valueInteger":1}`, "preliminary", true, views.FlagNone},
		{"amended shown", `{"status":"amended","valueInteger":1}`, "amended", true, views.FlagNone},
		{"entered in error shown", `{"status":"entered-in-error","valueInteger":1}`, "entered-in-error", true, views.FlagNone},
		{"cancelled shown", `{"status":"cancelled"}`, "cancelled", true, views.FlagNone},
		{"unknown status shown as given", `{"status":"draft","valueInteger":1}`, "draft", true, views.FlagNone},
		{"missing status said to be missing", `{"valueInteger":1}`, "Not recorded", false, views.FlagNone},
		{"BP flag from component", `{"status":"final","component":[
			{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":190,"unit":"mm[Hg]"},"interpretation":[{"text":"H"}]},
			{"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mm[Hg]"}}]}`, "final", false, views.FlagHigh},
		// A flag on the observation itself must not hide a more serious one on a component.
		{"BP critical component beats observation-level normal", `{"status":"final","interpretation":[{"text":"N"}],"component":[
			{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":210,"unit":"mm[Hg]"},"interpretation":[{"text":"HH"}]},
			{"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mm[Hg]"}}]}`, "final", false, views.FlagCritical},
		{"BP critical component beats Epic's (NONE)", `{"status":"final","interpretation":[{"text":"(NONE)"}],"component":[
			{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":210,"unit":"mm[Hg]"},"interpretation":[{"text":"HH"}]},
			{"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mm[Hg]"}}]}`, "final", false, views.FlagCritical},
		{"observation-level high kept over a normal component", `{"status":"final","interpretation":[{"text":"H"}],"component":[
			{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":150,"unit":"mm[Hg]"},"interpretation":[{"text":"N"}]}]}`, "final", false, views.FlagHigh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ObservationRow(obsFrom(t, tt.js), loc, Links{})
			if r.Status != tt.wantStatus || r.StatusNotable != tt.wantNotable || r.Flag.Level != tt.wantLevel {
				t.Errorf("got status %q notable %v flag %q", r.Status, r.StatusNotable, r.Flag.Level)
			}
		})
	}
}

func TestObservationRowsKeepEveryRowNewestFirst(t *testing.T) {
	obs := []fhir.Observation{
		obsFrom(t, `{"code":{"text":"old"},"effectiveDateTime":"2020-01-01T10:00:00Z","valueInteger":1}`),
		obsFrom(t, `{"code":{"text":"undated"},"valueInteger":2}`),
		obsFrom(t, `{"code":{"text":"new"},"effectiveDateTime":"2024-01-01","valueInteger":3}`),
		obsFrom(t, `{"code":{"text":"error"},"status":"entered-in-error","effectiveDateTime":"2022-01-01T10:00:00Z","valueInteger":4}`),
	}
	rows := ObservationRows(obs, chicago(t), Links{})
	var got []string
	for _, r := range rows {
		got = append(got, r.Name+"@"+r.When)
	}
	want := []string{"new@Jan 1, 2024", "error@Jan 1, 2022 04:00 CST", "old@Jan 1, 2020 04:00 CST", "undated@Not recorded"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestObservationRowWhen: an effectivePeriod is shown as a period, so its end is never shown as
// though it were when the observation was made, and one without an end is shown as ongoing (a
// current smoker's "since 2006", not a bare 2006); for the same reason the issued time, shown when
// there is no effective time, says it is the issued time.
func TestObservationRowWhen(t *testing.T) {
	loc := chicago(t)
	tests := []struct{ name, js, want string }{
		{"dateTime", `{"effectiveDateTime":"2024-06-01T13:00:00Z"}`, "Jun 1, 2024 08:00 CDT"},
		{"period", `{"effectivePeriod":{"start":"2024-06-01T08:00:00-05:00","end":"2024-06-02T08:00:00-05:00"}}`, "Jun 1, 2024 08:00 – Jun 2, 2024 08:00"},
		{"period end only (Epic's smoking history)", `{"effectivePeriod":{"end":"2008-10-22"}}`, "until Oct 22, 2008"},
		{"period start only: ongoing", `{"effectivePeriod":{"start":"2008-10-22"}}`, "since Oct 22, 2008"},
		{"period start only with a time", `{"effectivePeriod":{"start":"2024-06-01T13:00:00Z"}}`, "since Jun 1, 2024 08:00 CDT"},
		{"issued when no effective, labelled", `{"issued":"2022-04-07T05:00:00Z"}`, "Issued Apr 7, 2022 00:00 CDT"},
		{"effective beats issued", `{"effectiveDateTime":"2022-04-06","issued":"2022-04-07T05:00:00Z"}`, "Apr 6, 2022"},
		{"nothing", `{}`, "Not recorded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ObservationRow(obsFrom(t, tt.js), loc, Links{}).When; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestObservationDetailKeepsComponents: components are listed beside a value, and beside a
// data-absent reason too, so an observation that says why it has no value of its own does not lose
// the components it does have.
func TestObservationDetailKeepsComponents(t *testing.T) {
	loc := chicago(t)
	tests := []struct{ name, js, wantValue, wantDetail string }{
		{"value and components", `{"valueString":"Former","component":[{"code":{"text":"Packs/day"},"valueQuantity":{"value":1}}]}`,
			"Former", "Packs/day: 1"},
		{"data absent and components", `{"dataAbsentReason":{"text":"Unable to obtain"},"component":[
			{"code":{"coding":[{"code":"8480-6"}],"text":"Systolic"},"valueQuantity":{"value":142,"unit":"mm[Hg]"}}]}`,
			"Not recorded: Unable to obtain", "Systolic: 142 mm[Hg]"},
		{"components only: they are the value", `{"component":[{"code":{"text":"A"},"valueInteger":1}]}`, "A: 1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ObservationRow(obsFrom(t, tt.js), loc, Links{})
			if r.Value != tt.wantValue || r.Detail != tt.wantDetail {
				t.Errorf("got value %q detail %q, want %q, %q", r.Value, r.Detail, tt.wantValue, tt.wantDetail)
			}
		})
	}
}

func TestLooksNumeric(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"7.20", true}, {"<5", true}, {"≤ 0.01", true}, {"118/76", true}, {"1 : 160", true}, {"-2", true},
		{"Negative", false}, {"Former smoker", false}, {"5–7 h", false}, {"No growth at 5 days.", false},
		{views.NotRecorded + ": Patient refused", false}, {"", false}, {"—", false},
	} {
		if got := looksNumeric(tc.value); got != tc.want {
			t.Errorf("looksNumeric(%q) = %v, want %v", tc.value, got, tc.want)
		}
	}
}

// A row says whether its value reads as a number, for the table to align it.
func TestObservationRowNumeric(t *testing.T) {
	for js, want := range map[string]bool{
		`{"resourceType":"Observation","status":"final","valueQuantity":{"value":7.20,"unit":"%"}}`:  true,
		`{"resourceType":"Observation","status":"final","valueCodeableConcept":{"text":"Negative"}}`: false,
	} {
		if got := ObservationRow(obsFrom(t, js), time.UTC, Links{}).Numeric; got != want {
			t.Errorf("ObservationRow(%s).Numeric = %v, want %v", js, got, want)
		}
	}
}

// TestObservationRowNotes: each of Epic's comments on a result is its own line, with who wrote it
// and when if Epic says; two notes joined by a space ("Hemolyzed Repeat advised") read as one
// sentence, and the author and time were dropped.
func TestObservationRowNotes(t *testing.T) {
	loc, _ := time.LoadLocation("America/Chicago")
	o := obsFrom(t, `{"resourceType":"Observation","status":"final","code":{"text":"Potassium"},
		"valueQuantity":{"value":5.9,"unit":"mmol/L"},
		"note":[{"text":"Hemolyzed"},
			{"authorString":"J Smith","time":"2024-03-01T16:02:00Z","text":" Repeat advised "},
			{"authorReference":{"display":"Lab, Central"},"text":"Called to RN"},
			{"text":"   "}]}`)
	got := ObservationRow(o, loc, Links{}).Notes
	want := []string{"Hemolyzed", "Repeat advised (J Smith, Mar 1, 2024 10:02 CST)", "Called to RN (Lab, Central)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("notes = %q, want %q", got, want)
	}
}
