package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/audit"
)

// Sessions ended by IT while the account stays enabled: `web staff reset-password` (the old
// password may be known to someone else) and `web staff disable` followed by `enable` before the
// session made a request.

const (
	revokedNotice = "You were signed out because your Chartside password was changed or your sessions were ended by IT. Sign in again."
	newPassword   = "a brand new passphrase"
)

// signOuts returns the details of the sign-outs recorded for username, in order.
func (env *authEnv) signOuts(username string) []string {
	env.t.Helper()
	recs, err := env.audit.Query(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		env.t.Fatalf("audit query: %v", err)
	}
	var out []string
	for _, r := range recs {
		if r.Action == audit.ActionSignOut && r.Username == username {
			out = append(out, r.Detail)
		}
	}
	return out
}

// signInWith signs in with the given password and reports the answer's status.
func (b *authBrowser) signInWith(username, password string) int {
	b.env.t.Helper()
	b.openSignIn("/signin")
	return b.post("/signin", url.Values{"username": {username}, "password": {password}}, nil).StatusCode
}

// expectRevoked checks that r signed the browser out of a revoked session (expectEnded).
func expectRevoked(t *testing.T, env *authEnv, b *authBrowser, r authReply, htmx bool) {
	t.Helper()
	expectEnded(t, env, b, r, htmx, revokedNotice, "sessions revoked")
}

// expectEnded checks that r signed the browser out of a session IT ended: to the sign-in page
// (HX-Redirect for htmx), with Clear-Site-Data, the notice said once, and one sign-out audited
// with detail.
func expectEnded(t *testing.T, env *authEnv, b *authBrowser, r authReply, htmx bool, notice, detail string) {
	t.Helper()
	if htmx {
		if got := r.Header.Get("HX-Redirect"); got != "/signin" {
			t.Errorf("HX-Redirect = %q, want /signin (status %d)", got, r.StatusCode)
		}
	} else if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
		t.Fatalf("ended session's request = %d → %q, want 303 → /signin", r.StatusCode, r.Header.Get("Location"))
	}
	if r.Header.Get("Clear-Site-Data") == "" {
		t.Error("no Clear-Site-Data on the sign-out of an ended session")
	}
	for i, want := range []string{notice, ""} {
		got := strings.TrimSpace(b.get("/signin", nil).doc(t).Find(`[data-testid="signin-notice"]`).Text())
		if got != want {
			t.Errorf("sign-in page visit %d: notice %q, want %q", i+1, got, want)
		}
	}
	if got := env.signOuts(authClinician); len(got) != 1 || got[0] != detail {
		t.Errorf("sign-outs recorded for %s = %q, want one, %q", authClinician, got, detail)
	}
}

// TestPasswordResetEndsSessions: `web staff reset-password` ends the sessions signed in before it
// at their first request 2 s or more later (a page or an htmx section load), instead of leaving
// them open until their 12 h lifetime; the old cookie stays dead, and the user signs in again
// with the new password as usual.
func TestPasswordResetEndsSessions(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  func(b *authBrowser) authReply
		htmx bool
	}{
		{"page", func(b *authBrowser) authReply { return b.get("/", nil) }, false},
		{"htmx section", func(b *authBrowser) authReply {
			return b.get("/chart/AAAAAAAAAAAAAAAAAAAAAA/labs", map[string]string{"HX-Request": "true"})
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, authOptions{})
			b := env.browser()
			b.signIn(authClinician)
			old := b.cookie
			env.clock.Advance(time.Second)
			if err := env.staff.ResetPassword(context.Background(), authClinician, newPassword); err != nil {
				t.Fatal(err)
			}
			// The sign-in's own redirect found the account enabled a moment ago (accountRecheck).
			env.clock.Advance(2 * time.Second)
			expectRevoked(t, env, b, tt.req(b), tt.htmx)

			replay := env.browser()
			replay.cookie = old
			if r := replay.get("/", nil); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
				t.Errorf("old cookie after the reset = %d → %q, want the sign-in page", r.StatusCode, r.Header.Get("Location"))
			}

			if got := b.signInWith(authClinician, newPassword); got != http.StatusSeeOther {
				t.Fatalf("sign in with the new password: %d, want 303", got)
			}
			for i := range 2 { // the remembered answer, then the database's
				if r := b.get("/", nil); r.StatusCode != http.StatusOK {
					t.Fatalf("GET / %d after signing in again: %d, want 200", i+1, r.StatusCode)
				}
				env.clock.Advance(2 * time.Second)
			}
		})
	}
}

