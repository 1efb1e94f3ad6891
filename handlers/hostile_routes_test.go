package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/views"
)

// Route classes. Every route in Routes() must be listed in routeClasses: a route added without a
// decision about who may use it fails TestEveryRouteIsClassified.
const (
	classInfra    = "infra"    // no session: health, metrics, JWK Set, favicon
	classStatic   = "static"   // embedded assets, publicly cacheable
	classPublic   = "public"   // signed-out pages (sign-in/out)
	classStaff    = "staff"    // patient data: a signed-in user
	classAdmin    = "admin"    // the audit trail: an admin
	classNotFound = "notfound" // echo's catch-all
)

var routeClasses = map[string]string{
	"GET /healthz":                  classInfra,
	"HEAD /healthz":                 classInfra,
	"GET /readyz":                   classInfra,
	"GET /metrics":                  classInfra,
	"GET /.well-known/jwks.json":    classInfra,
	"GET /favicon.ico":              classInfra,
	"GET /static/*":                 classStatic,
	"HEAD /static/*":                classStatic,
	"GET /signin":                   classPublic,
	"POST /signin":                  classPublic,
	"POST /signout":                 classPublic,
	"POST /session/keepalive":       classStaff,
	"GET /":                         classStaff,
	"POST /lookup":                  classStaff,
	"POST /lookup/choose":           classStaff,
	"GET /chart/:h":                 classStaff,
	"GET /chart/:h/print":           classStaff,
	"GET /chart/:h/vitals-strip":    classStaff,
	"GET /chart/:h/encounters":      classStaff,
	"GET /chart/:h/encounters/:ref": classStaff,
	"GET /chart/:h/vitals":          classStaff,
	"GET /chart/:h/labs":            classStaff,
	"GET /chart/:h/analyte":         classStaff,
	"GET /chart/:h/social":          classStaff,
	"GET /admin/audit":              classAdmin,
	"POST /admin/audit":             classAdmin,
	"GET /admin/audit/export":       classAdmin,
	echo.RouteNotFound + " /*":      classNotFound,
}

// routeTarget turns a route template into a concrete URL, with handle as the patient handle and
// encounter as the hostile encounter's sealed reference (encounterRef).
func routeTarget(path, handle, encounter string) string {
	r := strings.NewReplacer(":h", handle, ":ref", encounter, "*", "css/app.css")
	target := r.Replace(path)
	switch path {
	case "/chart/:h/analyte":
		target += "?" + url.Values{"code": {"http://loinc.org|" + hostileLOINC}}.Encode()
	case "/admin/audit/export":
		target += "?format=csv"
	}
	return target
}

// encounterRef is the last path segment of a drill-down link: the encounter's sealed reference.
func encounterRef(link string) string { return link[strings.LastIndex(link, "/")+1:] }

// routeKey is a route's entry in routeClasses.
func routeKey(r *echo.Route) string { return r.Method + " " + r.Path }

func TestEveryRouteIsClassified(t *testing.T) {
	env := newHostileEnv(t, hostileOptions{})
	seen := map[string]bool{}
	for _, r := range env.e.Routes() {
		k := routeKey(r)
		seen[k] = true
		if _, ok := routeClasses[k]; !ok {
			t.Errorf("route %q is not classified: add it to routeClasses (infra, static, public, staff or admin) so its access control and headers are tested", k)
		}
	}
	for k := range routeClasses {
		if !seen[k] {
			t.Errorf("routeClasses lists %q, which Routes() no longer has", k)
		}
	}
}

