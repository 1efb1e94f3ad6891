package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

func TestFaults(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	path := "Patient/" + camilaID
	tests := []struct {
		name   string
		fault  Fault
		status int
		check  func(t *testing.T, resp *http.Response, body []byte, err error)
	}{
		{"429", Fault{Kind: FaultTooManyRequests, RetryAfter: 2 * time.Second}, 429, func(t *testing.T, resp *http.Response, _ []byte, _ error) {
			if got := resp.Header.Get("Retry-After"); got != "2" {
				t.Errorf("Retry-After = %q", got)
			}
		}},
		{"500", Fault{Kind: FaultServerError}, 500, nil},
		{"503", Fault{Kind: FaultUnavailable}, 503, func(t *testing.T, resp *http.Response, body []byte, _ error) {
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("503 is not HTML")
			}
		}},
		{"html", Fault{Kind: FaultHTMLError}, 500, func(t *testing.T, resp *http.Response, body []byte, _ error) {
			if !strings.Contains(string(body), "<html") {
				t.Errorf("not an HTML page: %.100s", body)
			}
		}},
		{"truncated", Fault{Kind: FaultTruncated}, 200, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err == nil || json.Valid(body) {
				t.Errorf("body read cleanly (%v), want an unexpected EOF", err)
			}
		}},
		{"401", Fault{Kind: FaultRevoked}, 401, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := e.token()
			e.sb.Faults().FailNext("Patient", 1, tt.fault)
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+FHIRBasePath+"/"+path, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Accept", fhirJSON)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, readErr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.check != nil {
				tt.check(t, resp, body, readErr)
			}
			// One shot: the next request is normal again (with a fresh token after a revocation).
			if resp, _ := e.get(e.token(), path, fhirJSON); resp.StatusCode != 200 {
				t.Errorf("after the fault: %d", resp.StatusCode)
			}
		})
	}
	t.Run("revoked tokens stay revoked", func(t *testing.T) {
		tok := e.token()
		e.sb.Faults().FailNext("Patient", 1, Fault{Kind: FaultRevoked})
		e.get(tok, path, fhirJSON)
		if resp, _ := e.get(tok, path, fhirJSON); resp.StatusCode != 401 {
			t.Errorf("old token after revocation: %d", resp.StatusCode)
		}
	})
	t.Run("N requests and prefix", func(t *testing.T) {
		tok := e.token()
		e.sb.Faults().FailNext("Observation", 2, Fault{Kind: FaultUnavailable})
		if resp, _ := e.get(tok, path, fhirJSON); resp.StatusCode != 200 {
			t.Errorf("Patient hit an Observation fault: %d", resp.StatusCode)
		}
		q := "Observation?patient=" + camilaID + "&category=laboratory"
		for i, want := range []int{503, 503, 200} {
			if resp, _ := e.get(tok, q, fhirJSON); resp.StatusCode != want {
				t.Errorf("request %d: %d, want %d", i, resp.StatusCode, want)
			}
		}
	})
	t.Run("token endpoint down", func(t *testing.T) {
		e.sb.Faults().SetTokenDown(true)
		resp, _ := e.postToken("x.y.z")
		if resp.StatusCode != 503 {
			t.Errorf("token down: %d", resp.StatusCode)
		}
		e.sb.Faults().Reset()
		e.token()
	})
	t.Run("stats count upstream calls", func(t *testing.T) {
		before := e.sb.Stats()
		tok := e.token()
		e.get(tok, path, fhirJSON)
		e.get(tok, "Observation?patient="+camilaID+"&category=laboratory", fhirJSON)
		after := e.sb.Stats()
		if after.TokenRequests-before.TokenRequests != 1 || after.FHIRRequests-before.FHIRRequests != 2 ||
			after.ByResource["Observation"]-before.ByResource["Observation"] != 1 {
			t.Errorf("stats before %+v after %+v", before, after)
		}
	})
}

// TestLatency: the injected latency is applied (checked through the request's completion, not a
// timing assertion) and abandoned requests do not hang the server.
func TestLatencyAbandon(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	tok := e.token()
	e.sb.Faults().SetLatency(time.Hour)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+FHIRBasePath+"/Patient/"+camilaID, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	client := &http.Client{Timeout: 200 * time.Millisecond}
	if _, err := client.Do(req); err == nil {
		t.Fatal("request finished despite an hour of latency")
	}
	e.sb.Faults().Reset()
	if resp, _ := e.get(tok, "Patient/"+camilaID, fhirJSON); resp.StatusCode != 200 {
		t.Errorf("after reset: %d", resp.StatusCode)
	}
}

// TestDeterministicAndRecent: one seed gives one population; data is generated relative to Now, so
// the latest vitals are days old whatever the date. Start-up time is logged (see BenchmarkNew).
func TestDeterministicAndRecent(t *testing.T) {
	now := time.Date(2031, 2, 3, 10, 0, 0, 0, time.UTC)
	build := func() *Sandbox {
		start := time.Now()
		s, err := New(Options{Seed: 7, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("New with 50 generated patients took %v", time.Since(start))
		return s
	}
	a, b := build(), build()
	if len(a.data.patients) != len(b.data.patients) {
		t.Fatalf("patients %d vs %d", len(a.data.patients), len(b.data.patients))
	}
	for i, p := range a.data.patients {
		q := b.data.patients[i]
		pa, _ := p.body()
		pb, _ := q.body()
		if string(pa) != string(pb) || len(a.data.observations[p.id]) != len(b.data.observations[q.id]) {
			t.Fatalf("patient %d differs between runs with one seed", i)
		}
	}
	c, _ := New(Options{Seed: 8, Now: func() time.Time { return now }})
	if pa, _ := a.data.patients[len(a.data.patients)-1].body(); string(pa) == string(mustBody(c.data.patients[len(c.data.patients)-1].record)) {
		t.Errorf("seeds 7 and 8 gave the same last patient")
	}
	// Latest vitals of every generated patient (MRN 300001 and up) are recent relative to Now.
	generated := 0
	for _, p := range a.data.patients {
		if !slices.ContainsFunc(p.p.Identifier, func(id fhir.Identifier) bool { return strings.HasPrefix(id.Value, "3000") }) {
			continue
		}
		generated++
		recs := a.data.observations[p.id]
		if len(recs) == 0 {
			t.Fatalf("generated patient without observations")
		}
		if age := now.Sub(recs[0].start); age < 0 || age > 8*24*time.Hour {
			t.Errorf("latest observation is %v old", age)
		}
	}
	if generated != 50 {
		t.Errorf("%d generated patients, want 50", generated)
	}
}

func mustBody(r *record) []byte {
	b, _ := r.body()
	return b
}
