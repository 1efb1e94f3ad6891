package sessions

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/chartside/chartside/db/dbtest"
)

func sqliteStore(t *testing.T) scs.Store { return NewSQLStore(dbtest.SQLite(t).Open(t)) }

// TestSetCookieAtMostOnce checks every path a response can take writes at
// most one session Set-Cookie, and one only when the browser must learn a new
// token or drop its cookie.
func TestSetCookieAtMostOnce(t *testing.T) {
	tests := []struct {
		name        string
		prepare     func(b *browser)
		method      string
		target      string
		csrf        bool
		wantStatus  int
		wantCookies int  // Set-Cookie headers for the session cookie
		wantCleared bool // the one cookie deletes the session cookie
		wantNewTok  bool // the cookie value differs from the one sent
	}{
		{name: "first visit creates session for csrf", method: "GET", target: "/form", wantStatus: 200, wantCookies: 1, wantNewTok: true},
		{name: "no session and none needed", method: "GET", target: "/anon", wantStatus: 200, wantCookies: 0},
		{name: "anonymous session, success", prepare: (*browser).visitForm, method: "GET", target: "/anon", wantStatus: 200, wantCookies: 0},
		{name: "sign-in renews token", prepare: (*browser).visitForm, method: "POST", target: "/signin", csrf: true, wantStatus: 303, wantCookies: 1, wantNewTok: true},
		{name: "signed in, success", prepare: (*browser).signIn, method: "GET", target: "/me", wantStatus: 200, wantCookies: 0},
		{name: "signed in, handler error via error handler", prepare: (*browser).signIn, method: "GET", target: "/boom", wantStatus: 500, wantCookies: 0},
		{name: "anonymous session, echo.HTTPError", prepare: (*browser).visitForm, method: "GET", target: "/me", wantStatus: 401, wantCookies: 0},
		{name: "handler writes nothing", prepare: (*browser).signIn, method: "GET", target: "/nowrite", wantStatus: 200, wantCookies: 0},
		{name: "csrf refusal keeps session", prepare: (*browser).signIn, method: "POST", target: "/action", wantStatus: 403, wantCookies: 0},
		// The signed-in session is destroyed; the one cookie names a fresh anonymous session that
		// carries "you have signed out" (NoticeSignedOut) to the sign-in page.
		{name: "sign-out destroys, fresh one with notice", prepare: (*browser).signIn, method: "POST", target: "/signout", csrf: true, wantStatus: 303, wantCookies: 1, wantNewTok: true},
		{name: "unknown cookie is cleared", prepare: func(b *browser) { b.cookie = "forged" }, method: "GET", target: "/anon", wantStatus: 200, wantCookies: 1, wantCleared: true},
		{
			name: "expired session gets fresh one with notice",
			prepare: func(b *browser) {
				b.signIn()
				b.h.clock.Advance(16 * time.Minute)
			},
			method: "GET", target: "/me", wantStatus: 401, wantCookies: 1, wantNewTok: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, sqliteStore(t), Options{IdleTimeout: 15 * time.Minute})
			b := h.browser(t)
			if tt.prepare != nil {
				tt.prepare(b)
			}
			sent := b.cookie
			hdr := http.Header{}
			if tt.csrf {
				hdr.Set(CSRFHeader, b.csrf)
			}
			res := b.do(tt.method, tt.target, hdr, nil)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.wantStatus)
			}
			cks := sessionCookies(res, h.m.CookieName())
			if len(cks) != tt.wantCookies {
				t.Fatalf("got %d session Set-Cookie headers (%v), want %d", len(cks), res.Header.Values("Set-Cookie"), tt.wantCookies)
			}
			if len(cks) == 0 {
				return
			}
			ck := cks[0]
			if got := ck.MaxAge < 0; got != tt.wantCleared {
				t.Errorf("cookie cleared = %v, want %v (%s)", got, tt.wantCleared, ck)
			}
			if !tt.wantCleared {
				if got := ck.Value != sent; got != tt.wantNewTok {
					t.Errorf("new token = %v, want %v", got, tt.wantNewTok)
				}
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
				t.Errorf("cookie attributes = %s, want HttpOnly; SameSite=Lax; Path=/; no Domain", ck)
			}
		})
	}
}