// TestAccessControlByRouteTable walks the route table: a signed-out user gets no patient or admin
// route (a redirect to sign-in, HX-Redirect for htmx, and no data), a clinician gets no admin
// route (403), and the right role does get through (so the refusals are not a broken route).
func TestAccessControlByRouteTable(t *testing.T) {
	env := newHostileEnv(t, hostileOptions{})
	clin := env.signedIn(hostileClinician)
	chart := clin.openHostileChart()
	handle := strings.TrimPrefix(chart, "/chart/")
	enc := encounterRef(clin.encounterLink(chart))
	admin := env.signedIn(hostileAdmin)

	for _, r := range env.e.Routes() {
		class := routeClasses[routeKey(r)]
		if class != classStaff && class != classAdmin {
			continue
		}
		target := routeTarget(r.Path, handle, enc)
		name := routeKey(r)

		// Signed out, with and without htmx: never the data, always the way to sign in.
		for _, hx := range []bool{false, true} {
			anon := env.anonymous()
			hdr := map[string]string{}
			if hx {
				hdr["HX-Request"] = "true"
			}
			var res reply
			if r.Method == http.MethodPost {
				res = anon.form(target, url.Values{"mrn": {hostileMRN}}, hdr)
			} else {
				res = anon.send(r.Method, target, nil, hdr)
			}
			switch {
			case hx && (res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("HX-Redirect"), views.SignInURL)):
				t.Errorf("%s signed out (htmx): %d HX-Redirect %q, want 200 to %s", name, res.StatusCode, res.Header.Get("HX-Redirect"), views.SignInURL)
			case !hx && (res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), views.SignInURL)):
				t.Errorf("%s signed out: %d Location %q, want 303 to %s", name, res.StatusCode, res.Header.Get("Location"), views.SignInURL)
			}
			if strings.Contains(res.body, "alert(") || strings.Contains(res.body, hostileMRN) || len(res.body) > 0 && hx {
				t.Errorf("%s signed out: the refusal has a body with content: %.200q", name, res.body)
			}
		}

		// A clinician: staff routes work, admin routes are 403.
		var res reply
		if r.Method == http.MethodPost {
			res = clin.form(target, url.Values{}, nil)
		} else {
			res = clin.send(r.Method, target, nil, nil)
		}
		switch class {
		case classAdmin:
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as a clinician: %d, want 403", name, res.StatusCode)
			}
			if strings.Contains(res.body, hostileClinician+",") || strings.Contains(res.body, "prev_hash") {
				t.Errorf("%s as a clinician: the 403 shows audit data", name)
			}
		case classStaff:
			if res.StatusCode == http.StatusForbidden || res.StatusCode >= 500 ||
				res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), views.SignInURL) {
				t.Errorf("%s as a clinician: %d %q, want the route to serve", name, res.StatusCode, res.Header.Get("Location"))
			}
		}

		// An admin gets the admin routes (the audit filter form, posted empty, sends the browser on
		// to the unfiltered page).
		if class == classAdmin {
			res, want := reply{}, http.StatusOK
			if r.Method == http.MethodPost {
				res, want = admin.form(target, url.Values{}, nil), http.StatusSeeOther
			} else {
				res = admin.send(r.Method, target, nil, nil)
			}
			if res.StatusCode != want {
				t.Errorf("%s as an admin: %d, want %d", name, res.StatusCode, want)
			}
		}
	}

	// A handle is only good in the session that made it: another clinician's session gets 404.
	other := env.signedIn(hostileClinician)
	if res := other.send(http.MethodGet, chart, nil, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another session opening %s: %d, want 404", chart, res.StatusCode)
	}
}

// checkSecurityHeaders applies the header rules every response must meet. staticAsset relaxes
// only Cache-Control (public assets are cacheable); secure says whether HSTS is expected.
func checkSecurityHeaders(t *testing.T, what string, res reply, staticAsset, secure bool) {
	t.Helper()
	h := res.Header
	csp := h.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			directives[name] = value
		}
	}
	switch {
	case csp == "":
		t.Errorf("%s: no Content-Security-Policy", what)
	case strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "unsafe-hashes"):
		t.Errorf("%s: CSP allows unsafe sources: %s", what, csp)
	case directives["frame-ancestors"] != "'none'":
		t.Errorf("%s: CSP frame-ancestors = %q, want 'none'", what, directives["frame-ancestors"])
	case directives["script-src"] != "'self'" && !(directives["script-src"] == "" && directives["default-src"] == "'self'"):
		t.Errorf("%s: CSP script-src = %q, want 'self' only", what, directives["script-src"])
	case directives["object-src"] != "'none'" || directives["base-uri"] == "":
		t.Errorf("%s: CSP lacks object-src 'none' or base-uri: %s", what, csp)
	case strings.Contains(csp, "*") || strings.Contains(csp, "http:") || strings.Contains(csp, "https:"):
		t.Errorf("%s: CSP allows other origins: %s", what, csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q", what, got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy = %q", what, got)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options = %q", what, got)
	}
	hsts := h.Get("Strict-Transport-Security")
	if secure && !strings.Contains(hsts, "max-age=") || !secure && hsts != "" {
		t.Errorf("%s: Strict-Transport-Security = %q with secure=%v", what, hsts, secure)
	}
	if cc := h.Get("Cache-Control"); !staticAsset && !strings.Contains(cc, "no-store") {
		t.Errorf("%s: Cache-Control = %q, want no-store", what, cc)
	}
}

