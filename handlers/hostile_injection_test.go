package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chartside/chartside/epic/sandbox"
)

// TestHostileMRNsAreRejectedBeforeEpic posts MRNs built to change the meaning of Epic's search
// (FHIR "or" and system separators, extra query parameters, NUL, path traversal, look-alike
// digits, control characters, very long strings). Each must come back as the form with a message
// next to the field, and none may produce a single request to the sandbox.
func TestHostileMRNsAreRejectedBeforeEpic(t *testing.T) {
	env := newHostileEnv(t, hostileOptions{})
	a := env.signedIn(hostileClinician)

	tests := []struct {
		name string
		mrn  string
	}{
		{"pipe: a second identifier system", "203713|other"},
		{"pipe alone", "|203713"},
		{"comma: FHIR or", "203713,203711"},
		{"ampersand: extra parameter", "203713&_id=erXuFYUfucBZaryVksYEcMg3"},
		{"percent-encoded ampersand", "203713%26_id%3Dx"},
		{"encoded NUL", "203713%00"},
		{"raw NUL", "203713\x00"},
		{"path traversal", "../Patient/erXuFYUfucBZaryVksYEcMg3"},
		{"encoded traversal", "..%2F..%2Fmetadata"},
		{"fullwidth digits", "２０３７１３"},
		{"Arabic-Indic digits", "٢٠٣٧١٣"},
		{"Cyrillic o in place of 0", "2о3713"},
		{"zero-width space", "2037\u200b13"},
		{"division slash", "203713\u2215x"},
		{"right-to-left override", "\u202e317302"},
		{"CRLF header injection", "203713\r\nX-Injected: 1"},
		{"inner space", "203713 203711"},
		{"HTML", `<script>alert(1)</script>`},
		{"SQL", `203713' OR '1'='1`},
		{"10 KB", strings.Repeat("1", 10<<10)},
		{"10 KB of pipes", strings.Repeat("|", 10<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.rec.take()
			r := a.form("/lookup", url.Values{"mrn": {tt.mrn}}, nil)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", r.StatusCode, r.body)
			}
			doc := parse(t, r.body)
			if msg := strings.TrimSpace(doc.Find(`[data-testid="mrn-error"]`).Text()); msg == "" {
				t.Errorf("no message next to the MRN field")
			}
			// The value is given back as typed (trimmed), inside the attribute, never as markup.
			if got, _ := doc.Find(`[data-testid="mrn-input"]`).Attr("value"); !sameText(got, tt.mrn) {
				t.Errorf("input value = %.60q, want the typed value", got)
			}
			if doc.Find("script:not([src])").Length() > 0 {
				t.Errorf("the page has an inline script")
			}
			for _, req := range env.rec.take() {
				if !strings.HasSuffix(req.Path, sandbox.TokenPath) {
					t.Errorf("the sandbox received %s %s?%.80s", req.Method, req.Path, req.RawQuery)
				}
			}
		})
	}
}

// TestMRNReachesEpicEncoded checks what the sandbox actually received for valid MRNs, including
// ones that look like something else: exactly one identifier parameter, MRN system and value
// intact, nothing added.
func TestMRNReachesEpicEncoded(t *testing.T) {
	env := newHostileEnv(t, hostileOptions{})
	a := env.signedIn(hostileClinician)
	for _, mrn := range []string{"203713", hostileMRN, "2O3713", "A-1-b", "  203713\t"} {
		env.rec.take()
		r := a.form("/lookup", url.Values{"mrn": {mrn}}, nil)
		if r.StatusCode >= 400 {
			t.Fatalf("lookup %q: status %d", mrn, r.StatusCode)
		}
		var patientSearches int
		for _, req := range env.rec.take() {
			if !strings.HasSuffix(req.Path, "/Patient") {
				continue
			}
			patientSearches++
			want := url.Values{"identifier": {sandbox.MRNSystem + "|" + strings.TrimSpace(mrn)}}
			if len(req.Query) != 1 || len(req.Query["identifier"]) != 1 || req.Query.Get("identifier") != want.Get("identifier") {
				t.Errorf("lookup %q: sandbox got query %q, want only identifier=%q", mrn, req.RawQuery, want.Get("identifier"))
			}
		}
		if patientSearches != 1 {
			t.Errorf("lookup %q: %d Patient searches, want 1", mrn, patientSearches)
		}
	}
}