func TestCookieAttributes(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		wantName    string
		wantSecure  bool
		wantPersist bool
	}{
		{"http", Options{}, "chartside", false, true},
		{"https", Options{Secure: true}, "__Host-chartside", true, true},
		{"https kiosk", Options{Secure: true, Kiosk: true}, "__Host-chartside", true, false},
		{"http kiosk", Options{Kiosk: true}, "chartside", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, sqliteStore(t), tt.opts)
			res := h.browser(t).do(http.MethodGet, "/form", nil, nil)
			cks := sessionCookies(res, tt.wantName)
			if len(cks) != 1 {
				t.Fatalf("Set-Cookie = %v, want one %s cookie", res.Header.Values("Set-Cookie"), tt.wantName)
			}
			ck := cks[0]
			if ck.Secure != tt.wantSecure {
				t.Errorf("Secure = %v, want %v", ck.Secure, tt.wantSecure)
			}
			if got := ck.MaxAge > 0 && !ck.Expires.IsZero(); got != tt.wantPersist {
				t.Errorf("persistent = %v (Max-Age %d, Expires %v), want %v", got, ck.MaxAge, ck.Expires, tt.wantPersist)
			}
			if got := res.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
		})
	}
}

// TestReplayRejected checks, on every store, that neither the cookie from
// before sign-in nor the one from before sign-out opens a session.
func TestReplayRejected(t *testing.T) {
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, sc.open(t), Options{})
			b := h.browser(t)
			b.visitForm()
			preSignIn := b.cookie
			b.signIn()
			signedIn := b.cookie
			if res := b.do(http.MethodGet, "/me", nil, nil); res.StatusCode != http.StatusOK {
				t.Fatalf("signed in /me = %d, want 200", res.StatusCode)
			}
			if preSignIn == signedIn {
				t.Fatal("token not renewed at sign-in")
			}
			if res := b.post("/signout"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign out = %d, want 303", res.StatusCode)
			}

			for _, tt := range []struct{ name, cookie string }{
				{"pre-sign-in cookie", preSignIn},
				{"post-sign-out cookie", signedIn},
			} {
				attacker := h.browser(t)
				attacker.cookie = tt.cookie
				res := attacker.do(http.MethodGet, "/me", nil, nil)
				if got := body(t, res); res.StatusCode != http.StatusUnauthorized || got != "anonymous" {
					t.Errorf("%s: /me = %d %q, want 401 anonymous", tt.name, res.StatusCode, got)
				}
				if attacker.cookie != "" {
					t.Errorf("%s: replayed cookie not cleared", tt.name)
				}
			}
		})
	}
}