// TestSecurityHeadersOnEveryResponse sends every route in the table (as a signed-out user, a
// clinician and an admin, as a page and as an htmx fragment) plus errors: unknown URLs, wrong
// methods, oversized and wrongly typed bodies, CSRF failures. Every response must carry the
// security headers, and everything but static assets must be no-store.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "https"}[secure], func(t *testing.T) {
			env := newHostileEnv(t, hostileOptions{secure: secure})
			agents := map[string]*agent{"signed out": env.anonymous()}
			handle, enc := "AAAAAAAAAAAAAAAAAAAAAA", "AAAA"
			if !secure {
				// The __Host- cookie is Secure and does not travel over the test's plain HTTP, so
				// signed-in requests are checked on the plain server only.
				clin := env.signedIn(hostileClinician)
				chart := clin.openHostileChart()
				handle, enc = strings.TrimPrefix(chart, "/chart/"), encounterRef(clin.encounterLink(chart))
				agents["clinician"] = clin
				agents["admin"] = env.signedIn(hostileAdmin)
			}
			for who, a := range agents {
				for _, r := range env.e.Routes() {
					class := routeClasses[routeKey(r)]
					method := r.Method
					path := r.Path
					if class == classNotFound {
						method, path = http.MethodGet, "/no/such/page"
					}
					target := routeTarget(path, handle, enc)
					for _, hdr := range []map[string]string{nil, {"HX-Request": "true"}} {
						var res reply
						if method == http.MethodPost {
							res = a.form(target, url.Values{}, hdr)
						} else {
							res = a.send(method, target, nil, hdr)
						}
						what := who + " " + method + " " + target
						if hdr != nil {
							what += " (htmx)"
						}
						// Public, non-PHI responses may be cached: assets and the JWK Set Epic fetches.
						cacheable := class == classStatic || r.Path == "/favicon.ico" || r.Path == "/.well-known/jwks.json"
						checkSecurityHeaders(t, what, res, cacheable, secure)
					}
				}
			}

			// Error responses made outside the handlers.
			a := agents["signed out"]
			errorCases := []struct {
				name   string
				method string
				path   string
				body   string
				hdr    map[string]string
				want   int
			}{
				{"unknown URL", http.MethodGet, "/etc/passwd", "", nil, http.StatusNotFound},
				{"unknown static", http.MethodGet, "/static/nope.js", "", nil, http.StatusNotFound},
				{"wrong method", http.MethodDelete, "/", "", nil, http.StatusMethodNotAllowed},
				{"wrong method on sign-in", http.MethodPut, "/signin", "", nil, http.StatusMethodNotAllowed},
				{"wrong method htmx", http.MethodPatch, "/lookup", "", map[string]string{"HX-Request": "true"}, http.StatusMethodNotAllowed},
				{"oversized form", http.MethodPost, "/signin", "username=" + strings.Repeat("a", 200<<10), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusRequestEntityTooLarge},
				{"JSON body", http.MethodPost, "/signin", `{"username":"x"}`, map[string]string{"Content-Type": "application/json"}, http.StatusUnsupportedMediaType},
				{"cross-site post", http.MethodPost, "/signin", "username=x", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
			}
			for _, ec := range errorCases {
				res := a.send(ec.method, ec.path, strings.NewReader(ec.body), ec.hdr)
				// A wrong method is refused by the catch-all route as 404 rather than 405; either
				// refuses the request before any handler runs.
				if res.StatusCode != ec.want && !(ec.want == http.StatusMethodNotAllowed && res.StatusCode == http.StatusNotFound) {
					t.Errorf("%s: status %d, want %d", ec.name, res.StatusCode, ec.want)
				}
				checkSecurityHeaders(t, ec.name, res, false, secure)
				if strings.Contains(res.body, "goroutine ") || strings.Contains(res.body, ".go:") {
					t.Errorf("%s: the error page shows a stack trace", ec.name)
				}
			}
			if secure {
				// A first visit: a browser that already has its cookie is not sent it again.
				res := env.anonymous().send(http.MethodGet, "/signin", nil, nil)
				var found bool
				for _, ck := range res.Cookies() {
					if ck.Name == "__Host-chartside" {
						found = ck.Secure && ck.HttpOnly && ck.Path == "/" && ck.Domain == ""
					}
				}
				if !found {
					t.Errorf("https: no Secure, HttpOnly __Host- session cookie: %q", res.Header.Values("Set-Cookie"))
				}
			}
		})
	}
}

