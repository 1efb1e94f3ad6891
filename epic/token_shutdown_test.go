package epic

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestShutdownCancelsTokenExchange: an exchange still running when Chartside shuts down is
// cancelled and logged as cancelled by shutdown, even if the token endpoint then answers
// invalid_client (as the sandbox did once Chartside's listener, which serves the JWK Set it
// fetches, had closed). Without Shutdown the same answer is still logged as the credential error
// it is.
func TestShutdownCancelsTokenExchange(t *testing.T) {
	for _, shutdown := range []bool{true, false} {
		name := map[bool]string{true: "shutdown", false: "no shutdown"}[shutdown]
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			var mu sync.Mutex
			var refreshes []string
			env := newEnv(t, func(c *Config) {
				c.Logger = newTextLogger(&syncWriter{mu: &mu, w: &logs})
				c.Hooks.TokenRefresh = func(o string) { mu.Lock(); refreshes = append(refreshes, o); mu.Unlock() }
			})
			gate := make(chan struct{})
			env.epic.tokenGate = gate
			env.epic.tokenStatus, env.epic.tokenBody = 400, `{"error":"invalid_client","error_description":null}`
			done := make(chan error, 1)
			go func() { _, err := env.client.SearchPatientsByMRN(context.Background(), "203713"); done <- err }()
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				if tokens, _ := env.epic.counts(); tokens == 1 {
					break
				}
				if time.Now().After(deadline) {
					close(gate)
					t.Fatal("the token request never arrived")
				}
			}
			if shutdown {
				env.client.Shutdown()
			}
			close(gate)
			err := <-done
			mu.Lock()
			got, hooks := logs.String(), strings.Join(refreshes, " ")
			mu.Unlock()
			if shutdown {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
				if strings.Contains(got, "invalid_client") || strings.Contains(got, "token exchange failed") ||
					!strings.Contains(got, "token exchange cancelled: Chartside is shutting down") {
					t.Errorf("log after shutdown during the exchange:\n%s\nwant it cancelled by shutdown, no credential error", got)
				}
				if hooks != "canceled" {
					t.Errorf("TokenRefresh hooks = %q, want canceled", hooks)
				}
				return
			}
			if !strings.Contains(got, "token exchange failed") || !strings.Contains(got, "invalid_client") {
				t.Errorf("a real invalid_client is no longer logged:\n%s", got)
			}
			if hooks != "error" {
				t.Errorf("TokenRefresh hooks = %q, want error", hooks)
			}
		})
	}
}

// syncWriter lets the client's goroutines and the test share a log buffer.
type syncWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
