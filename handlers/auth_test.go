package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func TestSignInPage(t *testing.T) {
	tests := []struct {
		name     string
		opt      authOptions
		wantDemo bool
	}{
		{"sandbox shows demo credentials", authOptions{sandbox: true}, true},
		{"real Epic hides them", authOptions{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, tt.opt)
			r := env.browser().get("/signin", nil)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d", r.StatusCode)
			}
			d := r.doc(t)
			for _, label := range []string{"Username", "Password"} {
				l := d.Find("label").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == label })
				id, _ := l.Attr("for")
				if l.Length() != 1 || d.Find("input#"+id).Length() != 1 {
					t.Errorf("no input labelled %q", label)
				}
			}
			if tok, _ := d.Find(`input[name="csrf_token"]`).Attr("value"); tok == "" {
				t.Error("form has no CSRF token")
			}
			if len(r.cookies) != 1 {
				t.Errorf("Set-Cookie %v, want exactly one session cookie", r.Header.Values("Set-Cookie"))
			}
			demo := d.Find(`[data-testid="demo-credentials"]`)
			if got := demo.Length() == 1; got != tt.wantDemo {
				t.Fatalf("demo credentials shown = %v, want %v", got, tt.wantDemo)
			}
			if tt.wantDemo && (!strings.Contains(demo.Text(), "demo") || !strings.Contains(demo.Text(), "chartside-demo")) {
				t.Errorf("demo box = %q, want username demo and password chartside-demo", demo.Text())
			}
			if d.Find(`script[src="/static/js/kiosk.js"]`).Length() != 1 || d.Find("script:not([src])").Length() != 0 {
				t.Error("want kiosk.js as an external script and no inline scripts")
			}
			if stale, _ := d.Find("form[data-stale-after-seconds]").Attr("data-stale-after-seconds"); stale != "840" {
				t.Errorf("data-stale-after-seconds = %q, want 840 (15 min idle less the 45 s activity granularity, less 15 s)", stale)
			}
		})
	}
}

func TestSignInSucceeds(t *testing.T) {
	env := newAuthEnv(t, authOptions{})
	b := env.browser()
	b.openSignIn("/signin")
	before := b.cookie
	r := b.post("/signin", url.Values{"username": {" Nurse.Ana "}, "password": {authPassword}}, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("POST /signin = %d → %q, want 303 → /\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	if len(r.cookies) != 1 || b.cookie == "" || b.cookie == before {
		t.Fatalf("sign-in Set-Cookie %v: want exactly one, with a new token", r.Header.Values("Set-Cookie"))
	}
	home := b.get("/", nil)
	d := home.doc(t)
	if home.StatusCode != http.StatusOK || !strings.Contains(d.Find(`[data-testid="signed-in-user"]`).Text(), authClinician) {
		t.Fatalf("GET / after sign-in = %d, want the page with the signed-in user", home.StatusCode)
	}
	if d.Find(`[data-testid="signout"]`).Length() != 1 {
		t.Error("no Sign out control on the signed-in page")
	}
	if got, want := env.auditTrail(), []string{"signin/ok/" + authClinician}; !slices.Equal(got, want) {
		t.Errorf("audit = %q, want %q", got, want)
	}

	// The cookie from before sign-in opens nothing.
	replay := env.browser()
	replay.cookie = before
	if r := replay.get("/", nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
		t.Errorf("pre-sign-in cookie on / = %d → %q, want 303 → /signin", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestSignInFailures(t *testing.T) {
	tests := []struct {
		name       string
		username   string
		password   string
		wantStatus int
		wantError  string // text in the page's error box
		wantField  string // field with a message, for 422
		wantAudit  []string
	}{
		{"wrong password", authClinician, "not the password", 401, "username or password is not right", "", []string{"signin_failed/failed/" + authClinician}},
		{"unknown user", "nobody", authPassword, 401, "username or password is not right", "", []string{"signin_failed/failed/nobody"}},
		{"disabled account", "gone.user", authPassword, 401, "username or password is not right", "", []string{"signin_failed/failed/gone.user"}},
		{"password typed as username is not recorded", "my secret pass!", authPassword, 401, "username or password is not right", "", []string{"signin_failed/failed/(unrecognised username)"}},
		{"empty username", "", authPassword, 422, "", "username", nil},
		{"empty password", authClinician, "", 422, "", "password", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, authOptions{})
			b := env.browser()
			b.openSignIn("/signin")
			r := b.post("/signin", url.Values{"username": {tt.username}, "password": {tt.password}}, nil)
			if r.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d\n%s", r.StatusCode, tt.wantStatus, r.body)
			}
			d := r.doc(t)
			if got := d.Find(`[data-testid="signin-error"]`).Text(); !strings.Contains(got, tt.wantError) || (tt.wantError == "") != (got == "") {
				t.Errorf("error box = %q, want %q", strings.TrimSpace(got), tt.wantError)
			}
			if tt.wantField != "" && d.Find(`[data-testid="`+tt.wantField+`-error"]`).Length() != 1 {
				t.Errorf("no message for field %s", tt.wantField)
			}
			if v, _ := d.Find(`input[name="password"]`).Attr("value"); v != "" {
				t.Error("password re-filled into the form")
			}
			if got := env.auditTrail(); !slices.Equal(got, tt.wantAudit) {
				t.Errorf("audit = %q, want %q", got, tt.wantAudit)
			}
			if r := b.get("/", nil); r.StatusCode != http.StatusSeeOther {
				t.Errorf("GET / after a failed sign-in = %d, want 303 to sign-in", r.StatusCode)
			}
		})
	}
}

func TestSignInThrottled(t *testing.T) {
	env := newAuthEnv(t, authOptions{})
	b := env.browser()
	b.openSignIn("/signin")
	for i := range 3 {
		if r := b.post("/signin", url.Values{"username": {authClinician}, "password": {"wrong password " + string(rune('a'+i))}}, nil); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, r.StatusCode)
		}
	}
	// Even the right password is refused while throttled, without being checked.
	r := b.post("/signin", url.Values{"username": {authClinician}, "password": {authPassword}}, nil)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th attempt: status %d, want 429\n%s", r.StatusCode, r.body)
	}
	if got := r.Header.Get("Retry-After"); got != "60" {
		t.Errorf("Retry-After = %q, want 60", got)
	}
	if got := r.doc(t).Find(`[data-testid="signin-error"]`).Text(); !strings.Contains(got, "Wait 1 minute") {
		t.Errorf("throttle message = %q, want the retry time", strings.TrimSpace(got))
	}
	want := []string{"signin_failed/failed/nurse.ana", "signin_failed/failed/nurse.ana", "signin_failed/failed/nurse.ana", "signin_failed/denied/nurse.ana"}
	if got := env.auditTrail(); !slices.Equal(got, want) {
		t.Errorf("audit = %q, want %q", got, want)
	}
	// After the wait, the right password works.
	env.clock.Advance(61 * time.Second)
	if r := b.post("/signin", url.Values{"username": {authClinician}, "password": {authPassword}}, nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("after the wait: status %d, want 303", r.StatusCode)
	}
}

