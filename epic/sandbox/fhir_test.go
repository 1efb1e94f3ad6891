package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

func decodeBundle(t *testing.T, body []byte) fhir.Bundle {
	t.Helper()
	var b fhir.Bundle
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("bundle: %v: %.300s", err, body)
	}
	return b
}

func matches(b fhir.Bundle) int {
	n := 0
	for _, e := range b.Entry {
		if e.Mode() == fhir.SearchModeMatch {
			n++
		}
	}
	return n
}

func epicCodes(t *testing.T, b fhir.Bundle) []string {
	t.Helper()
	oos, err := b.Outcomes()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, oo := range oos {
		for _, is := range oo.Issue {
			out = append(out, is.EpicCode())
		}
	}
	return out
}

func outcomeCodes(t *testing.T, body []byte) []string {
	t.Helper()
	var oo fhir.OperationOutcome
	if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" {
		t.Fatalf("not an OperationOutcome: %v %.300s", err, body)
	}
	var out []string
	for _, is := range oo.Issue {
		out = append(out, is.EpicCode())
	}
	return out
}

func TestPatientSearch(t *testing.T) {
	e := newEnv(t, Options{Patients: 3})
	tok := e.token()
	tests := []struct {
		query     string
		wantCount int
		wantCodes []string
	}{
		{"identifier=" + url.QueryEscape(MRNSystem+"|203713"), 1, nil},
		{"identifier=" + url.QueryEscape("MRN|203713"), 1, nil},
		{"identifier=" + url.QueryEscape("EPI|203713"), 1, nil},
		{"identifier=203713", 1, nil},
		{"identifier=" + url.QueryEscape("|E4007"), 1, nil},
		{"identifier=" + url.QueryEscape("MRN|203713,MRN|203711"), 2, nil},
		{"identifier=" + url.QueryEscape("MRN|400004"), 2, nil}, // two patients share this MRN
		{"identifier=" + url.QueryEscape("MRN|999999"), 0, []string{"4101"}},
		{"identifier=" + url.QueryEscape("urn:oid:1.2.3|203713"), 0, []string{"4101"}},
		{"family=Lopez", 0, []string{"4101"}}, // one demographic alone finds nothing, without error
		{"family=lop&given=cam&birthdate=1987-09-12", 1, nil},
		{"_id=" + camilaID + "&family=Nobody", 1, []string{"59100"}},
		{"identifier=" + url.QueryEscape("MRN|203713") + "&totally-bogus=1", 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := e.get(tok, "Patient?"+tt.query, fhirJSON)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			b := decodeBundle(t, body)
			if got := matches(b); got != tt.wantCount || *b.Total != tt.wantCount {
				t.Errorf("matches = %d, total = %d, want %d", got, *b.Total, tt.wantCount)
			}
			if got := strings.Join(epicCodes(t, b), ","); got != strings.Join(tt.wantCodes, ",") {
				t.Errorf("outcome codes = %q, want %q", got, tt.wantCodes)
			}
		})
	}
}

func TestSearchErrors(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	tok := e.token()
	tests := []struct {
		path      string
		status    int
		wantCodes []string
	}{
		{"Patient?totally-bogus-param=foo", 400, []string{"59100", "59159"}},
		{"Patient", 400, []string{"59159"}},
		{"Observation?patient=" + camilaID, 400, []string{"59108"}},
		{"Observation?category=laboratory", 400, []string{"59159"}},
		{"Observation?patient=" + camilaID + "&category=labresults", 400, []string{"59111"}},
		{"Observation?patient=" + camilaID + "&category=laboratory&date=notadate", 400, []string{"59111"}},
		{"Encounter?status=finished", 400, []string{"59159"}},
		{"Encounter?class=AMB", 400, []string{"59111"}},
		{"Encounter?patient=" + camilaID + "&_count=0", 400, []string{"59111"}},
		{"Patient/doesnotexist", 404, []string{"59008"}},
		{"Observation?sessionID=17-DEADBEEF", 400, []string{"4113"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := e.get(tok, tt.path, fhirJSON)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if got := strings.Join(outcomeCodes(t, body), ","); got != strings.Join(tt.wantCodes, ",") {
				t.Errorf("codes = %q, want %q", got, tt.wantCodes)
			}
		})
	}
	// Observation without category or code says so in Epic's words.
	_, body := e.get(tok, "Observation?patient="+camilaID, fhirJSON)
	if !strings.Contains(string(body), "Must have either code or category.") {
		t.Errorf("missing Epic's message: %s", body)
	}
	// Unknown resource types are IIS's HTML 404, not FHIR.
	resp, body := e.get(tok, "Spaceship?patient="+camilaID, fhirJSON)
	if resp.StatusCode != 404 || !strings.Contains(string(body), "404 - File or directory not found.") {
		t.Errorf("unknown type: %d %.100s", resp.StatusCode, body)
	}
}

func TestNotFoundMatchesCapture(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	_, body := e.get(e.token(), "Patient/doesnotexist", fhirJSON)
	want, _ := readCapture("error-patient-read-not-found-404.json")
	var got, w any
	_ = json.Unmarshal(body, &got)
	_ = json.Unmarshal(want, &w)
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("404 body\n got %s\nwant %s", gb, wb)
	}
}

