package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chartside/chartside/epic/sandbox"
)

// TestEpicFailuresShownOnThePageAreLogged: the lookup form and the chart's sections show an Epic
// failure as a message in the page ("tell IT and quote the reference"), not through the error
// handler. IT must then find, under that reference, a log line saying what failed — and no patient
// data. The lookup's message carries the reference itself, since it has no reference line below it.
func TestEpicFailuresShownOnThePageAreLogged(t *testing.T) {
	logs := &logBuffer{}
	env := newChartEnv(t, chartEnvOptions{noBreaker: true, logs: logs})
	b := env.signIn()

	// logged returns the log lines of one request other than its access line.
	logged := func(t *testing.T, requestID string) []map[string]any {
		t.Helper()
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line is not JSON: %q", line)
			}
			if rec["request_id"] == requestID && rec["msg"] != "request" {
				out = append(out, rec)
			}
		}
		return out
	}
	wantFailureLogged := func(t *testing.T, r reply, op string) {
		t.Helper()
		id := r.Header.Get("X-Request-ID")
		if id == "" {
			t.Fatal("response has no X-Request-ID")
		}
		recs := logged(t, id)
		if len(recs) != 1 {
			t.Fatalf("request %s: %d log lines besides the access line, want 1 saying why Epic failed: %v\nall logs:\n%s", id, len(recs), recs, logs.String())
		}
		rec := recs[0]
		if rec["level"] != "WARN" || !strings.Contains(rec["error"].(string), op) || !strings.Contains(rec["error"].(string), "500") {
			t.Errorf("log line %v: want a WARN naming %s and Epic's 500", rec, op)
		}
	}

	t.Run("lookup", func(t *testing.T) {
		env.sb.Faults().FailNext("Patient", 1, sandbox.Fault{Kind: sandbox.FaultServerError})
		r := b.lookup("203713")
		if r.StatusCode != http.StatusBadGateway {
			t.Fatalf("lookup with Epic failing: status %d, want 502", r.StatusCode)
		}
		wantFailureLogged(t, r, "patient.search")
		wantReferenceBelow(t, r)
	})

	t.Run("section", func(t *testing.T) {
		chart := b.openChart("203713")
		env.sb.Faults().FailNext("Observation", 1000, sandbox.Fault{Kind: sandbox.FaultServerError})
		defer env.sb.Faults().Reset()
		r := b.get(chart+"/labs", map[string]string{"HX-Request": "true"})
		if r.StatusCode != http.StatusOK || r.doc(t).Find(`[data-testid="alert-error"]`).Length() != 1 {
			t.Fatalf("labs with Epic failing: status %d, want 200 with the section's alert\n%s", r.StatusCode, r.body)
		}
		wantFailureLogged(t, r, "observation.search")
		wantReferenceBelow(t, r)
	})

	for _, phi := range []string{"203713", "Camila", "Lopez", "erXuFYUfucBZaryVksYEcMg3"} {
		if strings.Contains(logs.String(), phi) {
			t.Errorf("the log holds patient data %q:\n%s", phi, logs.String())
		}
	}
}

// wantReferenceBelow: the alert's advice asks the user to quote the reference below, and the
// request's reference is there under it. Section alerts promised one and showed none.
func wantReferenceBelow(t *testing.T, r reply) {
	t.Helper()
	alert := r.doc(t).Find(`[data-testid="alert-error"]`)
	id := r.Header.Get("X-Request-ID")
	if !strings.Contains(alert.Text(), "quote the reference below") || alert.Find(`[data-testid="alert-reference"]`).Text() != id {
		t.Errorf("alert %q: want advice to quote the reference below and reference %s under it", alert.Text(), id)
	}
}

// TestPrefetchFailuresAreLogged: the chart page prefetches its sections in the background, and a
// section that finds its prefetch failed searches again instead of showing the failure. When Epic
// sent something broken (a truncated Observation bundle, an HTML page for Encounter) only the
// metrics said so: the log held at most the section's own failure, or just "requests paused" once
// the breaker had counted the prefetches. Each failed prefetch is now logged once, at WARN, under the
// chart page's request id, with the part of the chart, the operation and the kind of failure, and
// no patient data; a section reading it does not log it again.
func TestPrefetchFailuresAreLogged(t *testing.T) {
	logs := &logBuffer{}
	env := newChartEnv(t, chartEnvOptions{noBreaker: true, logs: logs})
	b := env.signIn()
	chart := b.openChart("203713")

	env.sb.Faults().FailNext("Observation", 100, sandbox.Fault{Kind: sandbox.FaultTruncated})
	env.sb.Faults().FailNext("Encounter", 100, sandbox.Fault{Kind: sandbox.FaultHTMLError})
	defer env.sb.Faults().Reset()
	page := b.get(chart, nil)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("chart page: status %d", page.StatusCode)
	}
	env.srv.Wait() // the prefetches have finished
	// Two sections read the vitals prefetch; the labs section reads its own.
	for _, section := range []string{"/vitals-strip", "/vitals", "/labs"} {
		b.get(chart+section, map[string]string{"HX-Request": "true"})
	}

	// part: the operation and the kind of failure, as the epic_requests_total metric counts it (an
	// HTML page with a 500 is Epic failing, a cut-off body one Chartside cannot read).
	want := map[string][2]string{
		"encounters":     {"encounter.search", "error"},
		"vitals":         {"observation.search", "bad_response"},
		"labs":           {"observation.search", "bad_response"},
		"social history": {"observation.search", "bad_response"},
	}
	got := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if !strings.HasPrefix(rec["msg"].(string), "epic prefetch failed") {
			continue
		}
		part, _ := rec["part"].(string)
		got[part]++
		w, ok := want[part]
		if !ok {
			t.Errorf("prefetch failure logged for %q, which did not fail: %v", part, rec)
			continue
		}
		if rec["level"] != "WARN" || rec["request_id"] != page.Header.Get("X-Request-ID") ||
			!strings.Contains(rec["error"].(string), w[0]) || rec["kind"] != w[1] {
			t.Errorf("log line %v: want a WARN under the chart page's request id %s naming %s, kind %s",
				rec, page.Header.Get("X-Request-ID"), w[0], w[1])
		}
	}
	for part := range want {
		if got[part] != 1 {
			t.Errorf("%q prefetch failure logged %d times, want once\n%s", part, got[part], logs.String())
		}
	}
	for _, phi := range []string{"203713", "Camila", "Lopez", "erXuFYUfucBZaryVksYEcMg3"} {
		if strings.Contains(logs.String(), phi) {
			t.Errorf("the log holds patient data %q:\n%s", phi, logs.String())
		}
	}
}
