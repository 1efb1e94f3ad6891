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
			database := dbtest.New(t, db.SQLite)
			srv := handlers.NewServer(handlers.Deps{
				Logger:   slog.New(slog.DiscardHandler),
				Static:   static.FS(),
				Sessions: sessions.New(sessions.NewSQLStore(database), sessions.Options{}),
				Ready: []handlers.ReadyCheck{
					{Name: "database", Check: func(context.Context) error { return tt.dbErr }},
					{Name: "epic token", Check: func(context.Context) error { return tt.epicErr }, Informational: true},
				},
			})
			app := httptest.NewServer(srv.Handler())
			defer app.Close()
			resp, err := http.Get(app.URL + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got := strings.Split(strings.TrimSpace(string(body)), "\n"); resp.StatusCode != tt.wantStatus || strings.Join(got, "|") != strings.Join(tt.wantLines, "|") {
				t.Errorf("/readyz = %d\n%s\nwant %d\n%s", resp.StatusCode, body, tt.wantStatus, strings.Join(tt.wantLines, "\n"))
			}
		})
	}
}
