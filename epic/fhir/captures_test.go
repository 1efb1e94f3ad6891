package fhir

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

const capturesDir = "../sandbox/captures"

// generic decodes JSON keeping numbers as written, for exact comparisons.
func generic(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("generic decode: %v", err)
	}
	return v
}

// roundTrip decodes raw into a fresh T, re-encodes it and requires the result to equal raw
// field for field: every field Epic sent is modelled and kept exactly.
func roundTrip[T any](t *testing.T, name string, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: decode: %v", name, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: encode: %v", name, err)
	}
	if got, want := generic(t, out), generic(t, raw); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: round trip differs\n got: %s\nwant: %s", name, out, raw)
	}
	return v
}

func roundTripResource(t *testing.T, name string, raw json.RawMessage) {
	t.Helper()
	var head struct{ ResourceType string }
	if err := json.Unmarshal(raw, &head); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	switch head.ResourceType {
	case "Patient":
		roundTrip[Patient](t, name, raw)
	case "Encounter":
		roundTrip[Encounter](t, name, raw)
	case "Observation":
		roundTrip[Observation](t, name, raw)
	case "OperationOutcome":
		roundTrip[OperationOutcome](t, name, raw)
	default:
		t.Errorf("%s: unexpected resourceType %q", name, head.ResourceType)
	}
}

func TestCapturesDecodeAndRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(capturesDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures found in %s: %v", capturesDir, err)
	}
	seen := 0
	for _, f := range files {
		name := filepath.Base(f)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var head struct{ ResourceType string }
		if err := json.Unmarshal(raw, &head); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Run(name, func(t *testing.T) {
			switch head.ResourceType {
			case "Bundle":
				b := roundTrip[Bundle](t, name, raw)
				for i, e := range b.Entry {
					roundTripResource(t, name+"#"+strconv.Itoa(i), e.Resource)
				}
			case "CapabilityStatement":
				var cs CapabilityStatement
				if err := json.Unmarshal(raw, &cs); err != nil {
					t.Fatal(err)
				}
				if got := cs.OAuthURI("token"); !strings.HasSuffix(got, "/oauth2/token") {
					t.Errorf("token uri = %q", got)
				}
			case "":
				// smart-configuration and openid-configuration are not FHIR; the epic package
				// decodes them.
				if !strings.Contains(name, "configuration") {
					t.Errorf("unexpected non-FHIR file")
				}
			default:
				roundTripResource(t, name, raw)
			}
		})
		seen++
	}
	if seen < 14 {
		t.Errorf("decoded %d captures, want all 14+", seen)
	}
}

