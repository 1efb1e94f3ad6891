// Response encoding: content negotiation between FHIR JSON and XML, escaping, and the Bundle writer.

package sandbox

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/chartside/chartside/epic/fhir"
)

func TestContentNegotiation(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	tok := e.token()
	tests := []struct {
		path, accept, want string
	}{
		{"Patient/" + camilaID, "", "application/fhir+xml"},
		{"Patient/" + camilaID, "*/*", "application/fhir+xml"},
		{"Patient/" + camilaID, "text/html", "application/fhir+xml"},
		{"Patient/" + camilaID, "application/json", "application/fhir+json"},
		{"Patient/" + camilaID, "application/fhir+json", "application/fhir+json"},
		{"Patient/" + camilaID + "?_format=json", "", "application/fhir+json"},
		{"Observation?patient=" + camilaID, "", "application/fhir+xml"},
		{"metadata", "", "application/fhir+xml"},
		{"metadata", "application/json", "application/fhir+json"},
		{".well-known/smart-configuration", "", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.accept, func(t *testing.T) {
			resp, body := e.get(tok, tt.path, tt.accept)
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, tt.want) {
				t.Fatalf("Content-Type = %q, want %s", got, tt.want)
			}
			if strings.Contains(tt.want, "xml") && !strings.Contains(string(body), `xmlns="http://hl7.org/fhir"`) {
				t.Errorf("not FHIR XML: %.200s", body)
			}
		})
	}
	// The XML keeps values and escapes them.
	_, body := e.get(tok, "Patient/"+camilaID, "")
	for _, want := range []string{`<Patient xmlns="http://hl7.org/fhir">`, `<id value="erXuFYUfucBZaryVksYEcMg3"/>`, `<family value="Lopez"/>`, `url="http://open.epic.com/FHIR/StructureDefinition/extension/legal-sex"`, `&#xD;&#xA;`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("XML lacks %s", want)
		}
	}
	// Discovery points at the sandbox itself.
	_, body = e.get("", ".well-known/smart-configuration", "")
	if !strings.Contains(string(body), `"token_endpoint":"`+e.tokenURL()+`"`) {
		t.Errorf("smart-configuration token endpoint: %s", body)
	}
	_, body = e.get("", "metadata", fhirJSON)
	var cs fhir.CapabilityStatement
	if err := json.Unmarshal(body, &cs); err != nil || cs.OAuthURI("token") != e.tokenURL() {
		t.Errorf("metadata oauth token uri = %q (%v)", cs.OAuthURI("token"), err)
	}
}

// TestHTMLNamesStayIntact: hostile names are data; JSON carries them exactly and XML escapes them.
func TestHTMLNamesStayIntact(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	tok := e.token()
	id := findByMRN(t, e.sb, "400007")
	_, body := e.get(tok, "Patient/"+id, fhirJSON)
	var p fhir.Patient
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Name[0].Family != "<script>alert(1)</script>" {
		t.Errorf("family = %q", p.Name[0].Family)
	}
	_, body = e.get(tok, "Patient/"+id, "")
	if strings.Contains(string(body), "<script>") || !strings.Contains(string(body), "&lt;script&gt;") {
		t.Errorf("XML does not escape: %.500s", body)
	}
}

// TestEncodeBundleMatchesMarshal: the sandbox's Bundle writer (resources copied verbatim) says
// exactly what json.Marshal says, member for member.
func TestEncodeBundleMatchesMarshal(t *testing.T) {
	total := 2
	b := fhir.Bundle{Type: "searchset", Total: &total, Link: []fhir.BundleLink{{Relation: "self", URL: "http://x/Observation?patient=1"}}}
	b.Entry = []fhir.BundleEntry{
		{Link: []fhir.BundleLink{{Relation: "self", URL: "http://x/Observation/1"}}, FullURL: "http://x/Observation/1",
			Resource: json.RawMessage(`{"resourceType":"Observation","id":"1","status":"final"}`), Search: &fhir.BundleSearch{Mode: "match"}},
		{FullURL: "urn:uuid:1", Resource: json.RawMessage(`{"resourceType":"OperationOutcome","issue":[]}`), Search: &fhir.BundleSearch{Mode: "outcome"}},
		{FullURL: "urn:uuid:2"},
		{Resource: json.RawMessage(`{"resourceType":"Patient"}`)},
		{Link: []fhir.BundleLink{{Relation: "self", URL: `http://x/a?b=1&c="d"`}, {Relation: "alternate", URL: "http://x/é\u2028"}},
			Search: &fhir.BundleSearch{Mode: "match", Score: "0.5"}},
		{Search: &fhir.BundleSearch{}},
	}
	got, err := encodeBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("encodeBundle wrote invalid JSON: %v\n%s", err, got)
	}
	_ = json.Unmarshal(want, &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("encodeBundle:\n%s\njson.Marshal:\n%s", got, want)
	}
	empty, _ := encodeBundle(fhir.Bundle{Type: "searchset"})
	if want, _ := json.Marshal(fhir.Bundle{Type: "searchset"}); !bytes.Equal(empty, want) {
		t.Errorf("empty Bundle: %s, want %s", empty, want)
	}
}
