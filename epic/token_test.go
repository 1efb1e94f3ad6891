package epic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func okPatientSearch(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		serveCapture(t, w, "patient-search-apporchard-with-outcome.json", 200)
	}
}

func TestConcurrentSearchesShareOneToken(t *testing.T) {
	env := newEnv(t, nil)
	env.epic.setFHIR(okPatientSearch(t))
	ctx := context.Background()

	run := func() {
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for range 100 {
			wg.Go(func() {
				if _, err := env.client.SearchPatientsByMRN(ctx, "203713"); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}

	run()
	if tokens, fhirReqs := env.epic.counts(); tokens != 1 || fhirReqs != 100 {
		t.Fatalf("after 100 concurrent searches: token requests = %d, FHIR requests = %d; want 1, 100", tokens, fhirReqs)
	}
	// Still inside the lifetime minus the margin: cached.
	env.clock.Advance(58 * time.Minute)
	run()
	if tokens, _ := env.epic.counts(); tokens != 1 {
		t.Fatalf("token requests before expiry = %d, want 1", tokens)
	}
	// Within the refresh margin of expiry: exactly one more exchange, with a new jti.
	env.clock.Advance(90 * time.Second)
	run()
	tokens, _ := env.epic.counts()
	if tokens != 2 {
		t.Fatalf("token requests after expiry = %d, want 2", tokens)
	}
	env.epic.mu.Lock()
	jtis := append([]string(nil), env.epic.jtis...)
	env.epic.mu.Unlock()
	if len(jtis) != 2 || jtis[0] == jtis[1] {
		t.Errorf("jtis = %v, want two distinct", jtis)
	}
	if err := env.client.TokenStatus(); err != nil {
		t.Errorf("TokenStatus = %v, want nil", err)
	}
}

func TestTokenRequestForm(t *testing.T) {
	tests := []struct {
		name  string
		scope string
	}{
		{"no scope", ""},
		{"scope", "system/Patient.rs system/Observation.rs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.Scope = tt.scope })
			env.epic.setFHIR(okPatientSearch(t))
			if _, err := env.client.SearchPatientsByMRN(context.Background(), "203713"); err != nil {
				t.Fatal(err)
			}
			env.epic.mu.Lock()
			form := env.epic.tokenForms[0]
			env.epic.mu.Unlock()
			want := map[string]string{
				"grant_type":            "client_credentials",
				"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
				"scope":                 tt.scope,
				"client_id":             "", // Epic's backend example sends none
			}
			for k, v := range want {
				if got := form.Get(k); got != v {
					t.Errorf("form %s = %q, want %q", k, got, v)
				}
			}
			if form.Get("client_assertion") == "" {
				t.Error("no client_assertion")
			}
		})
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	tests := []struct {
		name        string
		revokeAfter int // revoke every token after this many successful token requests (0: never)
		always401   bool
		wantErr     error
		wantTokens  int
		wantFHIR    int
	}{
		{name: "401 then 200", wantTokens: 2, wantFHIR: 2},
		{name: "401 then 401", always401: true, wantErr: ErrUnauthorized, wantTokens: 2, wantFHIR: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, nil)
			calls := 0
			var mu sync.Mutex
			env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls++
				n := calls
				mu.Unlock()
				if n == 1 || tt.always401 {
					w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
					w.WriteHeader(401)
					fmt.Fprint(w, `""`)
					return
				}
				serveCapture(t, w, "patient-read-sandbox-camila-lopez.json", 200)
			})
			p, err := env.client.ReadPatient(context.Background(), "erXuFYUfucBZaryVksYEcMg3")
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && p.ID != "erXuFYUfucBZaryVksYEcMg3" {
				t.Errorf("patient id = %q", p.ID)
			}
			if tokens, fhirReqs := env.epic.counts(); tokens != tt.wantTokens || fhirReqs != tt.wantFHIR {
				t.Errorf("token requests = %d, FHIR requests = %d; want %d, %d", tokens, fhirReqs, tt.wantTokens, tt.wantFHIR)
			}
		})
	}
}

func TestForbiddenDoesNotRefresh(t *testing.T) {
	env := newEnv(t, nil)
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope"`)
		w.WriteHeader(403)
	})
	_, err := env.client.ReadPatient(context.Background(), "erXuFYUfucBZaryVksYEcMg3")
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("err = %v, want ErrForbidden", err)
	}
	if !strings.Contains(err.Error(), "insufficient_scope") {
		t.Errorf("error %q should carry WWW-Authenticate", err)
	}
	if tokens, fhirReqs := env.epic.counts(); tokens != 1 || fhirReqs != 1 {
		t.Errorf("token requests = %d, FHIR requests = %d; want 1, 1", tokens, fhirReqs)
	}
}

func TestTokenErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantCode  string
		wantCause string
	}{
		{"invalid_client", 400, `{ "error": "invalid_client", "error_description": null }`, "invalid_client", "aud is not exactly the token URL"},
		{"invalid_grant", 400, `{ "error": "invalid_grant", "error_description": null }`, "invalid_grant", "clock skew"},
		{"unauthorized_client", 400, `{"error":"unauthorized_client","error_description":"no user"}`, "unauthorized_client", "background user"},
		{"html 404", 404, `<html><body>404 - File or directory not found.</body></html>`, "", "token URL is wrong"},
		{"503", 503, ``, "", "failing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var refreshes []string
			env := newEnv(t, func(c *Config) {
				c.Hooks.TokenRefresh = func(o string) { refreshes = append(refreshes, o) }
			})
			env.epic.tokenStatus, env.epic.tokenBody = tt.status, tt.body
			env.epic.setFHIR(okPatientSearch(t))
			if err := env.client.TokenStatus(); err != nil {
				t.Fatalf("TokenStatus before any exchange = %v", err)
			}
			_, err := env.client.SearchPatientsByMRN(context.Background(), "203713")
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v (%T), want *TokenError", err, err)
			}
			if !errors.Is(err, ErrUpstream) {
				t.Errorf("token error should match ErrUpstream")
			}
			if te.Status != tt.status || te.Code != tt.wantCode {
				t.Errorf("status, code = %d %q; want %d %q", te.Status, te.Code, tt.status, tt.wantCode)
			}
			if !strings.Contains(strings.Join(te.Causes, "\n"), tt.wantCause) {
				t.Errorf("causes %q lack %q", te.Causes, tt.wantCause)
			}
			if !errors.Is(env.client.TokenStatus(), ErrUpstream) {
				t.Errorf("TokenStatus = %v, want the token error", env.client.TokenStatus())
			}
			if len(refreshes) != 1 || refreshes[0] != "error" {
				t.Errorf("TokenRefresh hooks = %v", refreshes)
			}
			if _, fhirReqs := env.epic.counts(); fhirReqs != 0 {
				t.Errorf("FHIR requests = %d, want 0", fhirReqs)
			}

			// Epic recovers: the next search exchanges again and TokenStatus clears.
			env.epic.mu.Lock()
			env.epic.tokenStatus = 0
			env.epic.mu.Unlock()
			if _, err := env.client.SearchPatientsByMRN(context.Background(), "203713"); err != nil {
				t.Fatal(err)
			}
			if err := env.client.TokenStatus(); err != nil {
				t.Errorf("TokenStatus after recovery = %v", err)
			}
		})
	}
}

// TestTokenExchangeSurvivesCallerCancel: the caller that triggered the exchange gives up, but
// the exchange finishes and its token serves the next request.
func TestTokenExchangeSurvivesCallerCancel(t *testing.T) {
	env := newEnv(t, nil)
	env.epic.setFHIR(okPatientSearch(t))
	gate := make(chan struct{})
	env.epic.mu.Lock()
	env.epic.tokenGate = gate
	env.epic.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := env.client.SearchPatientsByMRN(ctx, "203713")
		done <- err
	}()
	// Wait until the exchange has reached the token endpoint, then cancel the caller.
	for {
		if tokens, _ := env.epic.counts(); tokens == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller err = %v, want context.Canceled", err)
	}
	env.epic.mu.Lock()
	env.epic.tokenGate = nil
	env.epic.mu.Unlock()
	close(gate)

	if _, err := env.client.SearchPatientsByMRN(context.Background(), "203713"); err != nil {
		t.Fatal(err)
	}
	if tokens, fhirReqs := env.epic.counts(); tokens != 1 || fhirReqs != 1 {
		t.Errorf("token requests = %d, FHIR requests = %d; want 1, 1 (the detached exchange's token reused)", tokens, fhirReqs)
	}
}

func TestTokenURLDiscovery(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.TokenURL = "" })
	env.epic.setFHIR(okPatientSearch(t))
	for range 3 {
		if _, err := env.client.SearchPatientsByMRN(context.Background(), "203713"); err != nil {
			t.Fatal(err)
		}
	}
	env.epic.mu.Lock()
	defer env.epic.mu.Unlock()
	if env.epic.discoveries != 1 {
		t.Errorf("discoveries = %d, want 1 (cached)", env.epic.discoveries)
	}
	if len(env.epic.discoveryHdr) != 1 || env.epic.discoveryHdr[0] != testClientID {
		t.Errorf("Epic-Client-ID headers = %q", env.epic.discoveryHdr)
	}
	if env.epic.tokenRequests != 1 {
		t.Errorf("token requests = %d", env.epic.tokenRequests)
	}
}
