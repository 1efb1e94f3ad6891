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
		{"local page", "/admin/audit?f=abc123", "/admin/audit?f=abc123"},
		// A chart handle belongs to the session that ended; after sign-in it only said "Page not
		// found", so the clinician lands on the lookup page instead.
		{"chart of the ended session", "/chart/abc123?tab=labs", "/"},
		{"chart section", "/chart/abc123/labs", "/"},
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
	// The page says which refusal it was: an expired form is fixed by reloading; a request from
	// another site is not Chartside's page at all.
	const expired, foreign = "This form has expired", "did not come from a Chartside page"
	tests := []struct {
		name string
		form url.Values
		hdr  map[string]string
		says string
	}{
		{"no token", url.Values{"csrf_token": {""}}, nil, expired},
		{"token from another session", nil, nil, expired}, // filled below
		{"cross-site post with a valid token", nil, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, foreign},
		{"foreign Origin, no Sec-Fetch-Site", nil, map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}, foreign},
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
			if !strings.Contains(r.body, tt.says) {
				t.Errorf("the refusal page does not say %q:\n%s", tt.says, r.body)
			}
			if got := env.auditTrail(); len(got) != 0 {
				t.Errorf("a refused request reached the handler: audit %q", got)
			}
		})
	}
}
