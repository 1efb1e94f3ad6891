package present

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

func patientFrom(t *testing.T, js string) fhir.Patient {
	t.Helper()
	var p fhir.Patient
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatalf("decode patient: %v", err)
	}
	return p
}

func TestBanner(t *testing.T) {
	now := time.Date(2026, 4, 28, 3, 0, 0, 0, time.UTC) // still Apr 27 in Chicago
	chi := chicago(t)
	tests := []struct {
		name string
		js   string
		want views.Banner
	}{
		{
			name: "nothing recorded",
			js:   `{}`,
			want: views.Banner{Name: "Not recorded", MRN: "Not recorded", BirthDate: "Not recorded", Sex: "Not recorded",
				Phone: "Not recorded", Language: "Not recorded", PCP: "Not recorded"},
		},
		{
			name: "age uses the clinic's today",
			js: `{"name":[{"family":"Doe","given":["Jane","Q"]}],"identifier":[{"system":"urn:mrn","value":"X1"},{"system":"urn:other","value":"Z9"}],
				"birthDate":"2000-04-28","gender":"unknown","telecom":[{"system":"phone","value":"555","rank":2},{"system":"phone","value":"777","use":"home","rank":1}]}`,
			want: views.Banner{Name: "Jane Q Doe", MRN: "X1", BirthDate: "Apr 28, 2000", Age: "25 y", Sex: "Unknown",
				OtherIDs: []views.IDRow{{Label: "urn:other", Value: "Z9"}},
				Phone:    "777 (home)", Language: "Not recorded", PCP: "Not recorded"},
		},
		{
			// A second MRN (another value in the MRN system) is listed, not hidden behind the first.
			name: "second MRN listed among other identifiers",
			js:   `{"identifier":[{"system":"urn:mrn","value":"X1"},{"system":"urn:mrn","value":" X1 "},{"system":"urn:mrn","type":{"text":"MRN"},"value":"X2"}]}`,
			want: views.Banner{Name: "Not recorded", MRN: "X1", BirthDate: "Not recorded", Sex: "Not recorded",
				OtherIDs: []views.IDRow{{Label: "MRN", Value: "X2"}},
				Phone:    "Not recorded", Language: "Not recorded", PCP: "Not recorded"},
		},
		{
			name: "deceased with date: age at death",
			js:   `{"name":[{"text":"A B"}],"birthDate":"1950-06-01","deceasedDateTime":"2020-05-31"}`,
			want: views.Banner{Name: "A B", MRN: "Not recorded", BirthDate: "Jun 1, 1950", Age: "69 y", Sex: "Not recorded",
				Deceased: true, DeceasedDate: "May 31, 2020", Phone: "Not recorded", Language: "Not recorded", PCP: "Not recorded"},
		},
		{
			name: "deceased without date: no age",
			js:   `{"name":[{"text":"A B"}],"birthDate":"1950","deceasedBoolean":true}`,
			want: views.Banner{Name: "A B", MRN: "Not recorded", BirthDate: "1950", Sex: "Not recorded",
				Deceased: true, Phone: "Not recorded", Language: "Not recorded", PCP: "Not recorded"},
		},
		{
			name: "address from parts, ended address skipped, preferred language",
			js: `{"address":[{"use":"home","line":["1 Old Rd"],"period":{"end":"2020-01-01"}},{"use":"work","line":["2 New St"],"city":"Austin","state":"TX","postalCode":"78701"}],
				"communication":[{"language":{"text":"English"}},{"language":{"text":"Spanish"},"preferred":true}]}`,
			want: views.Banner{Name: "Not recorded", MRN: "Not recorded", BirthDate: "Not recorded", Sex: "Not recorded",
				Address: []string{"2 New St", "Austin TX 78701"}, Phone: "Not recorded", Language: "Spanish", PCP: "Not recorded"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Banner(patientFrom(t, tt.js), "urn:mrn", now, chi)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	p := patientFrom(t, `{"id":"abc","name":[{"use":"official","text":"<script>x</script>"}],"birthDate":"1970-03","gender":"male",
		"identifier":[{"type":{"text":"MRN"},"value":"42"},{"type":{"text":"CEID"},"value":"C1"}]}`)
	got := Match(p, "MRN", time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC), time.UTC)
	want := views.MatchRow{Choice: "abc", Name: "<script>x</script>", BirthDate: "Mar 1970", Sex: "Male",
		Identifiers: []views.IDRow{{Label: "MRN", Value: "42"}, {Label: "CEID", Value: "C1"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// A Social Security number is shown by its last four digits only, in the banner and in the list of
// patients an MRN matched; every other identifier is shown as sent.
func TestSSNMasked(t *testing.T) {
	patients := bundleOf[fhir.Patient](t, "patient-search-multiple-identifiers-apporchard.json", "Patient")
	if len(patients) == 0 {
		t.Fatal("no patients in the capture")
	}
	p := patients[0]
	rows := map[string]string{}
	for _, id := range Match(p, "MRN", time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC), time.UTC).Identifiers {
		rows[id.Label] = id.Value
	}
	if rows["SSN"] != "***-**-5316" {
		t.Errorf("match row SSN = %q, want ***-**-5316", rows["SSN"])
	}
	if rows["MRN"] != "202497" || rows["EPIC"] != "E2731" {
		t.Errorf("match row MRN/EPIC = %q/%q, want 202497/E2731", rows["MRN"], rows["EPIC"])
	}
	b := Banner(p, "MRN", time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC), time.UTC)
	for _, id := range b.OtherIDs {
		if strings.Contains(id.Value, "391-50") || strings.Contains(id.Value, "391505316") {
			t.Errorf("banner shows the whole SSN: %+v", id)
		}
	}
	tests := map[string]string{"391-50-5316": "***-**-5316", "391505316": "***-**-5316", "12": "***-**-****", "": "***-**-****"}
	for in, want := range tests {
		if got := maskSSN(in); got != want {
			t.Errorf("maskSSN(%q) = %q, want %q", in, got, want)
		}
	}
}

// The banner names the patient by the legal name and, beside it, by the name they go by when that
// differs: Allison Mychart goes by Ali (App Orchard capture); Camila Lopez's usual name is her legal
// name, so nothing is added. A preferred name that has ended, or not yet begun, is not shown.
func TestPreferredName(t *testing.T) {
	now := time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC)
	patients := bundleOf[fhir.Patient](t, "patient-search-multiple-identifiers-apporchard.json", "Patient")
	b := Banner(patients[0], "MRN", now, time.UTC)
	if b.Name != "Allison Mychart" || b.Preferred != "Ali Mychart" {
		t.Errorf("App Orchard patient: name %q, preferred %q; want Allison Mychart, preferred Ali Mychart", b.Name, b.Preferred)
	}
	var camila fhir.Patient
	readJSON(t, "patient-read-sandbox-camila-lopez.json", &camila)
	if b := Banner(camila, "EPI", now, time.UTC); b.Name != "Camila Maria Lopez" || b.Preferred != "" {
		t.Errorf("Camila Lopez: name %q, preferred %q; want no preferred name (same as legal)", b.Name, b.Preferred)
	}
	tests := []struct{ name, names, want string }{
		{"nickname", `[{"use":"official","text":"Robert Smith"},{"use":"nickname","given":["Bob"]}]`, "Bob"},
		{"usual before nickname", `[{"use":"official","text":"Robert Smith"},{"use":"nickname","text":"Bobby"},{"use":"usual","text":"Bob Smith"}]`, "Bob Smith"},
		{"usual same as legal, nickname differs", `[{"use":"official","text":"Robert Smith"},{"use":"usual","text":"ROBERT SMITH"},{"use":"nickname","text":"Bob"}]`, "Bob"},
		{"ended preferred name", `[{"use":"official","text":"Robert Smith"},{"use":"usual","text":"Bob Smith","period":{"end":"2020-01-01"}}]`, ""},
		{"preferred name ending next month", `[{"use":"official","text":"Robert Smith"},{"use":"usual","text":"Bob Smith","period":{"end":"2026-05-31"}}]`, "Bob Smith"},
		{"preferred name starting next month", `[{"use":"official","text":"Robert Smith"},{"use":"usual","text":"Bob Smith","period":{"start":"2026-05-01"}}]`, ""},
		{"usual shown as the name", `[{"use":"old","text":"Robert Jones"},{"use":"usual","text":"Robert Smith"}]`, ""},
		{"no names", `[]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PreferredName(patientFrom(t, `{"name":`+tt.names+`}`), now, time.UTC); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// The banner's other identifiers are the ones staff may be asked for, labelled: on the real
// captures that is the enterprise ID, Care Everywhere ID, SSN (masked) and payer member IDs, and
// not Epic's record keys (the DSTU2/STU3 FHIR ids, the INTERNAL/EXTERNAL patient record ID, the
// MyChart account's record ID) nor the patient's MyChart login. An identifier Chartside does not
// know is listed under Epic's name for it, and nothing in the MRN system is ever left out.
func TestBannerIdentifiers(t *testing.T) {
	now := time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC)
	var camila fhir.Patient
	readJSON(t, "patient-read-sandbox-camila-lopez.json", &camila)
	allison := bundleOf[fhir.Patient](t, "patient-search-multiple-identifiers-apporchard.json", "Patient")[0]
	tests := []struct {
		name      string
		p         fhir.Patient
		mrnSystem string
		want      []views.IDRow
	}{
		{"Camila Lopez (fhir.epic.com)", camila, "EPI", []views.IDRow{{Label: "CEID", Value: "FHRLBVD2TLZS69Z"}, {Label: "EPIC", Value: "E4007"}}},
		{"Allison Mychart (App Orchard)", allison, "MRN", []views.IDRow{{Label: "SSN", Value: "***-**-5316"}, {Label: "EPIC", Value: "E2731"},
			{Label: "Payer member ID", Value: "987654321A"}, {Label: "Payer member ID", Value: "BC654"}}},
		{"unknown identifier kept, a second MRN kept even with an Epic record key's type", patientFrom(t, `{"identifier":[
			{"system":"urn:mrn","value":"X1"},{"system":"urn:mrn","type":{"text":"INTERNAL"},"value":"X2"},
			{"system":"urn:oid:1.2.3","type":{"text":"MEDICAID"},"value":"M77"},{"system":"urn:oid:9.9","value":"Q1"},
			{"system":"urn:oid:2.16.840.1.113883.4.1","value":"123-45-6789"}]}`), "urn:mrn",
			[]views.IDRow{{Label: "INTERNAL", Value: "X2"}, {Label: "MEDICAID", Value: "M77"}, {Label: "urn:oid:9.9", Value: "Q1"}, {Label: "SSN", Value: "***-**-6789"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Banner(tt.p, tt.mrnSystem, now, time.UTC)
			if !reflect.DeepEqual(b.OtherIDs, tt.want) {
				t.Errorf("other identifiers:\n got %+v\nwant %+v", b.OtherIDs, tt.want)
			}
		})
	}
	// The lookup's match rows follow the same rule: no MyChart login on the list of patients.
	for _, id := range Match(allison, "MRN", now, time.UTC).Identifiers {
		if id.Value == "MYCHARTALLISON" || id.Label == "FHIR STU3" {
			t.Errorf("match row lists %+v", id)
		}
	}
}
