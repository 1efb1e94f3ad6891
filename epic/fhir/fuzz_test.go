package fhir

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// addCaptureSeeds seeds a fuzz target with every captured Epic response: the fuzzer starts from
// what Epic really sends and mutates from there.
func addCaptureSeeds(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join(capturesDir, "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no captures in %s: %v", capturesDir, err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
}

// FuzzDecodeBundle decodes arbitrary bytes as a search page (Bundle, then its resources and
// outcomes) and uses every accessor the presenters use. Nothing may panic, a decoded Observation
// must survive a JSON round trip unchanged (what Chartside re-encodes, e.g. into the sandbox, is
// what it read), and the one-pass SearchPage the Epic client decodes must give what the Bundle
// path gives.
func FuzzDecodeBundle(f *testing.F) {
	addCaptureSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var b Bundle
		if err := json.Unmarshal(raw, &b); err != nil {
			return
		}
		_ = b.LinkURL("next")
		for _, e := range b.Entry {
			_, _ = e.Mode(), e.ResourceType()
		}
		if oos, err := b.Outcomes(); err == nil {
			for _, oo := range oos {
				_ = oo.Text()
				for _, i := range oo.Issue {
					_, _ = i.EpicCode(), i.Text()
				}
			}
		}
		if obs, err := Resources[Observation](&b, "Observation"); err == nil {
			for _, o := range obs {
				useObservation(t, o)
			}
		}
		if pats, err := Resources[Patient](&b, "Patient"); err == nil {
			for _, p := range pats {
				now := time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC)
				_, _ = p.OfficialNameAt(now, time.UTC)
				for _, a := range p.Address {
					_ = a.Period.InEffectAt(now, time.UTC)
				}
				for _, cp := range p.Telecom {
					_ = cp.Period.InEffectAt(now, time.UTC)
				}
				_, _ = p.IdentifierByType("MR")
				if _, err := json.Marshal(p); err != nil {
					t.Fatalf("re-encode Patient: %v", err)
				}
			}
		}
		if encs, err := Resources[Encounter](&b, "Encounter"); err == nil {
			for _, e := range encs {
				if _, err := json.Marshal(e); err != nil {
					t.Fatalf("re-encode Encounter: %v", err)
				}
			}
		}
		if _, err := json.Marshal(b); err != nil {
			t.Fatalf("re-encode Bundle: %v", err)
		}
		// The one-pass decoder the Epic client uses agrees with the Bundle path.
		checkSearchPage[Observation](t, "fuzz input", raw, "Observation")
		checkSearchPage[Encounter](t, "fuzz input", raw, "Encounter")
	})
}

// FuzzDecodeObservation decodes one Observation (the resource the charts, tables and trend
// graphs are built from) from arbitrary bytes.
func FuzzDecodeObservation(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Observation","status":"final","code":{"text":"BP"},"effectiveDateTime":"2024-03-01T10:00:00Z","component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mm[Hg]"}}]}`,
		`{"resourceType":"Observation","code":{},"valueRange":{"low":{"value":1},"high":{"value":2}},"effectivePeriod":{"start":"2024"}}`,
		`{"resourceType":"Observation","code":{"coding":[{"code":"2345-7"}]},"valueQuantity":{"value":1e400,"comparator":"<"}}`,
		`{"resourceType":"Observation","code":{"text":"<script>"},"valueString":"\u0000\u202e","valueRatio":{"numerator":{"value":1},"denominator":{"value":0}}}`,
		`{"resourceType":"Observation","code":{},"valueBoolean":true,"valueInteger":-9223372036854775808,"issued":"2016-12-31T23:59:60Z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var o Observation
		if err := Unmarshal(raw, &o); err != nil { // what the Epic client decodes with
			return
		}
		useObservation(t, o)
	})
}

// useObservation calls what the presenters call and checks the JSON round trip.
func useObservation(t *testing.T, o Observation) {
	t.Helper()
	_ = o.Effective()
	_ = o.Kind()
	_ = o.Code.Label()
	_ = o.HasCategory(CategoryLaboratory)
	_, _ = o.ComponentFor("8480-6")
	for _, c := range o.Component {
		_, _ = c.Kind(), c.Code.Label()
	}
	b1, err := json.Marshal(o)
	if err != nil {
		t.Fatalf("re-encode Observation: %v", err)
	}
	var back Observation
	if err := json.Unmarshal(b1, &back); err != nil {
		t.Fatalf("decode re-encoded Observation: %v\n%s", err, b1)
	}
	b2, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("Observation JSON not stable:\n%s\n%s", b1, b2)
	}
}

// FuzzPeekResourceType: the fast path agrees with a full decode of resourceType. Objects that
// repeat the member (or spell it with escapes) are skipped: for those the first member is read,
// where encoding/json keeps the last.
func FuzzPeekResourceType(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Bundle","type":"searchset"}`, ` { "resourceType" : "Observation" }`,
		`{"id":"1","resourceType":"Patient"}`, `{"resourceType":"Obs\u0065rvation"}`, `{"resourceType":""}`,
		`{"resourceType":1}`, `["resourceType"]`, `{"resourceType":"Bundle"`, `{"resourcetype":"Patient"}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := PeekResourceType(raw)
		if bytes.Count(bytes.ToLower(raw), []byte("resourcetype")) > 1 || bytes.IndexByte(raw, '\\') >= 0 {
			return
		}
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			// Invalid JSON: the fast path may still read a leading type; a full decode of the
			// resource reports the error later.
			return
		}
		if got != head.ResourceType {
			t.Errorf("PeekResourceType(%q) = %q, full decode %q", raw, got, head.ResourceType)
		}
	})
}