func readBundle(t *testing.T, file string) *Bundle {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(capturesDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var b Bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestResourcesAndOutcomes(t *testing.T) {
	tests := []struct {
		file         string
		resourceType string
		wantMatches  int
		wantCodes    []string
	}{
		{"encounter-search-sandbox-camila-lopez.json", "Encounter", 10, []string{"59204"}},
		{"encounter-search-sandbox-derrick-lin.json", "Encounter", 1, []string{"59204"}},
		{"observation-search-laboratory-sandbox-camila-lopez.json", "Observation", 5, []string{"59204"}},
		{"observation-search-laboratory-sandbox-no-results-outcome.json", "Observation", 0, []string{"59204", "4101"}},
		{"observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json", "Observation", 5, []string{"59204"}},
		{"observation-search-social-history-apporchard.json", "Observation", 4, nil},
		{"patient-search-apporchard-with-outcome.json", "Patient", 1, []string{"59100"}},
		{"patient-search-multiple-identifiers-apporchard.json", "Patient", 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := readBundle(t, tt.file)
			var n int
			var err error
			switch tt.resourceType {
			case "Patient":
				var v []Patient
				v, err = Resources[Patient](b, "Patient")
				n = len(v)
			case "Encounter":
				var v []Encounter
				v, err = Resources[Encounter](b, "Encounter")
				n = len(v)
			case "Observation":
				var v []Observation
				v, err = Resources[Observation](b, "Observation")
				n = len(v)
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.wantMatches {
				t.Errorf("matches = %d, want %d", n, tt.wantMatches)
			}
			oos, err := b.Outcomes()
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, oo := range oos {
				for _, is := range oo.Issue {
					codes = append(codes, is.EpicCode())
				}
			}
			if !reflect.DeepEqual(codes, tt.wantCodes) {
				t.Errorf("outcome codes = %v, want %v", codes, tt.wantCodes)
			}
		})
	}
}

func TestPagingLinkAndExactValues(t *testing.T) {
	b := readBundle(t, "observation-search-social-history-paging-apporchard.json")
	if got := b.LinkURL("next"); !strings.Contains(got, "sessionID=10-57E8BB9A4D4211EC94270050568B7BE6") {
		t.Errorf("next = %q", got)
	}
	if got := b.LinkURL("self"); got != "" {
		t.Errorf("self = %q, want none", got)
	}

	vitals, err := Resources[Observation](readBundle(t, "observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json"), "Observation")
	if err != nil {
		t.Fatal(err)
	}
	var bp *Observation
	for i := range vitals {
		if vitals[i].Code.Text == "BP" {
			bp = &vitals[i]
		}
	}
	if bp == nil {
		t.Fatal("no BP observation")
	}
	sys, ok1 := bp.ComponentFor("8480-6")
	dia, ok2 := bp.ComponentFor("8462-4")
	if !ok1 || !ok2 {
		t.Fatal("BP lacks systolic/diastolic components")
	}
	if got, want := sys.ValueQuantity.Value.String()+"/"+dia.ValueQuantity.Value.String(), "118/76"; got != want {
		t.Errorf("BP = %s, want %s", got, want)
	}
	if got, want := bp.Effective().String(), "2026-04-24T21:10:19Z"; got != want {
		t.Errorf("effective = %s, want %s", got, want)
	}
	if !bp.HasCategory(CategoryVitalSigns) || bp.Kind() != ValueKindNone {
		t.Errorf("category/kind wrong: %v %q", bp.Category, bp.Kind())
	}
}

func TestQuantityKeepsDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"value":7.20,"unit":"mmol/L"}`, `{"value":7.20,"unit":"mmol/L"}`},
		{`{"value":0.0001}`, `{"value":0.0001}`},
		{`{"value":120}`, `{"value":120}`},
		{`{"value":-1.50e2}`, `{"value":-1.50e2}`},
	}
	for _, tt := range tests {
		var q Quantity
		if err := json.Unmarshal([]byte(tt.in), &q); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		got, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("round trip %s = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestPatientHelpers(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(capturesDir, "patient-read-sandbox-camila-lopez.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p Patient
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.IdentifierByType("EPI"); got != "203713" {
		t.Errorf("EPI = %q", got)
	}
	if got, _ := p.IdentifierValue("urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14"); got != "203713" {
		t.Errorf("by system = %q", got)
	}
	if n, _ := p.OfficialNameAt(time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC), time.UTC); n.Family != "Lopez" || n.Use != "official" {
		t.Errorf("name = %+v", n)
	}
	if y, m, d := p.BirthDate.Civil(); y != 1987 || m != 9 || d != 12 || p.BirthDate.String() != "1987-09-12" {
		t.Errorf("birthDate = %d-%d-%d %q", y, m, d, p.BirthDate)
	}
	if p.DeceasedBoolean == nil || *p.DeceasedBoolean {
		t.Errorf("deceasedBoolean = %v", p.DeceasedBoolean)
	}
}

func TestMarshalSetsResourceType(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{Patient{ID: "x"}, "Patient"},
		{Encounter{ID: "x"}, "Encounter"},
		{Observation{ID: "x"}, "Observation"},
		{OperationOutcome{}, "OperationOutcome"},
		{Bundle{Type: "searchset"}, "Bundle"},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		var head struct{ ResourceType string }
		if err := json.Unmarshal(b, &head); err != nil {
			t.Fatal(err)
		}
		if head.ResourceType != tt.want {
			t.Errorf("%T resourceType = %q, want %q", tt.v, head.ResourceType, tt.want)
		}
	}
}
