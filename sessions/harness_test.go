package sessions

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
)

// fakeClock lets tests move time forward instead of sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is a minimal but real echo stack: the session and CSRF middleware,
// an error handler that renders like the real one (and ignores committed
// responses), a static route outside the session middleware, and handlers
// exercising every path a response can take.
type harness struct {
	e     *echo.Echo
	m     *Manager
	clock *fakeClock
}

const (
	testUserID   = 42
	testUsername = "alice"
)

func newHarness(t *testing.T, store scs.Store, opts Options) *harness {
	t.Helper()
	clock := &fakeClock{now: time.Now()}
	opts.Now = clock.Now
	m := New(store, opts)
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		code := http.StatusInternalServerError
		msg := "internal error"
		var he *echo.HTTPError
		switch {
		case errors.As(err, &he):
			code = he.Code
			msg = fmt.Sprint(he.Message)
		case errors.Is(err, ErrStoreUnavailable):
			code, msg = http.StatusServiceUnavailable, "try again"
		}
		c.String(code, msg)
	}
	// Static assets are served outside the session middleware, as the real
	// routes do, so fetching them never extends a session.
	e.GET("/static/app.css", func(c echo.Context) error { return c.String(http.StatusOK, "body{}") })

	g := e.Group("", m.Middleware(), m.CSRF())
	g.GET("/anon", func(c echo.Context) error { return c.String(http.StatusOK, "anon") })
	g.GET("/form", func(c echo.Context) error {
		return c.String(http.StatusOK, m.CSRFToken(c.Request().Context()))
	})
	g.POST("/signin", func(c echo.Context) error {
		if err := m.SignIn(c.Request().Context(), testUserID, testUsername, "clinician"); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/me")
	})
	g.GET("/me", func(c echo.Context) error {
		ctx := c.Request().Context()
		if u, ok := m.User(ctx); ok {
			return c.String(http.StatusOK, u.Username+"/"+u.Role)
		}
		if u, ok := m.Expired(ctx); ok {
			return echo.NewHTTPError(http.StatusUnauthorized, "expired:"+u.Username)
		}
		return echo.NewHTTPError(http.StatusUnauthorized, "anonymous")
	})
	g.GET("/boom", func(c echo.Context) error { return errors.New("boom") })
	g.GET("/nowrite", func(c echo.Context) error { return nil })
	g.GET("/signin", func(c echo.Context) error {
		return c.String(http.StatusOK, fmt.Sprintf("notice=%v", m.PopExpiredNotice(c.Request().Context())))
	})
	g.POST("/signout", func(c echo.Context) error {
		if err := m.SignOut(c.Request().Context()); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/signin")
	})
	g.POST("/signout-idle", func(c echo.Context) error {
		if err := m.SignOutIdle(c.Request().Context()); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/signin")
	})
	g.POST("/keepalive", func(c echo.Context) error {
		if err := m.Touch(c.Request().Context()); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
	g.POST("/open", func(c echo.Context) error {
		ctx := c.Request().Context()
		refs := []PatientRef{{Handle: "h1", PatientID: "p1"}}
		if err := m.PutPatientRefs(ctx, refs); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/me")
	})
	g.Match([]string{http.MethodGet, http.MethodPost, http.MethodDelete}, "/action",
		func(c echo.Context) error { return c.String(http.StatusOK, "done") })
	return &harness{e: e, m: m, clock: clock}
}

// browser keeps the session cookie between requests like a browser would.
type browser struct {
	t      *testing.T
	h      *harness
	cookie string // current session cookie value, "" when none
	csrf   string
}

func (h *harness) browser(t *testing.T) *browser { return &browser{t: t, h: h} }

// do sends a request through the echo stack and applies the response's
// session cookie. Unsafe methods are sent as a same-origin browser would.
func (b *browser) do(method, target string, hdr http.Header, form url.Values) *http.Response {
	b.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	if method != http.MethodGet {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	// Given headers replace the defaults; an empty value removes one.
	for k, vs := range hdr {
		req.Header.Del(k)
		for _, v := range vs {
			if v != "" {
				req.Header.Add(k, v)
			}
		}
	}
	if b.cookie != "" {
		req.AddCookie(&http.Cookie{Name: b.h.m.CookieName(), Value: b.cookie})
	}
	rec := httptest.NewRecorder()
	b.h.e.ServeHTTP(rec, req)
	res := rec.Result()
	for _, ck := range res.Cookies() {
		if ck.Name != b.h.m.CookieName() {
			continue
		}
		if ck.MaxAge < 0 {
			b.cookie = ""
		} else {
			b.cookie = ck.Value
		}
	}
	return res
}

// post sends an unsafe request carrying the current CSRF token in the htmx header.
func (b *browser) post(target string) *http.Response {
	b.t.Helper()
	return b.do(http.MethodPost, target, http.Header{CSRFHeader: {b.csrf}}, nil)
}

// visitForm loads a page with a form, picking up a CSRF token (and creating
// the anonymous session if there is none).
func (b *browser) visitForm() {
	b.t.Helper()
	res := b.do(http.MethodGet, "/form", nil, nil)
	b.csrf = body(b.t, res)
}

func (b *browser) signIn() {
	b.t.Helper()
	b.visitForm()
	if res := b.post("/signin"); res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in: status %d %q, want 303", res.StatusCode, body(b.t, res))
	}
	b.visitForm() // the CSRF secret changes at sign-in
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sessionCookies returns the Set-Cookie headers for the session cookie.
func sessionCookies(res *http.Response, name string) []*http.Cookie {
	var out []*http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == name {
			out = append(out, ck)
		}
	}
	return out
}