// TestSignInRightAfterReset: a sign-in at the very instant of the reset (the same clock reading;
// the database keeps microseconds) is not taken for a session from before it, while a session from
// a second earlier is ended, even when the account check is answered from memory.
func TestSignInRightAfterReset(t *testing.T) {
	env := newAuthEnv(t, authOptions{})
	before := env.browser()
	before.signIn(authClinician)
	env.clock.Advance(time.Second)
	if err := env.staff.ResetPassword(context.Background(), authClinician, newPassword); err != nil {
		t.Fatal(err)
	}
	after := env.browser()
	if got := after.signInWith(authClinician, newPassword); got != http.StatusSeeOther {
		t.Fatalf("sign in with the new password: %d, want 303", got)
	}
	env.clock.Advance(2 * time.Second)
	// The new session's request asks the database; the old one's, a moment later, gets the
	// remembered answer (accountRecheck), which must still compare its sign-in time.
	if r := after.get("/", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("session from the reset's instant: GET / = %d, want 200", r.StatusCode)
	}
	if r := before.get("/", nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
		t.Errorf("session from before the reset: GET / = %d → %q, want 303 → /signin", r.StatusCode, r.Header.Get("Location"))
	}
	for i := range 3 {
		if r := after.get("/", nil); r.StatusCode != http.StatusOK {
			t.Fatalf("session from the reset's instant: GET / %d = %d, want 200", i+1, r.StatusCode)
		}
		env.clock.Advance(2 * time.Second)
	}
	if got := env.signOuts(authClinician); len(got) != 1 || got[0] != "sessions revoked" {
		t.Errorf("sign-outs recorded = %q, want one, \"sessions revoked\"", got)
	}
}

// TestDisableThenEnableEndsSessions: `web staff disable` then `enable` with no request from the
// session in between still ends it (the disable is remembered as the account's sessions being
// ended), at its first request 2 s or more later.
func TestDisableThenEnableEndsSessions(t *testing.T) {
	env := newAuthEnv(t, authOptions{})
	b := env.browser()
	b.signIn(authClinician)
	env.clock.Advance(time.Second)
	ctx := context.Background()
	if err := env.staff.Disable(ctx, authClinician); err != nil {
		t.Fatal(err)
	}
	if err := env.staff.Enable(ctx, authClinician); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(2 * time.Second)
	expectRevoked(t, env, b, b.get("/", nil), false)

	if got := b.signInWith(authClinician, authPassword); got != http.StatusSeeOther {
		t.Fatalf("sign in again: %d, want 303", got)
	}
	env.clock.Advance(2 * time.Second)
	if r := b.get("/", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("GET / after signing in again: %d, want 200", r.StatusCode)
	}
}

// TestOtherAccountResetKeepsSession: resetting another account's password, or disabling and
// enabling it, leaves this session alone; resetting this account's own password then ends it.
func TestOtherAccountResetKeepsSession(t *testing.T) {
	env := newAuthEnv(t, authOptions{})
	b := env.browser()
	b.signIn(authClinician)
	env.clock.Advance(time.Second)
	ctx := context.Background()
	if err := env.staff.ResetPassword(ctx, authAdmin, newPassword); err != nil {
		t.Fatal(err)
	}
	if err := env.staff.Disable(ctx, authAdmin); err != nil {
		t.Fatal(err)
	}
	if err := env.staff.Enable(ctx, authAdmin); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(2 * time.Second)
	if r := b.get("/", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("GET / after another account's reset = %d, want 200", r.StatusCode)
	}
	if r := b.get("/chart/AAAAAAAAAAAAAAAAAAAAAA/labs", map[string]string{"HX-Request": "true"}); r.Header.Get("HX-Redirect") != "" {
		t.Errorf("htmx section after another account's reset: HX-Redirect %q, want none", r.Header.Get("HX-Redirect"))
	}
	if got := env.signOuts(authClinician); len(got) != 0 {
		t.Errorf("sign-outs recorded = %q, want none", got)
	}

	env.clock.Advance(time.Second)
	if err := env.staff.ResetPassword(ctx, authClinician, newPassword); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(2 * time.Second)
	expectRevoked(t, env, b, b.get("/", nil), false)
}