// TestRequestBodiesAreChecked: size limits, form content types only (415 otherwise, before any
// handler decodes the body) and methods, on the signed-in routes where a body could do harm.
func TestRequestBodiesAreChecked(t *testing.T) {
	env := newHostileEnv(t, hostileOptions{})
	a := env.signedIn(hostileClinician)

	tests := []struct {
		name string
		path string
		ct   string
		body string
		want int
	}{
		{"urlencoded", "/lookup", "application/x-www-form-urlencoded", "mrn=203713", http.StatusSeeOther},
		{"urlencoded with charset", "/lookup", "application/x-www-form-urlencoded; charset=UTF-8", "mrn=203713", http.StatusSeeOther},
		{"multipart", "/lookup", "multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"mrn\"\r\n\r\n203713\r\n--X--\r\n", http.StatusSeeOther},
		{"JSON", "/lookup", "application/json", `{"mrn":"203713"}`, http.StatusUnsupportedMediaType},
		{"XML", "/lookup", "application/xml", `<lookupForm><mrn>203713</mrn></lookupForm>`, http.StatusUnsupportedMediaType},
		{"text/plain (cross-site form trick)", "/lookup", "text/plain", "mrn=203713", http.StatusUnsupportedMediaType},
		{"no content type with a body", "/lookup", "", "mrn=203713", http.StatusUnsupportedMediaType},
		{"garbage content type", "/lookup", "form;;;", "mrn=203713", http.StatusUnsupportedMediaType},
		{"keep-alive without a body", "/session/keepalive", "", "", http.StatusNoContent},
		{"oversized form", "/lookup", "application/x-www-form-urlencoded", "mrn=203713&pad=" + strings.Repeat("x", 100<<10), http.StatusRequestEntityTooLarge},
		{"oversized multipart", "/lookup", "multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n" + strings.Repeat("x", 100<<10) + "\r\n--X--\r\n", http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.rec.take()
			res := a.send(http.MethodPost, tt.path, strings.NewReader(tt.body), map[string]string{"Content-Type": tt.ct})
			if res.StatusCode != tt.want {
				t.Fatalf("status %d, want %d\n%.500s", res.StatusCode, tt.want, res.body)
			}
			if tt.want >= 400 {
				for _, req := range env.rec.take() {
					if strings.HasSuffix(req.Path, "/Patient") {
						t.Errorf("a refused request still searched Epic: %s", req.RawQuery)
					}
				}
			}
		})
	}

	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, "PROPFIND"} {
		for _, p := range []string{"/", "/lookup", "/signin", "/chart/AAAAAAAAAAAAAAAAAAAAAA", views.AuditURL} {
			res := a.send(m, p, strings.NewReader("mrn=1"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			if res.StatusCode != http.StatusMethodNotAllowed && res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 405", m, p, res.StatusCode)
			}
		}
	}
}

// TestStaticServesNoListingsOrSourceMaps: directories, source maps, docs and paths escaping the
// asset tree are 404; the real assets are served with a sniff-proof type.
func TestStaticServesNoListingsOrSourceMaps(t *testing.T) {
	env := newHostileEnv(t, hostileOptions{})
	a := env.anonymous()
	for _, p := range []string{
		"/static/", "/static/css/", "/static/js", "/static/vendor/", "/static/vendor/README.md",
		"/static/vendor/htmx.min.js.map", "/static/js/app.js.map", "/static/css/app.css.map",
		"/static/../go.mod", "/static/%2e%2e/go.mod", "/static/..%2fembed.go", "/static/embed.go",
		"/static//etc/passwd", "/static/css/../../handlers/routes.go",
	} {
		res := a.send(http.MethodGet, p, nil, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404\n%.300s", p, res.StatusCode, res.body)
		}
		if strings.Contains(res.body, "<pre>") || strings.Contains(res.body, "package ") {
			t.Errorf("GET %s: looks like a listing or source", p)
		}
	}
	for p, want := range map[string]string{
		"/static/css/app.css":        "text/css",
		"/static/js/app.js":          "text/javascript",
		"/static/vendor/htmx.min.js": "text/javascript",
	} {
		res := a.send(http.MethodGet, p, nil, nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), want) {
			t.Errorf("GET %s: %d %q, want 200 %s", p, res.StatusCode, res.Header.Get("Content-Type"), want)
		}
		if strings.Contains(res.body, "sourceMappingURL") {
			t.Errorf("GET %s: refers to a source map", p)
		}
	}
}
