package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// Sessions that end while a page is still open: an account disabled by IT, and a sign-out in
// another tab or window.

const (
	disabledNotice = "You were signed out because your Chartside account has been disabled. If you need access, ask IT."
	endedNotice    = "Your Chartside session has ended: you signed out in another tab or window, or it was ended on the server. Sign in again to continue."
)

// TestDisabledAccountLosesAccess: `web staff disable` while a clinician is signed in ends that
// clinician's session at their first request 2 s or more later (a page, an htmx section load, a
// form; the account is checked at most every 2 s), instead of
// leaving the chart open to them until the session times out (12 h at most). The sign-in page says
// why, once; the sign-out is in the audit trail; the old cookie is dead even after the account is
// enabled again.
func TestDisabledAccountLosesAccess(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  func(b *authBrowser) authReply
		// wantRedirect is where the answer sends the browser; htmx gets HX-Redirect.
		htmx bool
	}{
		{"page", func(b *authBrowser) authReply { return b.get("/", nil) }, false},
		{"htmx section", func(b *authBrowser) authReply {
			return b.get("/chart/AAAAAAAAAAAAAAAAAAAAAA/labs", map[string]string{"HX-Request": "true"})
		}, true},
		{"lookup form", func(b *authBrowser) authReply { return b.post("/lookup", url.Values{"mrn": {"203713"}}, nil) }, false},
		{"kiosk keep-alive", func(b *authBrowser) authReply {
			return b.do(http.MethodPost, "/session/keepalive", nil, map[string]string{"X-CSRF-Token": b.csrf})
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, authOptions{})
			b := env.browser()
			b.signIn(authClinician)
			signedIn := b.cookie
			if err := env.staff.Disable(context.Background(), authClinician); err != nil {
				t.Fatal(err)
			}
			// An account found enabled is asked for again after 2 s (accountRecheck): the sign-in's
			// own redirect found it enabled a moment ago.
			env.clock.Advance(2 * time.Second)
			expectEnded(t, env, b, tt.req(b), tt.htmx, disabledNotice, "account disabled")
			// Enabling the account again does not bring the old session back.
			if err := env.staff.Enable(context.Background(), authClinician); err != nil {
				t.Fatal(err)
			}
			replay := env.browser()
			replay.cookie = signedIn
			if r := replay.get("/", nil); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
				t.Errorf("old cookie after re-enabling = %d → %q, want the sign-in page", r.StatusCode, r.Header.Get("Location"))
			}
		})
	}
}

// TestEnabledAccountKeepsAccess: the account check lets an enabled account through, and another
// account being disabled does not touch it.
func TestEnabledAccountKeepsAccess(t *testing.T) {
	env := newAuthEnv(t, authOptions{})
	b := env.browser()
	b.signIn(authClinician)
	if err := env.staff.Disable(context.Background(), authAdmin); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", r.StatusCode)
	}
}

// TestSignedOutElsewhereSaysSo: after Sign out in another tab, the browser has no session cookie;
// a chart still open in a second tab that asks for something (Refresh, a time range, a lookup)
// is sent to the sign-in page, which says the session ended instead of appearing unexplained. A
// plain visit without a cookie (a first visit, Back to an old page) shows no notice.
func TestSignedOutElsewhereSaysSo(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  func(b *authBrowser) authReply
		want string
	}{
		{"htmx refresh", func(b *authBrowser) authReply {
			return b.get("/chart/AAAAAAAAAAAAAAAAAAAAAA/labs", map[string]string{"HX-Request": "true"})
		}, endedNotice},
		{"lookup form", func(b *authBrowser) authReply { return b.post("/lookup", url.Values{"mrn": {"203713"}}, nil) }, endedNotice},
		{"plain page", func(b *authBrowser) authReply { return b.get("/", nil) }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, authOptions{})
			b := env.browser()
			b.signIn(authClinician)
			other := env.browser() // the other tab: same cookie, its own page
			other.cookie, other.csrf = b.cookie, b.csrf
			if r := other.post("/signout", nil, nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign out in the other tab: %d", r.StatusCode)
			}
			b.cookie = "" // the browser dropped the cookie for every tab
			r := tt.req(b)
			if loc := r.Header.Get("Location") + r.Header.Get("HX-Redirect"); !strings.HasPrefix(loc, "/signin") {
				t.Fatalf("request after sign-out elsewhere = %d → %q, want the sign-in page", r.StatusCode, loc)
			}
			for i, want := range []string{tt.want, ""} {
				got := strings.TrimSpace(b.get("/signin", nil).doc(t).Find(`[data-testid="signin-notice"]`).Text())
				if got != want {
					t.Errorf("sign-in page visit %d: notice %q, want %q", i+1, got, want)
				}
			}
		})
	}
}

// TestSignOutAfterSessionEnded: pressing Sign out on a page whose session has already ended (the
// idle timeout passed, or Sign out in another tab), or the kiosk countdown firing after the
// server's timeout, leads to the sign-in page with the site data cleared, instead of a 403 "This
// form has expired" (the page's CSRF token died with its session). An expiry it discovers is
// audited as a timeout and the sign-in page says so.
func TestSignOutAfterSessionEnded(t *testing.T) {
	for _, tt := range []struct {
		name       string
		end        func(env *authEnv, b *authBrowser)
		form       url.Values
		wantAudit  string
		wantNotice string
	}{
		{"idle timeout, then Sign out", func(env *authEnv, _ *authBrowser) { env.clock.Advance(authIdle + time.Second) },
			nil, "timeout/ok/" + authClinician, expiredNotice},
		{"idle timeout, then the kiosk countdown", func(env *authEnv, _ *authBrowser) { env.clock.Advance(authIdle + time.Second) },
			url.Values{"reason": {"timeout"}}, "timeout/ok/" + authClinician, expiredNotice},
		{"signed out in another tab", func(env *authEnv, b *authBrowser) {
			other := env.browser()
			other.cookie, other.csrf = b.cookie, b.csrf
			other.post("/signout", nil, nil)
			b.cookie = ""
		}, nil, "signout/ok/" + authClinician, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, authOptions{})
			b := env.browser()
			b.signIn(authClinician)
			tt.end(env, b)
			r := b.post("/signout", tt.form, nil)
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
				t.Fatalf("Sign out after the session ended = %d → %q, want 303 → /signin\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
			}
			if got := r.Header.Get("Clear-Site-Data"); got != `"cache", "storage"` {
				t.Errorf("Clear-Site-Data = %q", got)
			}
			if got := env.auditTrail(); !slices.Contains(got, tt.wantAudit) {
				t.Errorf("audit = %q, want %q", got, tt.wantAudit)
			}
			got := strings.TrimSpace(b.get("/signin", nil).doc(t).Find(`[data-testid="signin-notice"]`).Text())
			if got != tt.wantNotice {
				t.Errorf("sign-in page notice %q, want %q", got, tt.wantNotice)
			}
		})
	}
}