func TestSignInNext(t *testing.T) {
	tests := []struct {
		name string
		next string
		want string
	}{
		{"local page", "/chart/abc123?tab=labs", "/chart/abc123?tab=labs"},
		{"none", "", "/"},
		{"protocol-relative", "//evil.example/x", "/"},
		{"backslash host", "/\\evil.example", "/"},
		{"absolute URL", "https://evil.example/", "/"},
		{"javascript scheme", "javascript:alert(1)", "/"},
		{"sign-in loop", "/signin", "/"},
		{"header injection", "/chart/a\r\nSet-Cookie: x=1", "/"},
	}
	for _, tt := range tests {
		// Names are explicit: a "#" in a subtest name ends up in the SQLite file URI (see report).
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, authOptions{})
			b := env.browser()
			page := b.openSignIn("/signin?" + url.Values{"next": {tt.next}}.Encode())
			hidden, _ := page.doc(t).Find(`input[name="next"]`).Attr("value")
			if want := strings.TrimPrefix(tt.want, "/"); want != "" && hidden != tt.want || want == "" && hidden != "" {
				t.Errorf("hidden next = %q, want %q", hidden, tt.want)
			}
			// The posted value is checked again: the form field is attacker-controlled too.
			r := b.post("/signin", url.Values{"username": {authClinician}, "password": {authPassword}, "next": {tt.next}}, nil)
			if got := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || got != tt.want {
				t.Errorf("redirect = %d %q, want 303 %q", r.StatusCode, got, tt.want)
			}
		})
	}
}

func TestSignInCSRF(t *testing.T) {
	tests := []struct {
		name string
		form url.Values
		hdr  map[string]string
	}{
		{"no token", url.Values{"csrf_token": {""}}, nil},
		{"token from another session", nil, nil}, // filled below
		{"cross-site post with a valid token", nil, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{"foreign Origin, no Sec-Fetch-Site", nil, map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t, authOptions{})
			b := env.browser()
			b.openSignIn("/signin")
			form := url.Values{"username": {authClinician}, "password": {authPassword}}
			for k, v := range tt.form {
				form[k] = v
			}
			if tt.name == "token from another session" {
				other := env.browser()
				other.openSignIn("/signin")
				form.Set("csrf_token", other.csrf)
			}
			r := b.post("/signin", form, tt.hdr)
			if r.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", r.StatusCode)
			}
			if got := env.auditTrail(); len(got) != 0 {
				t.Errorf("a refused request reached the handler: audit %q", got)
			}
		})
	}
}

func TestSignOut(t *testing.T) {
	tests := []struct {
		name      string
		form      url.Values
		hdr       map[string]string
		wantAudit string
	}{
		{"button", nil, nil, "signout/ok/" + authClinician},
		{"kiosk countdown", url.Values{"reason": {"timeout"}}, nil, "timeout/ok/" + authClinician},
		{"htmx", nil, map[string]string{"HX-Request": "true"}, "signout/ok/" + authClinician},
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
			if len(r.cookies) != 1 || r.cookies[0].MaxAge >= 0 {
				t.Errorf("Set-Cookie %v, want exactly one clearing the session", r.Header.Values("Set-Cookie"))
			}
			if got := env.auditTrail(); !slices.Equal(got, []string{"signin/ok/" + authClinician, tt.wantAudit}) {
				t.Errorf("audit = %q", got)
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
		{"full page with next", http.MethodGet, "/chart/h1?x=1", nil, false, "/signin?next=%2Fchart%2Fh1%3Fx%3D1"},
		{"htmx fragment", http.MethodGet, "/chart/h1/labs", map[string]string{"HX-Request": "true", "HX-Current-URL": "{app}/chart/h1"}, true, "/signin?next=%2Fchart%2Fh1"},
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
