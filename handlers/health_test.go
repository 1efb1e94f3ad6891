package handlers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/handlers"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/static"
)

// TestReadyzCountsOnlyCountedChecks: /readyz fails for a counted check (the database) and lists an
// informational one (Epic's token) without failing, so an Epic outage shared by every replica does
// not take them all out of the balancer.
func TestReadyzCountsOnlyCountedChecks(t *testing.T) {
	down := errors.New("connection refused")
	tokenFailed := errors.New("epic: token request failed: 503")
	tests := []struct {
		name       string
		dbErr      error
		epicErr    error
		wantStatus int
		wantLines  []string
	}{
		{"all ok", nil, nil, 200, []string{"ready", "database: ok", "epic token: ok"}},
		{"epic token failing", nil, tokenFailed, 200,
			[]string{"ready", "database: ok", "epic token: not counted for readiness: epic: token request failed: 503"}},
		{"database down", down, nil, 503, []string{"not ready", "database: connection refused", "epic token: ok"}},
		{"both", down, tokenFailed, 503,
			[]string{"not ready", "database: connection refused", "epic token: not counted for readiness: epic: token request failed: 503"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := readyServer(t,
				handlers.ReadyCheck{Name: "database", Check: func(context.Context) error { return tt.dbErr }},
				handlers.ReadyCheck{Name: "epic token", Check: func(context.Context) error { return tt.epicErr }, Informational: true},
			)
			defer app.Close()
			resp, body := getReadyz(t, http.DefaultClient, app.URL)
			if got := strings.Split(strings.TrimSpace(string(body)), "\n"); resp.StatusCode != tt.wantStatus || strings.Join(got, "|") != strings.Join(tt.wantLines, "|") {
				t.Errorf("/readyz = %d\n%s\nwant %d\n%s", resp.StatusCode, body, tt.wantStatus, strings.Join(tt.wantLines, "\n"))
			}
		})
	}
}

// TestReadyzAnswersBeforeTheBalancerGivesUp: a database that does not answer must not hold /readyz
// past its bound. HAProxy gives up on a check after 1 s and logs only "L7 timeout"; Chartside has to
// answer first, 503 with the database named and how long it waited, and with the other checks'
// lines intact. Both ways a check can hang: a blocked connection that ignores its context (the
// worst case), and a ping that gives up with the context's own "context deadline exceeded".
func TestReadyzAnswersBeforeTheBalancerGivesUp(t *testing.T) {
	tests := []struct {
		name  string
		check func(release <-chan struct{}) func(context.Context) error
	}{
		{"ignores its context", func(release <-chan struct{}) func(context.Context) error {
			return func(context.Context) error { <-release; return nil }
		}},
		{"gives up at its context's deadline", func(<-chan struct{}) func(context.Context) error {
			return func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			app := readyServer(t,
				handlers.ReadyCheck{Name: "database", Check: tt.check(release)},
				handlers.ReadyCheck{Name: "session store", Check: func(context.Context) error { return errors.New("connection refused") }},
				handlers.ReadyCheck{Name: "epic token", Check: func(context.Context) error { return nil }, Informational: true},
			)
			defer app.Close()
			defer close(release) // before app.Close, which waits for the handler
			// Without the bound /readyz would wait for the database until the test ends; this
			// client's own limit turns that into a clear failure instead of a hang.
			resp, body := getReadyz(t, &http.Client{Timeout: 10 * time.Second}, app.URL)
			want := []string{"not ready", "database: no answer within 800ms", "session store: connection refused", "epic token: ok"}
			if got := strings.Split(strings.TrimSpace(string(body)), "\n"); resp.StatusCode != http.StatusServiceUnavailable || strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("/readyz = %d\n%s\nwant 503\n%s", resp.StatusCode, body, strings.Join(want, "\n"))
			}
		})
	}
}

// readyServer serves Chartside with the given readiness checks; the caller closes it.
func readyServer(t *testing.T, checks ...handlers.ReadyCheck) *httptest.Server {
	t.Helper()
	srv := handlers.NewServer(handlers.Deps{
		Logger:   slog.New(slog.DiscardHandler),
		Static:   static.FS(),
		Sessions: sessions.New(sessions.NewSQLStore(dbtest.New(t, db.SQLite)), sessions.Options{}),
		Ready:    checks,
	})
	return httptest.NewServer(srv.Handler())
}

// getReadyz asks base's /readyz with c and returns the answer and its body.
func getReadyz(t *testing.T, c *http.Client, base string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("/readyz did not answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}
