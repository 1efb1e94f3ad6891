package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/handlers"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/staff"
	"github.com/chartside/chartside/static"
)

// The sign-in tests run the whole echo stack (Routes: middleware, error handler, sessions, CSRF)
// over real HTTP with real staff accounts, audit trail and session store on SQLite. Time is a
// fake clock shared by the session manager and the throttle, so idle timeouts are tested by
// moving it, not by sleeping.

const (
	authPassword  = "correct horse battery"
	authClinician = "nurse.ana"
	authAdmin     = "it.admin"
	authIdle      = 15 * time.Minute
)

type authClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *authClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *authClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type authEnv struct {
	t     *testing.T
	app   *httptest.Server
	mgr   *sessions.Manager
	audit *audit.Log
	staff *staff.Store
	clock *authClock
	db    *db.DB
}

type authOptions struct {
	sandbox bool
	kiosk   bool
	idle    time.Duration
	// realClock makes the session manager use the wall clock, for the real-browser test where
	// JavaScript timers run in real time.
	realClock bool
}

// cheapHash keeps argon2id fast in tests; production uses staff.DefaultHashParams.
var cheapHash = staff.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newAuthEnv(t *testing.T, opt authOptions) *authEnv {
	t.Helper()
	if opt.idle == 0 {
		opt.idle = authIdle
	}
	clock := &authClock{now: time.Now()}
	d := dbtest.New(t, db.SQLite)
	st := staff.NewStore(d, clock.Now, staff.WithHashParams(cheapHash), staff.WithThrottle(
		staff.ThrottlePolicy{FreeFailures: 3, BaseDelay: time.Minute, MaxDelay: time.Hour, LockFailures: 20, Window: time.Hour, LockDuration: time.Hour},
		staff.DefaultAddressPolicy(),
	))
	ctx := context.Background()
	for _, a := range []struct {
		name string
		role staff.Role
	}{{authClinician, staff.RoleClinician}, {authAdmin, staff.RoleAdmin}, {"gone.user", staff.RoleClinician}} {
		if _, err := st.Add(ctx, a.name, authPassword, a.role); err != nil {
			t.Fatalf("add %s: %v", a.name, err)
		}
	}
	if err := st.Disable(ctx, "gone.user"); err != nil {
		t.Fatal(err)
	}
	log := audit.New(d, nil)
	sessOpts := sessions.Options{IdleTimeout: opt.idle, Kiosk: opt.kiosk, Now: clock.Now}
	if opt.realClock {
		sessOpts.Now = nil
	}
	mgr := sessions.New(sessions.NewSQLStore(d), sessOpts)
	srv := handlers.NewServer(handlers.Deps{
		Logger:   slog.New(slog.DiscardHandler),
		Static:   static.FS(),
		Sessions: mgr,
		Audit:    log,
		Staff:    st,
		Accounts: st,
		Settings: handlers.Settings{Sandbox: opt.sandbox, Kiosk: opt.kiosk, Location: time.UTC, Now: clock.Now},
	})
	app := httptest.NewServer(srv.Routes())
	t.Cleanup(func() {
		app.Close()
		srv.Wait()
	})
	return &authEnv{t: t, app: app, mgr: mgr, audit: log, staff: st, clock: clock, db: d}
}

// authBrowser keeps the session cookie itself (no cookie jar) so tests can see every Set-Cookie.
type authBrowser struct {
	env    *authEnv
	cookie string
	csrf   string
}

func (env *authEnv) browser() *authBrowser { return &authBrowser{env: env} }

type authReply struct {
	*http.Response
	body    string
	cookies []*http.Cookie // Set-Cookie headers for the session cookie
}

func (r authReply) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}

func (b *authBrowser) do(method, path string, form url.Values, hdr map[string]string) authReply {
	t := b.env.t
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.env.app.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet {
		// What a current browser sends with a same-origin form post.
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", b.env.app.URL)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	if b.cookie != "" {
		req.AddCookie(&http.Cookie{Name: b.env.mgr.CookieName(), Value: b.cookie})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := authReply{Response: resp, body: string(raw)}
	for _, ck := range resp.Cookies() {
		if ck.Name != b.env.mgr.CookieName() {
			continue
		}
		r.cookies = append(r.cookies, ck)
		if ck.MaxAge < 0 {
			b.cookie = ""
		} else {
			b.cookie = ck.Value
		}
	}
	return r
}

func (b *authBrowser) get(path string, hdr map[string]string) authReply {
	b.env.t.Helper()
	return b.do(http.MethodGet, path, nil, hdr)
}

// post submits a form with the page's CSRF token in the form field.
func (b *authBrowser) post(path string, form url.Values, hdr map[string]string) authReply {
	b.env.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", b.csrf)
	}
	return b.do(http.MethodPost, path, form, hdr)
}

// openSignIn loads the sign-in page and keeps its CSRF token.
func (b *authBrowser) openSignIn(path string) authReply {
	b.env.t.Helper()
	r := b.get(path, nil)
	if r.StatusCode != http.StatusOK {
		b.env.t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	b.csrf, _ = r.doc(b.env.t).Find(`form[data-testid="signin-form"] input[name="csrf_token"]`).Attr("value")
	return r
}

func (b *authBrowser) signIn(username string) {
	b.env.t.Helper()
	b.openSignIn("/signin")
	r := b.post("/signin", url.Values{"username": {username}, "password": {authPassword}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		b.env.t.Fatalf("sign in as %s: %d\n%s", username, r.StatusCode, r.body)
	}
	b.refreshCSRF()
}

// refreshCSRF reads the signed-in page's token (the token changes at sign-in).
func (b *authBrowser) refreshCSRF() {
	b.env.t.Helper()
	r := b.get("/", nil)
	if r.StatusCode != http.StatusOK {
		b.env.t.Fatalf("GET / signed in: %d", r.StatusCode)
	}
	b.csrf, _ = r.doc(b.env.t).Find(`form[action="/signout"] input[name="csrf_token"]`).Attr("value")
	if b.csrf == "" {
		b.env.t.Fatal("signed-in page has no sign-out form with a CSRF token")
	}
}

// auditTrail returns "action/outcome/username" for every record, oldest first.
func (env *authEnv) auditTrail() []string {
	env.t.Helper()
	recs, err := env.audit.Query(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		env.t.Fatalf("audit query: %v", err)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Seq < recs[j].Seq })
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		if r.Action == audit.ActionAccountChange {
			continue
		}
		out = append(out, r.Action+"/"+r.Outcome+"/"+r.Username)
	}
	return out
}
