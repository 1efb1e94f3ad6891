package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
)

// TestReadyzFollowsEpicTokenWithoutUserTraffic runs `web serve` against a real Epic configuration
// (the sandbox on its own server, as `web sandbox --token-down` would be) and follows /readyz
// through an Epic token outage, as HAProxy does. A fresh replica whose Epic refuses tokens does not
// claim "epic token: ok"; during the outage /readyz names the failure but stays 200, so the
// balancer keeps the replica and staff get Chartside's own message; once Epic recovers, /readyz and
// the token metric say so within the retry interval with no user request at all.
func TestReadyzFollowsEpicTokenWithoutUserTraffic(t *testing.T) {
	key, err := epic.GenerateRSAKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, _ := writeKeyFile(t, key, 0o600)
	sb, err := sandbox.New(sandbox.Options{Patients: 3})
	if err != nil {
		t.Fatal(err)
	}
	sb.RegisterClient("chartside-readyz", sandbox.ClientKeys{JWKS: epic.JWKS([]*epic.Key{key})})
	sb.Faults().SetTokenDown(true)
	epicSrv := httptest.NewServer(sb.Handler())
	defer epicSrv.Close()

	getenv := testEnv(t, map[string]string{
		"DATA_DIR":              filepath.Join(t.TempDir(), "data"),
		"EPIC_FHIR_BASE_URL":    epicSrv.URL + sandbox.FHIRBasePath,
		"EPIC_TOKEN_URL":        epicSrv.URL + sandbox.TokenPath,
		"EPIC_CLIENT_ID":        "chartside-readyz",
		"EPIC_PRIVATE_KEY_FILE": keyFile,
		"EPIC_MRN_SYSTEM":       sandbox.MRNSystem,
	})
	const password = "a readiness-test passphrase"
	var cliOut, cliErr bytes.Buffer
	if err := run(context.Background(), []string{"staff", "add", "--username", "nurse.ready", "--role", "clinician", "--password-stdin"},
		getenv, strings.NewReader(password+"\n"), &cliOut, &cliErr); err != nil {
		t.Fatalf("staff add: %v\n%s", err, cliErr.String())
	}
	base, _, stop := startServer(t, getenv)
	defer stop()
	waitHealthy(t, base)

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tokenMetric := func() string {
		t.Helper()
		_, body := get("/metrics")
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, "chartside_epic_token_ok ") {
				return strings.TrimPrefix(line, "chartside_epic_token_ok ")
			}
		}
		t.Fatalf("/metrics has no chartside_epic_token_ok")
		return ""
	}
	// failing is /readyz while Epic's token endpoint fails: 200, the database counted, Epic's
	// failure named and marked as not counted.
	failing := func(when string) {
		t.Helper()
		status, body := get("/readyz")
		if status != http.StatusOK || !strings.HasPrefix(body, "ready\n") || !strings.Contains(body, "database: ok\n") {
			t.Errorf("%s: /readyz = %d\n%s\nwant 200 ready: Epic's token does not take the replica out of the balancer", when, status, body)
		}
		if !strings.Contains(body, "epic token: not counted for readiness: epic: token request failed: 503") {
			t.Errorf("%s: /readyz does not report the token failure:\n%s", when, body)
		}
	}

	// A fresh replica, no user request yet: the check exchanges itself rather than claim "ok".
	failing("fresh replica, token endpoint down")
	if v := tokenMetric(); v != "0" {
		t.Errorf("chartside_epic_token_ok = %s during the outage, want 0", v)
	}
	// The circuit breakers are wired to /metrics too, every resource type listed and closed (a
	// token outage is not a FHIR failure). epic's TestBreakerStateOnMetrics opens one.
	if _, body := get("/metrics"); !strings.Contains(body, `chartside_epic_circuit_open{resource="Observation"} 0`) ||
		!strings.Contains(body, `chartside_epic_circuit_opened_total{resource="Patient"} 0`) {
		t.Errorf("/metrics lacks the Epic circuit breakers:\n%s", body)
	}

	// A clinician's lookup gets Chartside's own message (HAProxy still routes to the replica).
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/signin", url.Values{"username": {"nurse.ready"}, "password": {password}, "csrf_token": {formToken(t, c, base+"/signin")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in answered %d, want 303", resp.StatusCode)
	}
	resp, err = c.PostForm(base+"/lookup", url.Values{"mrn": {"203713"}, "csrf_token": {formToken(t, c, base+"/")}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(page), "sign-in service is not answering") {
		t.Errorf("lookup during the token outage: %d, want 503 with \"sign-in service is not answering\"\n%.600s", resp.StatusCode, page)
	}
	failing("after the failed lookup")

	// Epic recovers. Nobody uses Chartside; only /readyz is polled, once a second as HAProxy does.
	sb.Faults().SetTokenDown(false)
	before := sb.Stats()
	deadline := time.Now().Add(epic.DefaultTokenCheckInterval + 5*time.Second)
	for {
		status, body := get("/readyz")
		if status != http.StatusOK {
			t.Fatalf("/readyz = %d while Epic recovers\n%s", status, body)
		}
		if strings.Contains(body, "epic token: ok\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still reports the token failure %s after Epic recovered, with no user request:\n%s",
				epic.DefaultTokenCheckInterval+5*time.Second, body)
		}
		time.Sleep(time.Second)
	}
	if v := tokenMetric(); v != "1" {
		t.Errorf("chartside_epic_token_ok = %s after Epic recovered, want 1", v)
	}
	after := sb.Stats()
	if after.FHIRRequests != before.FHIRRequests || after.TokenIssued != before.TokenIssued+1 {
		t.Errorf("while only /readyz was polled: %d FHIR requests, %d tokens issued; want 0 and 1",
			after.FHIRRequests-before.FHIRRequests, after.TokenIssued-before.TokenIssued)
	}
}
