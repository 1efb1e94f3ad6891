package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// keyPaths lists every key path of a JSON document, arrays collapsed to [] ("entry[].resource.id").
// Bundles are walked per resource type so entries of different kinds do not blur together.
func keyPaths(t *testing.T, raw []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("keyPaths: %v: %.200s", err, raw)
	}
	out := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if rt, ok := x["resourceType"].(string); ok && prefix != "" {
				prefix += "<" + rt + ">"
			}
			for k, child := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				out[p] = true
				walk(p, child)
			}
		case []any:
			for _, child := range x {
				walk(prefix+"[]", child)
			}
		}
	}
	walk("", v)
	return out
}

func diff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// TestCaptureShapes compares the key structure of every captured Epic response with the sandbox's
// answer to the same request. Camila Lopez and Derrick Lin are built from their captures, so their
// answers must have exactly the captured structure; for the App Orchard captures (other patients),
// every key Epic sent must also be in the sandbox's answer.
func TestCaptureShapes(t *testing.T) {
	e := newEnv(t, Options{Patients: 2})
	tok := e.token()
	teddy := findByMRN(t, e.sb, "400001") // a current smoker with a social-documentation note
	tests := []struct {
		capture, path string
		exact         bool
		ignore        []string // capture-only keys the sandbox legitimately lacks
	}{
		{"patient-read-sandbox-camila-lopez.json", "Patient/" + camilaID, true, nil},
		{"encounter-search-sandbox-camila-lopez.json", "Encounter?patient=" + camilaID, true, nil},
		{"encounter-search-sandbox-derrick-lin.json", "Encounter?patient=" + derrickID + "&date=lt2020-01-01", true, nil},
		{"observation-search-laboratory-sandbox-camila-lopez.json", "Observation?category=laboratory&patient=" + camilaID, true, nil},
		{"observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json", "Observation?category=vital-signs&patient=" + camilaID, true, nil},
		{"observation-search-laboratory-sandbox-no-results-outcome.json", "Observation?category=laboratory&patient=" + derrickID, true, nil},
		{"error-patient-read-not-found-404.json", "Patient/nobody", true, nil},
		{"error-patient-search-unknown-param-400.json", "Patient?totally-bogus-param=foo", true, nil},
		{"smart-configuration-r4-sandbox.json", ".well-known/smart-configuration", true, nil},
		{"metadata-r4-capabilitystatement-sandbox.json", "metadata", true, nil},
		{"openid-configuration-sandbox.json", e.srv.URL + OpenIDConfigPath, true, nil},
		// App Orchard captures of other patients: Epic's keys must all be present.
		{"patient-search-apporchard-with-outcome.json", "Patient?_id=" + camilaID + "&family=Lopez", false,
			[]string{"entry[].resource<Patient>.extension[].extension[].valueString", "entry[].resource<Patient>.extension[].valueCode"}},
		{"patient-search-multiple-identifiers-apporchard.json", "Patient?identifier=" + url.QueryEscape("|E4007,|203711"), false,
			[]string{"entry[].resource<Patient>.contact", "entry[].resource<Patient>.extension[].extension[].valueString", "entry[].resource<Patient>.extension[].valueCode", "entry[].resource<Patient>.extension[].extension", "entry[].resource<Patient>.extension[].extension[].url", "entry[].resource<Patient>.extension[].extension[].valueCoding"}},
		{"observation-search-social-history-apporchard.json", "Observation?patient=" + teddy + "&category=social-history", false,
			[]string{"entry[].resource<Observation>.component[].valueQuantity.system", "entry[].resource<Observation>.effectivePeriod.end"}},
		{"observation-search-social-history-paging-apporchard.json", "Observation?patient=" + teddy + "&category=social-history&_count=2", false,
			[]string{"entry[].resource<Observation>.valueString"}}, // the structure of interest here is the next link
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			want, err := readCapture(tt.capture)
			if err != nil {
				t.Fatal(err)
			}
			resp, got := e.get(tok, tt.path, fhirJSON)
			if resp.StatusCode >= 500 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			gp, wp := keyPaths(t, got), keyPaths(t, want)
			for _, k := range tt.ignore {
				delete(wp, k)
			}
			if missing := diff(wp, gp); len(missing) > 0 {
				t.Errorf("sandbox lacks captured keys:\n  %s", strings.Join(missing, "\n  "))
			}
			if tt.exact {
				if extra := diff(gp, wp); len(extra) > 0 {
					t.Errorf("sandbox adds keys the capture lacks:\n  %s", strings.Join(extra, "\n  "))
				}
			}
		})
	}
	_ = http.StatusOK
}