func TestIdleTimeout(t *testing.T) {
	const idle = 3 * time.Minute
	tests := []struct {
		name     string
		activity func(b *browser) // what happens during the first 2.5 minutes
		wantMe   int              // /me status at 3.5 minutes since sign-in
	}{
		{"no activity", func(b *browser) {}, http.StatusUnauthorized},
		{"static assets only", func(b *browser) {
			for range 5 {
				b.h.clock.Advance(30 * time.Second)
				b.do(http.MethodGet, "/static/app.css", nil, nil)
			}
		}, http.StatusUnauthorized},
		{"keep-alive at 2.5 min", func(b *browser) {
			b.h.clock.Advance(150 * time.Second)
			if res := b.post("/keepalive"); res.StatusCode != http.StatusNoContent {
				b.t.Fatalf("keepalive = %d", res.StatusCode)
			}
		}, http.StatusOK},
		{"page view at 2.5 min", func(b *browser) {
			b.h.clock.Advance(150 * time.Second)
			b.do(http.MethodGet, "/anon", nil, nil)
		}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, sqliteStore(t), Options{IdleTimeout: idle, Kiosk: true})
			b := h.browser(t)
			start := h.clock.Now()
			b.signIn()
			tt.activity(b)
			h.clock.Advance(start.Add(210 * time.Second).Sub(h.clock.Now()))
			res := b.do(http.MethodGet, "/me", nil, nil)
			if res.StatusCode != tt.wantMe {
				t.Fatalf("/me at 3.5 min = %d %q, want %d", res.StatusCode, body(t, res), tt.wantMe)
			}
			if tt.wantMe != http.StatusUnauthorized {
				return
			}
			if got := body(t, res); got != "expired:"+testUsername {
				t.Errorf("/me body = %q, want the expired user reported", got)
			}
			// The notice survives the redirect to the sign-in page, once.
			for i, want := range []string{"notice=true", "notice=false"} {
				if got := body(t, b.do(http.MethodGet, "/signin", nil, nil)); got != want {
					t.Errorf("sign-in page visit %d: %q, want %q", i+1, got, want)
				}
			}
		})
	}
}

func TestLifetimeEndsActiveSession(t *testing.T) {
	h := newHarness(t, sqliteStore(t), Options{IdleTimeout: time.Hour, Lifetime: 2 * time.Hour})
	b := h.browser(t)
	b.signIn()
	// Active every 30 minutes, well inside the idle timeout: still signed
	// out once the 2 h lifetime has passed.
	for i := range 5 {
		h.clock.Advance(30 * time.Minute)
		res := b.do(http.MethodGet, "/me", nil, nil)
		if want := map[bool]int{true: 200, false: 401}[i < 4]; res.StatusCode != want {
			t.Fatalf("after %d min: /me = %d, want %d", (i+1)*30, res.StatusCode, want)
		}
	}
}

// TestStoreExpiry uses real time (short sleeps) on every store: the store
// itself must stop returning a session after its lifetime or idle timeout,
// and the expiry marker must still let the app say "your session expired".
func TestStoreExpiry(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps")
	}
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, opts := range []Options{
				{Lifetime: time.Second},    // the store entry expires at the absolute deadline
				{IdleTimeout: time.Second}, // and one idle timeout after the last save
			} {
				h := newHarness(t, sc.open(t), opts)
				b := h.browser(t)
				b.signIn()
				time.Sleep(1200 * time.Millisecond)
				// The fake clock has not moved: only the store can have expired it.
				res := b.do(http.MethodGet, "/me", nil, nil)
				if got := body(t, res); res.StatusCode != http.StatusUnauthorized || got != "expired:"+testUsername {
					t.Errorf("%+v: /me after store expiry = %d %q, want 401 expired:%s", opts, res.StatusCode, got, testUsername)
				}
			}
		})
	}
}

func TestSignOutIsNotExpiry(t *testing.T) {
	h := newHarness(t, sqliteStore(t), Options{})
	b := h.browser(t)
	b.signIn()
	old := b.cookie
	b.post("/signout")
	b.cookie = old // even replaying the signed-out cookie
	if got := body(t, b.do(http.MethodGet, "/me", nil, nil)); got != "anonymous" {
		t.Errorf("/me after sign-out = %q, want anonymous", got)
	}
	if got := body(t, b.do(http.MethodGet, "/signin", nil, nil)); got != "notice=false" {
		t.Errorf("sign-in page after sign-out = %q, want no expiry notice", got)
	}
}

