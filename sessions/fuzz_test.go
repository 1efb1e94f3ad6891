package sessions

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/db/dbtest"
)

// unmask recovers the session secret a CSRF token carries (see CSRFToken), independently of
// validCSRF, or nil when the token is not shaped like one.
func unmask(token string) []byte {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 2*csrfSecretLen {
		return nil
	}
	out := make([]byte, csrfSecretLen)
	for i := range out {
		out[i] = raw[i] ^ raw[csrfSecretLen+i]
	}
	return out
}

// FuzzSessionAndCSRF sends requests with arbitrary cookies, CSRF tokens (header and form field),
// Origin, Sec-Fetch-Site, content types and bodies through the session and CSRF middleware on a
// real SQL store. Properties: nothing panics or fails with a server error; only the one real
// session cookie is ever signed in; a state-changing request reaches its handler only with that
// cookie, a same-origin browser signal and a token carrying that session's secret; and a response
// never sets the session cookie twice.
func FuzzSessionAndCSRF(f *testing.F) {
	m := New(NewSQLStore(dbtest.SQLite(f).Open(f)), Options{})
	e := echo.New()
	var reached bool
	var presented string // the token the request carried, as the CSRF check read it
	g := e.Group("", m.Middleware(), m.CSRF())
	g.GET("/form", func(c echo.Context) error { return c.String(http.StatusOK, m.CSRFToken(c.Request().Context())) })
	g.POST("/signin", func(c echo.Context) error {
		if err := m.SignIn(c.Request().Context(), 7, "fuzz", "clinician"); err != nil {
			return err
		}
		return c.String(http.StatusOK, m.CSRFToken(c.Request().Context()))
	})
	g.GET("/me", func(c echo.Context) error {
		if _, ok := m.User(c.Request().Context()); ok {
			return c.String(http.StatusOK, "signed in")
		}
		return c.String(http.StatusUnauthorized, "anonymous")
	})
	g.Match([]string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}, "/action", func(c echo.Context) error {
		reached = true
		if presented = c.Request().Header.Get(CSRFHeader); presented == "" {
			presented = c.FormValue(CSRFFormField)
		}
		return c.String(http.StatusOK, "done")
	})
	serve := func(req *http.Request) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	cookieOf := func(rec *httptest.ResponseRecorder) string {
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == m.CookieName() {
				return ck.Value
			}
		}
		return ""
	}

	// One real signed-in session: an anonymous visit for the first token, then sign-in.
	rec := serve(httptest.NewRequest(http.MethodGet, "/form", nil))
	anonCookie, anonToken := cookieOf(rec), rec.Body.String()
	req := httptest.NewRequest(http.MethodPost, "/signin", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set(CSRFHeader, anonToken)
	req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: anonCookie})
	rec = serve(req)
	cookie, token := cookieOf(rec), rec.Body.String()
	if rec.Code != http.StatusOK || cookie == "" || token == "" {
		f.Fatalf("sign in: %d cookie %q", rec.Code, cookie)
	}
	secret := unmask(token)

	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead}
	f.Add(uint8(1), cookie, token, "", "same-origin", "", "application/x-www-form-urlencoded", "")
	f.Add(uint8(1), cookie, "", token, "", "", "application/x-www-form-urlencoded", "")
	f.Add(uint8(1), cookie, token, "", "cross-site", "https://evil.example", "", "")
	f.Add(uint8(1), cookie, token[:len(token)-1]+"A", "", "same-origin", "", "", "")
	f.Add(uint8(1), "x", token, "", "same-origin", "", "", "")
	f.Add(uint8(0), cookie, "", "", "", "", "", "")
	f.Add(uint8(2), cookie+"=", "", token, "", "http://example.com", "text/plain", "csrf_token=x")
	f.Add(uint8(3), "", "", "", "none", "null", "multipart/form-data; boundary=x", "--x\r\n")
	f.Fuzz(func(t *testing.T, method uint8, ck, hdrToken, formToken, fetchSite, origin, ctype, body string) {
		reached, presented = false, ""
		meth := methods[int(method)%len(methods)]
		target := "/action"
		if meth == http.MethodGet || meth == http.MethodHead {
			target = "/me"
		}
		form := body
		if formToken != "" {
			form = CSRFFormField + "=" + formToken + "&" + body
		}
		req := httptest.NewRequest(meth, target, strings.NewReader(form))
		if ctype != "" {
			req.Header.Set(echo.HeaderContentType, ctype)
		}
		for k, v := range map[string]string{CSRFHeader: hdrToken, "Sec-Fetch-Site": fetchSite, "Origin": origin} {
			if v != "" && !strings.ContainsAny(v, "\r\n\x00") {
				req.Header.Set(k, v)
			}
		}
		if ck != "" {
			// Set the header raw: the fuzzer's cookie may be anything a client can send.
			req.Header.Set("Cookie", m.CookieName()+"="+ck)
		}
		rec := serve(req)
		if rec.Code >= 500 {
			t.Fatalf("%s with cookie %q: status %d %q", meth, ck, rec.Code, rec.Body.String())
		}
		var set int
		for _, c := range rec.Result().Cookies() {
			if c.Name == m.CookieName() {
				set++
			}
		}
		if set > 1 {
			t.Fatalf("%s: %d session Set-Cookie headers", meth, set)
		}
		if target == "/me" && rec.Code == http.StatusOK && meth == http.MethodGet && ck != cookie {
			t.Fatalf("cookie %q (not the real one) is signed in", ck)
		}
		if reached {
			got := unmask(presented)
			if ck != cookie || got == nil || subtle.ConstantTimeCompare(got, secret) != 1 {
				t.Fatalf("%s reached the handler with cookie %q and token %q", meth, ck, presented)
			}
			if fs := req.Header.Get("Sec-Fetch-Site"); fs != "" && fs != "same-origin" && fs != "none" {
				t.Fatalf("%s reached the handler with Sec-Fetch-Site %q", meth, fs)
			}
		}
	})
}
