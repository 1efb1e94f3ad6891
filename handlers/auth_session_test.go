package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// Session lifetime: sign-out, idle expiry, keep-alive and the kiosk countdown.

// expiredNotice is what the sign-in page says after an idle sign-out, whoever noticed it.
const expiredNotice = "For privacy you were signed out after a period of inactivity. Sign in again to continue."

// signedOutNotice is the sign-in page's word after Sign out.
const signedOutNotice = "You have signed out of Chartside."

func TestSignOut(t *testing.T) {
	tests := []struct {
		name      string
		form      url.Values
		hdr       map[string]string
		wantAudit string
		// wantNotice: what the next sign-in page in this browser says, once: that the user signed
		// out (the button: on a kiosk the next person sees the session is gone), or that they
		// were signed out for inactivity (the kiosk countdown), as after an expiry the server
		// found. It lives in a new anonymous session, never in the URL.
		wantNotice string
	}{
		{"button", nil, nil, "signout/ok/" + authClinician, signedOutNotice},
		{"kiosk countdown", url.Values{"reason": {"timeout"}}, nil, "timeout/ok/" + authClinician, expiredNotice},
		{"htmx", nil, map[string]string{"HX-Request": "true"}, "signout/ok/" + authClinician, signedOutNotice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, authOptions{})
			b := env.browser()
			b.signIn(authClinician)
			signedIn := b.cookie
			r := b.post("/signout", tt.form, tt.hdr)
			if tt.hdr["HX-Request"] == "true" {
				if r.Header.Get("HX-Redirect") != "/signin" {
					t.Errorf("htmx sign-out: HX-Redirect = %q, want /signin", r.Header.Get("HX-Redirect"))
				}
			} else if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
				t.Fatalf("sign-out = %d → %q, want 303 → /signin", r.StatusCode, r.Header.Get("Location"))
			}
			if got := r.Header.Get("Clear-Site-Data"); got != `"cache", "storage"` {
				t.Errorf("Clear-Site-Data = %q", got)
			}
			switch {
			case len(r.cookies) != 1:
				t.Errorf("Set-Cookie %v, want exactly one", r.Header.Values("Set-Cookie"))
			case r.cookies[0].MaxAge < 0 || r.cookies[0].Value == signedIn:
				t.Errorf("Set-Cookie %v, want a new anonymous session carrying the notice", r.Header.Values("Set-Cookie"))
			}
			if got := env.auditTrail(); !slices.Equal(got, []string{"signin/ok/" + authClinician, tt.wantAudit}) {
				t.Errorf("audit = %q", got)
			}
			// The sign-in page the browser lands on says why only after the countdown, and once.
			for i, want := range []string{tt.wantNotice, ""} {
				got := strings.TrimSpace(b.get("/signin", nil).doc(t).Find(`[data-testid="signin-notice"]`).Text())
				if got != want {
					t.Errorf("sign-in page visit %d: notice %q, want %q", i+1, got, want)
				}
			}
			// The signed-in cookie is dead, and the sign-in page does not claim it expired.
			replay := env.browser()
			replay.cookie = signedIn
			if r := replay.get("/", nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
				t.Errorf("post-sign-out cookie on / = %d → %q, want 303 → /signin", r.StatusCode, r.Header.Get("Location"))
			}
			if n := replay.get("/signin", nil).doc(t).Find(`[data-testid="signin-notice"]`).Length(); n != 0 {
				t.Error("expiry notice shown after a deliberate sign-out")
			}
		})
	}
}

func TestExpiredSession(t *testing.T) {
	tests := []struct {
		name         string
		method       string
		path         string
		hdr          map[string]string
		wantHX       bool
		wantLocation string
	}{
		{"full page", http.MethodGet, "/", nil, false, "/signin"},
		{"full page with next", http.MethodGet, "/admin/audit", nil, false, "/signin?next=%2Fadmin%2Faudit"},
		// A chart's handle dies with the session, so it is no place to return to after sign-in.
		{"chart page", http.MethodGet, "/chart/h1?x=1", nil, false, "/signin"},
		{"htmx fragment", http.MethodGet, "/chart/h1/labs", map[string]string{"HX-Request": "true", "HX-Current-URL": "{app}/chart/h1"}, true, "/signin"},
		{"htmx boosted", http.MethodGet, "/", map[string]string{"HX-Request": "true", "HX-Boosted": "true"}, true, "/signin"},
		{"htmx history restore", http.MethodGet, "/", map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"}, true, "/signin"},
		{"htmx form post without valid token", http.MethodPost, "/lookup", map[string]string{"HX-Request": "true"}, true, "/signin"},
		{"form post", http.MethodPost, "/lookup", nil, false, "/signin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, authOptions{})
			b := env.browser()
			b.signIn(authClinician)
			env.clock.Advance(authIdle + time.Second)
			hdr := map[string]string{}
			for k, v := range tt.hdr {
				hdr[k] = strings.ReplaceAll(v, "{app}", env.app.URL)
			}
			var form url.Values
			if tt.method == http.MethodPost {
				form = url.Values{"mrn": {"203713"}}
			}
			r := b.do(tt.method, tt.path, form, hdr)
			if tt.wantHX {
				if r.StatusCode >= 300 || r.Header.Get("HX-Redirect") != tt.wantLocation {
					t.Fatalf("= %d, HX-Redirect %q, want HX-Redirect %q", r.StatusCode, r.Header.Get("HX-Redirect"), tt.wantLocation)
				}
				if strings.Contains(r.body, "signin") || strings.Contains(r.body, "<form") {
					t.Errorf("htmx got sign-in markup to swap into the chart: %q", r.body)
				}
			} else if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != tt.wantLocation {
				t.Fatalf("= %d → %q, want 303 → %q", r.StatusCode, r.Header.Get("Location"), tt.wantLocation)
			}
			if len(r.cookies) != 1 {
				t.Errorf("Set-Cookie %v, want exactly one", r.Header.Values("Set-Cookie"))
			}
			want := []string{"signin/ok/" + authClinician, "timeout/ok/" + authClinician}
			if got := env.auditTrail(); !slices.Equal(got, want) {
				t.Errorf("audit = %q, want %q", got, want)
			}
			// The sign-in page says why, once.
			for i, wantNotice := range []bool{true, false} {
				got := b.get("/signin", nil).doc(t).Find(`[data-testid="signin-notice"]`).Length() == 1
				if got != wantNotice {
					t.Errorf("sign-in page visit %d: expiry notice %v, want %v", i+1, got, wantNotice)
				}
			}
		})
	}
}

