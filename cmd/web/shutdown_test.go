package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// formToken GETs path and returns the CSRF token of its form.
func formToken(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("GET %s (%d): no csrf_token field in the page", u, resp.StatusCode)
	}
	return string(m[1])
}

// TestShutdownLetsSlowLookupFinish signs in on the sandbox, starts an MRN lookup that is slow because
// Epic (the sandbox) answers slowly, cancels the server's context as SIGTERM does while the lookup is
// in flight, and expects the lookup to complete normally before run returns.
func TestShutdownLetsSlowLookupFinish(t *testing.T) {
	const latency = 1500 * time.Millisecond
	base, _, stop := startServer(t, testEnv(t, map[string]string{"SANDBOX_LATENCY": latency.String()}))
	waitHealthy(t, base)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	tok := formToken(t, c, base+"/signin")
	resp, err := c.PostForm(base+"/signin", url.Values{"username": {"demo"}, "password": {"chartside-demo"}, "csrf_token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in answered %d, want 303", resp.StatusCode)
	}
	tok = formToken(t, c, base+"/")
	// A first lookup gets Chartside its Epic token. (The sandbox fetches Chartside's JWK Set from the
	// listener that shutdown closes, so a first token exchange cannot happen during shutdown.)
	resp, err = c.PostForm(base+"/lookup", url.Values{"mrn": {"203711"}, "csrf_token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("warm-up lookup answered %d, want 303", resp.StatusCode)
	}

	type result struct {
		status   int
		location string
		err      error
		at       time.Time
	}
	lookup := make(chan result, 1)
	go func() {
		resp, err := c.PostForm(base+"/lookup", url.Values{"mrn": {"203713"}, "csrf_token": {tok}})
		if err != nil {
			lookup <- result{err: err, at: time.Now()}
			return
		}
		resp.Body.Close()
		lookup <- result{status: resp.StatusCode, location: resp.Header.Get("Location"), at: time.Now()}
	}()

	time.Sleep(latency / 3) // the lookup is now waiting on the sandbox
	stopped := make(chan time.Time, 1)
	go func() {
		if err := stop(); err != nil {
			t.Errorf("run returned %v after graceful shutdown, want nil", err)
		}
		stopped <- time.Now()
	}()

	r := <-lookup
	if r.err != nil {
		t.Fatalf("in-flight lookup failed during shutdown: %v", r.err)
	}
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/chart/") {
		t.Fatalf("in-flight lookup answered %d Location %q, want 303 to /chart/…", r.status, r.location)
	}
	if done := <-stopped; done.Before(r.at) {
		t.Fatal("server finished shutting down before the in-flight lookup was answered")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still accepting new requests after shutdown")
	}
}