// TestSignOutIdleLeavesNotice: when the kiosk's countdown signs the browser
// out, the sign-in page says why once, as after an expiry the server found;
// the signed-in cookie is dead either way, and a browser that was not signed
// in is told nothing.
func TestSignOutIdleLeavesNotice(t *testing.T) {
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, sc.open(t), Options{Kiosk: true})
			b := h.browser(t)
			b.signIn()
			old := b.cookie
			if res := b.post("/signout-idle"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-out = %d %q, want 303", res.StatusCode, body(t, res))
			}
			if b.cookie == "" || b.cookie == old {
				t.Fatalf("after sign-out the cookie is %q, want a new anonymous session", b.cookie)
			}
			if got := body(t, b.do(http.MethodGet, "/me", nil, nil)); got != "anonymous" {
				t.Errorf("/me after sign-out = %q, want anonymous", got)
			}
			for i, want := range []string{"notice=true", "notice=false"} {
				if got := body(t, b.do(http.MethodGet, "/signin", nil, nil)); got != want {
					t.Errorf("sign-in page visit %d: %q, want %q", i+1, got, want)
				}
			}
			replay := h.browser(t)
			replay.cookie = old
			if got := body(t, replay.do(http.MethodGet, "/me", nil, nil)); got != "anonymous" {
				t.Errorf("/me with the signed-out cookie = %q, want anonymous", got)
			}

			anon := h.browser(t)
			anon.visitForm()
			anon.post("/signout-idle")
			if got := body(t, anon.do(http.MethodGet, "/signin", nil, nil)); got != "notice=false" {
				t.Errorf("sign-in page after an anonymous idle sign-out = %q, want no notice", got)
			}
		})
	}
}

func TestCorruptSessionDataSignsOut(t *testing.T) {
	d := dbtest.SQLite(t).Open(t)
	h := newHarness(t, NewSQLStore(d), Options{})
	b := h.browser(t)
	b.signIn()
	if _, err := d.Exec("UPDATE sessions SET data = x'00ff' WHERE token NOT LIKE 'm:%'"); err != nil {
		t.Fatal(err)
	}
	res := b.do(http.MethodGet, "/me", nil, nil)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/me with corrupt data = %d, want 401", res.StatusCode)
	}
	if b.cookie != "" {
		t.Errorf("cookie for undecodable session not cleared")
	}
}

func TestActiveSessions(t *testing.T) {
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, sc.open(t), Options{})
			alice, bob, anon := h.browser(t), h.browser(t), h.browser(t)
			alice.signIn()
			bob.signIn()
			anon.visitForm()
			bob.post("/signout")
			got, err := h.m.ActiveSessions(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got != 1 {
				t.Errorf("ActiveSessions = %d, want 1 (alice; bob signed out, anon not signed in)", got)
			}
			// Alice's session stays stored until its lifetime ends, but once idle it is not active.
			h.clock.Advance(DefaultIdleTimeout)
			if got, err := h.m.ActiveSessions(context.Background()); err != nil || got != 0 {
				t.Errorf("ActiveSessions after the idle timeout = %d, %v; want 0", got, err)
			}
		})
	}
}

func TestAccessorsWithoutMiddleware(t *testing.T) {
	m := New(nil, Options{})
	ctx := context.Background()
	if _, ok := m.User(ctx); ok {
		t.Error("User without middleware = true")
	}
	if got := m.CSRFToken(ctx); got != "" {
		t.Errorf("CSRFToken without middleware = %q", got)
	}
	if err := m.SignIn(ctx, 1, "x", "clinician"); !errors.Is(err, ErrNoSession) {
		t.Errorf("SignIn without middleware = %v, want ErrNoSession", err)
	}
	if err := m.SignOut(ctx); !errors.Is(err, ErrNoSession) {
		t.Errorf("SignOut without middleware = %v, want ErrNoSession", err)
	}
}

func TestFormFieldToken(t *testing.T) {
	h := newHarness(t, sqliteStore(t), Options{})
	b := h.browser(t)
	b.visitForm()
	res := b.do(http.MethodPost, "/action", nil, url.Values{CSRFFormField: {b.csrf}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("form post with csrf_token = %d %q, want 200", res.StatusCode, body(t, res))
	}
}