func TestIdleSessionExpiresWhileStaticAssetsLoad(t *testing.T) {
	env := newAuthEnv(t, authOptions{})
	b := env.browser()
	b.signIn(authClinician)
	for range 16 {
		env.clock.Advance(time.Minute)
		if r := b.get("/static/css/app.css", nil); r.StatusCode != http.StatusOK || len(r.cookies) != 0 {
			t.Fatalf("static asset: %d, Set-Cookie %v; want 200 without touching the session", r.StatusCode, r.Header.Values("Set-Cookie"))
		}
	}
	if r := b.get("/", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("GET / after 16 idle minutes of static fetches = %d, want 303 to sign-in", r.StatusCode)
	}
}

func TestKeepAlive(t *testing.T) {
	env := newAuthEnv(t, authOptions{kiosk: true, idle: 3 * time.Minute})
	b := env.browser()
	b.signIn(authClinician)
	for range 3 {
		env.clock.Advance(150 * time.Second)
		r := b.post("/session/keepalive", nil, map[string]string{"X-CSRF-Token": b.csrf})
		// The session is saved, but its token and cookie are unchanged: no Set-Cookie.
		if r.StatusCode != http.StatusNoContent || len(r.cookies) != 0 {
			t.Fatalf("keepalive = %d, Set-Cookie %v; want 204 and no cookie", r.StatusCode, r.Header.Values("Set-Cookie"))
		}
	}
	if r := b.get("/", nil); r.StatusCode != http.StatusOK {
		t.Errorf("after 7.5 min kept alive: GET / = %d, want 200", r.StatusCode)
	}
	env.clock.Advance(181 * time.Second)
	r := b.post("/session/keepalive", nil, map[string]string{"X-CSRF-Token": b.csrf})
	if r.StatusCode == http.StatusNoContent {
		t.Error("keepalive revived an expired session")
	}
}

func TestKioskPage(t *testing.T) {
	tests := []struct {
		name        string
		kiosk       bool
		wantWarning bool
	}{
		{"kiosk", true, true},
		{"desk", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idle := 3 * time.Minute
			env := newAuthEnv(t, authOptions{kiosk: tt.kiosk, idle: idle})
			b := env.browser()
			b.openSignIn("/signin")
			r := b.post("/signin", url.Values{"username": {authClinician}, "password": {authPassword}}, nil)
			if len(r.cookies) != 1 {
				t.Fatalf("Set-Cookie %v", r.Header.Values("Set-Cookie"))
			}
			if persistent := r.cookies[0].MaxAge > 0; persistent == tt.kiosk {
				t.Errorf("cookie persistent = %v in kiosk=%v mode (%s)", persistent, tt.kiosk, r.cookies[0])
			}
			d := b.get("/", nil).doc(t)
			w := d.Find("#kiosk-warning")
			if got := w.Length() == 1; got != tt.wantWarning {
				t.Fatalf("kiosk warning present = %v, want %v", got, tt.wantWarning)
			}
			if !tt.wantWarning {
				return
			}
			// The countdown runs from the browser's last request, so it gets the time the session is
			// sure to last after one: 3 min less the 9 s activity granularity.
			if got, _ := w.Attr("data-idle-seconds"); got != "171" {
				t.Errorf("data-idle-seconds = %q, want 171", got)
			}
			if got, _ := w.Attr("data-warn-seconds"); got != "30" {
				t.Errorf("data-warn-seconds = %q, want 30", got)
			}
			if !strings.Contains(w.Find("#kiosk-stay").Text(), "Stay signed in") {
				t.Error("no Stay signed in button")
			}
			if d.Find(`script[src="/static/js/kiosk.js"]`).Length() != 1 {
				t.Error("kiosk.js not loaded")
			}
		})
	}
}

func TestKioskScriptServed(t *testing.T) {
	env := newAuthEnv(t, authOptions{})
	r := env.browser().get("/static/js/kiosk.js", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET kiosk.js = %d", r.StatusCode)
	}
	for _, want := range []string{"kiosk-warning", "/session/keepalive", "location.replace", `"reason", reason`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("kiosk.js lacks %q", want)
		}
	}
	if strings.Contains(r.body, "eval(") || strings.Contains(r.body, "innerHTML") {
		t.Error("kiosk.js uses eval or innerHTML")
	}
}