// TestHostileQueryParametersStayParameters sends parameters that try to smuggle extra search
// parameters or another patient into Chartside's Observation and Encounter searches (analyte code,
// range, encounter id). What the sandbox receives must keep them as values of the one parameter
// they belong to, and the patient parameter must stay the session's patient.
func TestHostileQueryParametersStayParameters(t *testing.T) {
	env := newHostileEnv(t, hostileOptions{})
	a := env.signedIn(hostileClinician)
	chart := a.openHostileChart()

	codes := []string{
		"http://loinc.org|" + hostileLOINC + "&patient=erXuFYUfucBZaryVksYEcMg3",
		"http://loinc.org|" + hostileLOINC + "#frag",
		"x|y&_count=1000",
		"../../Patient/erXuFYUfucBZaryVksYEcMg3",
		"<svg onload=alert(1)>",
	}
	for _, code := range codes {
		env.rec.take()
		r := a.send(http.MethodGet, chart+"/analyte?"+url.Values{"code": {code}}.Encode(), nil, map[string]string{"HX-Request": "true"})
		if r.StatusCode >= 500 {
			t.Errorf("analyte %q: status %d", code, r.StatusCode)
		}
		if strings.Contains(r.body, "<svg onload") {
			t.Errorf("analyte %q: the code came back as markup", code)
		}
		for _, req := range env.rec.take() {
			if !strings.HasSuffix(req.Path, "/Observation") {
				if !strings.HasSuffix(req.Path, sandbox.TokenPath) {
					t.Errorf("analyte %q: unexpected request %s %s", code, req.Method, req.RawPath)
				}
				continue
			}
			if req.Query.Get("sessionID") != "" {
				continue // a next page: Epic's opaque session, nothing of ours
			}
			if got := req.Query["patient"]; len(got) != 1 || got[0] != hostilePatientID {
				t.Errorf("analyte %q: patient = %q, want [%q] (query %q)", code, got, hostilePatientID, req.RawQuery)
			}
			if got := req.Query["code"]; len(got) != 1 || got[0] != code {
				t.Errorf("analyte %q: code = %q (query %q)", code, got, req.RawQuery)
			}
			for k := range req.Query {
				switch k {
				case "patient", "code", "date", "_count":
				default:
					t.Errorf("analyte %q: smuggled parameter %q reached Epic (query %q)", code, k, req.RawQuery)
				}
			}
		}
	}

	// The encounter's path segment is a reference sealed for the session: anything else, whatever
	// it holds, is a 404 and reaches Epic in no form.
	for _, id := range []string{"..%2F..%2Fmetadata", "x%26patient%3Dother", "%3Cscript%3E"} {
		env.rec.take()
		r := a.send(http.MethodGet, chart+"/encounters/"+id, nil, map[string]string{"HX-Request": "true"})
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("encounter %q: status %d, want 404", id, r.StatusCode)
		}
		for _, req := range env.rec.take() {
			if strings.Contains(req.RawQuery, "metadata") || strings.Contains(req.RawPath, "metadata") || req.Query.Get("patient") != "" && req.Query.Get("patient") != hostilePatientID {
				t.Errorf("encounter %q: sandbox got %s %s?%s", id, req.Method, req.RawPath, req.RawQuery)
			}
		}
	}
}

// sameText compares a value read back from HTML with what was typed: HTML parsing turns CR LF into
// LF and NUL into U+FFFD, and the form trims surrounding space.
func sameText(parsed, typed string) bool {
	typed = strings.NewReplacer("\r\n", "\n", "\x00", "\uFFFD").Replace(strings.TrimSpace(typed))
	return parsed == typed
}