func TestEncounterDateFilters(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	tok := e.token()
	tests := []struct {
		query string
		want  int
	}{
		{"", 10},
		{"&date=ge2023-06-01", 7},
		{"&date=ge2023-06-01&date=le2023-06-02", 5},
		{"&date=lt2023-01-01", 2},
		{"&date=eq2019-05-28", 1},
		{"&date=gt2023-06-06", 3}, // three encounters have no end yet
		{"&date=2019", 2},
		{"&class=13", 6},
		{"&identifier=29547", 1},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := e.get(tok, "Encounter?patient="+camilaID+tt.query, fhirJSON)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d %s", resp.StatusCode, body)
			}
			if got := matches(decodeBundle(t, body)); got != tt.want {
				t.Errorf("matches = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestObservationSearch(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	tok := e.token()
	long := findByMRN(t, e.sb, "400003")
	tests := []struct {
		query     string
		wantMin   int
		wantMax   int
		wantCodes string
	}{
		{"patient=" + camilaID + "&category=laboratory", 5, 5, "59204"},
		{"patient=" + camilaID + "&category=vital-signs", 5, 5, "59204"},
		{"patient=" + camilaID + "&category=laboratory,vital-signs", 10, 10, "59204,59204"},
		{"patient=" + camilaID + "&code=8867-4", 1, 1, ""},
		{"patient=" + camilaID + "&code=" + url.QueryEscape("http://loinc.org|777-3"), 1, 1, ""},
		{"patient=" + camilaID + "&category=vital-signs&date=ge2026-01-01", 2, 2, "59204"},
		{"patient=" + derrickID + "&category=laboratory", 0, 0, "59204,4101"},
		{"patient=" + derrickID + "&category=social-history", 4, 4, ""},
		{"patient=" + long + "&category=laboratory&date=ge" + time.Now().AddDate(-1, 0, 0).Format("2006-01-02"), 10, 1000, "59204"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := e.get(tok, "Observation?"+tt.query, fhirJSON)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d %s", resp.StatusCode, body)
			}
			b := decodeBundle(t, body)
			if got := matches(b); got < tt.wantMin || got > tt.wantMax {
				t.Errorf("matches = %d, want %d..%d", got, tt.wantMin, tt.wantMax)
			}
			if got := strings.Join(epicCodes(t, b), ","); got != tt.wantCodes {
				t.Errorf("outcome codes = %q, want %q", got, tt.wantCodes)
			}
		})
	}
}

func findByMRN(t *testing.T, s *Sandbox, mrn string) string {
	t.Helper()
	for _, p := range s.data.patients {
		if v, _ := p.p.IdentifierValue(MRNSystem); v == mrn {
			return p.id
		}
	}
	t.Fatalf("no patient with MRN %s", mrn)
	return ""
}

// TestPaging walks the long-history patient's vitals with _count and checks every page, the opaque
// next link (sessionID only), the total per page, no duplicates, and 4113 once the session expires.
func TestPaging(t *testing.T) {
	e := newEnv(t, Options{Patients: 1, PageSessionLifetime: time.Minute})
	tok := e.token()
	long := findByMRN(t, e.sb, "400003")
	next := e.srv.URL + FHIRBasePath + "/Observation?patient=" + long + "&category=vital-signs&_count=500"
	seen := map[string]bool{}
	pages := 0
	var lastNext string
	for next != "" {
		resp, body := e.get(tok, next, fhirJSON)
		if resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %s", pages, resp.StatusCode, body)
		}
		b := decodeBundle(t, body)
		pages++
		if *b.Total != matches(b) {
			t.Errorf("page %d: total %d, matches %d", pages, *b.Total, matches(b))
		}
		for _, en := range b.Entry {
			if en.Mode() == fhir.SearchModeMatch {
				if seen[en.FullURL] {
					t.Fatalf("duplicate %s", en.FullURL)
				}
				seen[en.FullURL] = true
			}
		}
		lastNext, next = next, b.LinkURL("next")
		if next != "" {
			u, _ := url.Parse(next)
			if q := u.Query(); len(q) != 1 || !strings.HasPrefix(q.Get("sessionID"), "17-") {
				t.Fatalf("next link carries more than a sessionID: %s", next)
			}
		}
	}
	if pages < 3 || len(seen) < 1000 {
		t.Fatalf("pages = %d, observations = %d: want several pages", pages, len(seen))
	}
	if len(seen) != len(e.sb.data.observations[long])-countNonVitals(e.sb, long) {
		t.Errorf("paged %d vitals, store has %d", len(seen), len(e.sb.data.observations[long])-countNonVitals(e.sb, long))
	}
	_ = lastNext

	// A next link used after the session lifetime is Epic's 4113.
	_, body := e.get(tok, "Observation?patient="+long+"&category=vital-signs&_count=10", fhirJSON)
	first := decodeBundle(t, body)
	nextURL := first.LinkURL("next")
	e.advance(2 * time.Minute)
	tok = e.token()
	resp, body := e.get(tok, nextURL, fhirJSON)
	if resp.StatusCode != 400 || strings.Join(outcomeCodes(t, body), ",") != "4113" {
		t.Errorf("expired session: %d %s", resp.StatusCode, body)
	}
}

func countNonVitals(s *Sandbox, patient string) int {
	n := 0
	for _, r := range s.data.observations[patient] {
		if !r.obs.HasCategory("vital-signs") {
			n++
		}
	}
	return n
}

func TestPostSearch(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	tok := e.token()
	form := url.Values{"patient": {camilaID}, "category": {"laboratory"}}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+FHIRBasePath+"/Observation/_search?category=vital-signs", strings.NewReader(form.Encode()))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", fhirJSON)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b fhir.Bundle
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatal(err)
	}
	if matches(b) != 5 {
		t.Errorf("POST _search matches = %d, want Camila's 5 labs (query string ignored)", matches(b))
	}
}
