package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFaultDatabaseUnavailable takes PostgreSQL (sessions and the audit trail) away in the middle
// of a chart session, through a TCP proxy that drops every connection and refuses new ones, then
// brings it back. While it is gone no patient data may be shown (nothing can be audited, and who
// is signed in cannot be checked): every kind of request gets a specific "try again" message, never
// a 500 or a stack trace, and the session cookie is left alone. Afterwards the very next request
// works, in the same session, and the audit trail holds exactly what was shown, its hash chain
// intact.
func TestFaultDatabaseUnavailable(t *testing.T) {
	env := newFaultEnv(t, faultEnvOptions{postgres: true})
	b := env.signIn()
	chart := b.openChart("203713")
	if r := b.get(chart, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("chart before the outage: %d", r.StatusCode)
	}
	skip := env.auditCount()

	env.proxy.cut()
	requests := []struct {
		name string
		do   func() reply
		htmx bool
	}{
		{"section refresh (htmx)", func() reply { return b.get(chart+labsAll, hxReq) }, true},
		{"chart page", func() reply { return b.get(chart, nil) }, false},
		{"section page", func() reply { return b.get(chart+"/vitals", nil) }, false},
		{"lookup", func() reply { return b.post("/lookup", url.Values{"mrn": {"203713"}}, nil) }, false},
	}
	for _, rq := range requests {
		r := rq.do()
		checkGraceful(t, rq.name, r)
		if r.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s during the outage: status %d, want 503", rq.name, r.StatusCode)
		}
		if !strings.Contains(r.body, "database") || !strings.Contains(r.body, "again") {
			t.Errorf("%s during the outage: the message does not say what is wrong and what to do\n%s", rq.name, r.body)
		}
		if strings.Contains(r.body, "Camila") || strings.Contains(r.body, `data-testid="obs-row"`) || strings.Contains(r.body, `data-testid="banner"`) {
			t.Errorf("%s during the outage: patient data shown although nothing could be audited", rq.name)
		}
		if cks := r.Header.Values("Set-Cookie"); len(cks) != 0 {
			// A new (anonymous) cookie here would sign the browser out for good.
			t.Errorf("%s during the outage: Set-Cookie %q, want the browser's cookie left alone", rq.name, cks)
		}
		if rq.htmx && r.Header.Get("HX-Retarget") == "" {
			t.Errorf("%s during the outage: the error fragment is not retargeted to the alerts region", rq.name)
		}
	}

	env.proxy.restore()
	r := b.get(chart+labsAll, hxReq)
	checkGraceful(t, "first request after recovery", r)
	if d := r.doc(t); r.StatusCode != http.StatusOK || alertIn(d, "labs-section") != "" || labRows(d) == 0 {
		t.Errorf("first request after recovery: status %d, alert %q, %d rows\n%s", r.StatusCode, alertIn(d, "labs-section"), labRows(d), r.body)
	}
	if got, want := env.faultTrail(skip), []string{"refresh/shown/labs table all"}; strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("audit trail after the outage = %q, want %q (nothing shown while it could not be recorded)", got, want)
	}
	env.verifyAudit()
}
