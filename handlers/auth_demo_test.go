package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/chartside/chartside/handlers"
	"github.com/chartside/chartside/staff"
	"github.com/chartside/chartside/static"
)

// TestDemoAccountOnlyInSandboxMode: a server connected to a real Epic deletes the demo account when
// it starts, but a sandbox-mode process sharing its database and session store (a replica started
// without EPIC_* by mistake) creates it again with its published password. The real server must
// neither sign it in nor keep a session it signed in elsewhere.
func TestDemoAccountOnlyInSandboxMode(t *testing.T) {
	env := newAuthEnv(t, authOptions{}) // connected to a real Epic
	if err := env.staff.EnsureDemo(context.Background()); err != nil {
		t.Fatal(err)
	}

	t.Run("sign-in refused", func(t *testing.T) {
		b := env.browser()
		b.openSignIn("/signin")
		r := b.post("/signin", url.Values{"username": {staff.DemoUsername}, "password": {staff.DemoPassword}}, nil)
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("demo sign-in on a real-Epic server: status %d, want 401", r.StatusCode)
		}
		if trail := env.auditTrail(); !slices.Contains(trail, "signin_failed/failed/demo") || slices.Contains(trail, "signin/ok/demo") {
			t.Errorf("audit trail %q: want the demo sign-in recorded as failed", trail)
		}
	})

	t.Run("session from a sandbox replica ended", func(t *testing.T) {
		// The sandbox-mode replica: same database, same session store.
		srv := handlers.NewServer(handlers.Deps{
			Logger: slog.New(slog.DiscardHandler), Static: static.FS(), Sessions: env.mgr, Audit: env.audit,
			Staff: env.staff, Accounts: env.staff,
			Settings: handlers.Settings{Sandbox: true, Location: time.UTC, Now: env.clock.Now},
		})
		sandboxApp := httptest.NewServer(srv.Routes())
		t.Cleanup(func() { sandboxApp.Close(); srv.Wait() })
		sandboxEnv := *env
		sandboxEnv.app = sandboxApp
		b := sandboxEnv.browser()
		b.openSignIn("/signin")
		if r := b.post("/signin", url.Values{"username": {staff.DemoUsername}, "password": {staff.DemoPassword}}, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("demo sign-in on the sandbox replica: status %d, want 303", r.StatusCode)
		}
		if r := b.get("/", nil); r.StatusCode != http.StatusOK {
			t.Fatalf("sandbox replica, signed in as demo: GET / %d", r.StatusCode)
		}

		b.env = env // the balancer sends the next request to the real-Epic replica
		r := b.get("/", nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
			t.Fatalf("real-Epic replica, demo session: GET / %d to %q, want 303 to /signin", r.StatusCode, r.Header.Get("Location"))
		}
		if r := b.get("/", nil); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after the sign-out: GET / %d, want 303 (the session is gone)", r.StatusCode)
		}
	})
}
