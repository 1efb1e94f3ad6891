package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
	"github.com/chartside/chartside/handlers"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/staff"
	"github.com/chartside/chartside/static"
)

// The hostile-input tests run the whole Chartside stack (Routes with every middleware, the error
// handler, real staff accounts, sessions and audit trail on SQLite, the real Epic client) against
// the embedded sandbox loaded with a patient whose every free-text field is an HTML/SVG/script
// payload. A recording wrapper in front of the sandbox keeps every request it received, so tests
// can prove what reached "Epic" and, as important, what did not.

// Hostile data served by the sandbox. The MRN and FHIR id are legal (the MRN passes the default
// MRN_PATTERN, the id the FHIR id grammar) but both start with '-': a spreadsheet would evaluate
// them as formulas if the audit CSV export did not neutralise them.
const (
	hostileMRN       = "-2-3"
	hostilePatientID = "-1-1"
	hostileEncounter = "enc-hostile-1"
	hostileLOINC     = "2345-7" // glucose: a lab the matrix and the trend chart both show
)

// hostileTexts are the payloads put in the hostile patient's record. Each must reach the browser as
// text, never as markup.
var hostileTexts = map[string]string{
	"family":    `<script>alert('family')</script>`,
	"given":     `"><img src=x onerror=alert('given')>`,
	"address":   `'><svg onload=alert('address')>`,
	"encType":   `<script>alert('type')</script>`,
	"reason":    `<img src=x onerror=alert('reason')>`,
	"location":  `"><iframe src=javascript:alert('location')></iframe>`,
	"provider":  `<a href="javascript:alert('provider')">provider</a>`,
	"org":       `</title><script>alert('org')</script>`,
	"labName":   `<svg><script>alert('lab')</script></svg>`,
	"labUnit":   `</text><script>alert('unit')</script><text>`,
	"rangeText": `" onmouseover="alert('range')`,
	"note":      `<style>body{display:none}</style>`,
	"social":    `<img src=x onerror=alert('social')>`,
	"vitalUnit": `"/><script>alert('vital')</script>`,
}

// hostileBundle writes a Synthea-style transaction Bundle with the hostile patient into dir.
func hostileBundle(t testing.TB, dir string, now time.Time) {
	t.Helper()
	h := hostileTexts
	day := func(d int) string { return now.AddDate(0, 0, -d).UTC().Format(time.RFC3339) }
	patientRef := map[string]any{"reference": "Patient/" + hostilePatientID}
	labCat := []any{map[string]any{"coding": []any{map[string]any{
		"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}}}}
	vitalCat := []any{map[string]any{"coding": []any{map[string]any{
		"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}}}}
	socialCat := []any{map[string]any{"coding": []any{map[string]any{
		"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "social-history"}}}}

	entries := []any{
		map[string]any{"fullUrl": "urn:uuid:p", "resource": map[string]any{
			"resourceType": "Patient", "id": hostilePatientID,
			"identifier": []any{map[string]any{"type": map[string]any{"coding": []any{map[string]any{"code": "MR"}}}, "value": hostileMRN}},
			"name":       []any{map[string]any{"use": "official", "family": h["family"], "given": []any{h["given"]}}},
			"gender":     "female", "birthDate": "1980-02-29",
			"address": []any{map[string]any{"line": []any{h["address"]}, "city": h["org"]}},
		}},
		map[string]any{"fullUrl": "urn:uuid:e", "resource": map[string]any{
			"resourceType": "Encounter", "id": hostileEncounter, "status": "finished",
			"class":           map[string]any{"code": "AMB"},
			"type":            []any{map[string]any{"text": h["encType"]}},
			"subject":         patientRef,
			"period":          map[string]any{"start": day(20), "end": now.AddDate(0, 0, -20).Add(time.Hour).UTC().Format(time.RFC3339)},
			"reasonCode":      []any{map[string]any{"text": h["reason"]}},
			"location":        []any{map[string]any{"location": map[string]any{"display": h["location"]}}},
			"participant":     []any{map[string]any{"individual": map[string]any{"display": h["provider"]}}},
			"serviceProvider": map[string]any{"display": h["org"]},
		}},
	}
	for i, d := range []int{60, 20, 5} {
		entries = append(entries, map[string]any{"fullUrl": "urn:uuid:lab" + string(rune('a'+i)), "resource": map[string]any{
			"resourceType": "Observation", "id": "lab-" + string(rune('a'+i)), "status": "final",
			"category":          labCat,
			"code":              map[string]any{"text": h["labName"], "coding": []any{map[string]any{"system": "http://loinc.org", "code": hostileLOINC, "display": h["labName"]}}},
			"subject":           patientRef,
			"encounter":         map[string]any{"reference": "Encounter/" + hostileEncounter, "display": h["encType"]},
			"effectiveDateTime": day(d), "issued": day(d),
			"valueQuantity":  map[string]any{"value": 90 + 10*i, "unit": h["labUnit"]},
			"referenceRange": []any{map[string]any{"low": map[string]any{"value": 70}, "high": map[string]any{"value": 99}, "text": h["rangeText"]}},
			"interpretation": []any{map[string]any{"text": h["reason"]}},
			"note":           []any{map[string]any{"text": h["note"]}},
		}})
	}
	entries = append(entries,
		map[string]any{"fullUrl": "urn:uuid:labs", "resource": map[string]any{
			"resourceType": "Observation", "id": "lab-text", "status": "final", "category": labCat,
			"code":    map[string]any{"text": h["encType"], "coding": []any{map[string]any{"system": "http://loinc.org", "code": "5778-6"}}},
			"subject": patientRef, "effectiveDateTime": day(5), "valueString": h["social"],
		}},
		map[string]any{"fullUrl": "urn:uuid:hr", "resource": map[string]any{
			"resourceType": "Observation", "id": "vital-hr", "status": "final", "category": vitalCat,
			"code":    map[string]any{"text": h["labName"], "coding": []any{map[string]any{"system": "http://loinc.org", "code": "8867-4"}}},
			"subject": patientRef, "effectiveDateTime": day(1),
			"valueQuantity": map[string]any{"value": 72, "unit": h["vitalUnit"]},
		}},
		map[string]any{"fullUrl": "urn:uuid:soc", "resource": map[string]any{
			"resourceType": "Observation", "id": "social-1", "status": "final", "category": socialCat,
			"code":    map[string]any{"text": h["social"], "coding": []any{map[string]any{"system": "http://loinc.org", "code": "72166-2"}}},
			"subject": patientRef, "effectiveDateTime": day(30), "valueString": h["social"],
			"note": []any{map[string]any{"text": h["note"]}},
		}},
	)
	raw, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hostile.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// sandboxRequest is one request as the sandbox received it.
type sandboxRequest struct {
	Method   string
	Path     string // decoded path
	RawPath  string // the path as sent on the wire
	RawQuery string
	Query    url.Values
	Form     url.Values // token requests
}

// sandboxRecorder wraps the sandbox handler and keeps every request it was sent.
type sandboxRecorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []sandboxRequest
}

func (r *sandboxRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	rec := sandboxRequest{Method: req.Method, Path: req.URL.Path, RawPath: req.URL.EscapedPath(), RawQuery: req.URL.RawQuery, Query: req.URL.Query()}
	if req.Method == http.MethodPost && req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		rec.Form, _ = url.ParseQuery(string(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

// take returns the requests received since the last call and forgets them.
func (r *sandboxRecorder) take() []sandboxRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// logBuffer collects log output; the server writes from its goroutines while tests read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// hostileEnv is one running Chartside in front of a recording sandbox holding the hostile patient.
type hostileEnv struct {
	t     testing.TB
	sb    *sandbox.Sandbox
	rec   *sandboxRecorder
	app   *httptest.Server
	srv   *handlers.Server
	e     *echo.Echo
	mgr   *sessions.Manager
	audit *audit.Log
	logs  *logBuffer
}

type hostileOptions struct {
	secure bool // Settings.Secure (HTTPS deployment): HSTS and the __Host- cookie
}

const (
	hostileClinician = "nurse.hale"
	hostileAdmin     = "it.hale"
	hostilePassword  = "a long enough passphrase"
)

func newHostileEnv(t testing.TB, opt hostileOptions) *hostileEnv {
	t.Helper()
	now := time.Now()
	dataDir := t.TempDir()
	hostileBundle(t, dataDir, now)
	logs := &logBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	sb, err := sandbox.New(sandbox.Options{DataDir: dataDir, Logger: logger.With("component", "sandbox")})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	rec := &sandboxRecorder{next: sb.Handler()}
	epicSrv := httptest.NewServer(rec)
	// The RSA key the chart tests share (Epic accepts EC keys only from a JWK Set URL).
	signingKeyOnce.Do(func() { signingKey, signingKeyErr = epic.GenerateRSAKey(2048) })
	if signingKeyErr != nil {
		t.Fatalf("generate key: %v", signingKeyErr)
	}
	key := signingKey
	sb.RegisterClient("chartside-hostile", sandbox.ClientKeys{JWKS: epic.JWKS([]*epic.Key{key})})
	client, err := epic.New(epic.Config{
		FHIRBaseURL: epicSrv.URL + sandbox.FHIRBasePath,
		TokenURL:    epicSrv.URL + sandbox.TokenPath,
		ClientID:    "chartside-hostile",
		Keys:        []*epic.Key{key},
		MRNSystem:   sandbox.MRNSystem,
		MaxRetries:  -1,
		Logger:      logger.With("component", "epic"),
	})
	if err != nil {
		t.Fatalf("epic client: %v", err)
	}
	database := dbtest.New(t, db.SQLite)
	trail := audit.New(database, nil)
	accounts := staff.NewStore(database, time.Now, staff.WithHashParams(cheapHash))
	ctx := context.Background()
	for name, role := range map[string]staff.Role{hostileClinician: staff.RoleClinician, hostileAdmin: staff.RoleAdmin} {
		if _, err := accounts.Add(ctx, name, hostilePassword, role); err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
	}
	mgr := sessions.New(sessions.NewSQLStore(database), sessions.Options{Secure: opt.secure, Logger: logger})
	srv := handlers.NewServer(handlers.Deps{
		Logger:   logger,
		Static:   static.FS(),
		JWKS:     epic.JWKSHandler([]*epic.Key{key}),
		Sessions: mgr,
		Patients: client,
		Audit:    trail,
		Staff:    accounts,
		Settings: handlers.Settings{Sandbox: true, Secure: opt.secure, MRNSystem: sandbox.MRNSystem, Location: time.UTC},
	})
	e := srv.Routes()
	// Tests seal a value for their session as Chartside seals what it puts in URLs (a Show older
	// cursor of the test's choosing). The hook is beside Chartside's routes, not among them: those
	// are checked route by route (TestEveryRouteIsClassified).
	hooks := echo.New()
	hooks.GET("/__test/seal", func(c echo.Context) error {
		v, err := mgr.Seal(c.Request().Context(), c.QueryParam("v"))
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, v)
	}, mgr.Middleware())
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Not a ServeMux: it would clean and redirect the odd paths the hostile tests send.
		if r.URL.Path == "/__test/seal" {
			hooks.ServeHTTP(w, r)
			return
		}
		e.ServeHTTP(w, r)
	}))
	env := &hostileEnv{t: t, sb: sb, rec: rec, app: app, srv: srv, e: e, mgr: mgr, audit: trail, logs: logs}
	t.Cleanup(func() {
		app.Close()
		srv.Wait()
		epicSrv.Close()
	})
	return env
}

// agent is one browser: a cookie jar, no automatic redirects, and the page's CSRF token.
type agent struct {
	env  *hostileEnv
	t    testing.TB // failures are reported here; see on
	c    *http.Client
	csrf string
}

// on returns the same browser reporting to t (a fuzz target's iteration must not use its *testing.F).
func (a *agent) on(t testing.TB) *agent {
	c := *a
	c.t = t
	return &c
}

func (env *hostileEnv) anonymous() *agent {
	jar, _ := cookiejar.New(nil)
	return &agent{env: env, t: env.t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signedIn signs in through the real sign-in form.
func (env *hostileEnv) signedIn(username string) *agent {
	env.t.Helper()
	a := env.anonymous()
	page := a.send(http.MethodGet, "/signin", nil, nil)
	a.csrf, _ = parse(env.t, page.body).Find(`form[data-testid="signin-form"] input[name="csrf_token"]`).Attr("value")
	r := a.form("/signin", url.Values{"username": {username}, "password": {hostilePassword}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		env.t.Fatalf("sign in as %s: %d\n%s", username, r.StatusCode, r.body)
	}
	home := a.send(http.MethodGet, "/", nil, nil)
	a.csrf, _ = parse(env.t, home.body).Find(`form[action="/signout"] input[name="csrf_token"]`).Attr("value")
	if a.csrf == "" {
		env.t.Fatalf("signed-in page has no CSRF token:\n%s", home.body)
	}
	return a
}

// send makes one request. body may be nil; hdr values replace defaults, "" deletes.
func (a *agent) send(method, path string, body io.Reader, hdr map[string]string) reply {
	a.t.Helper()
	req, err := http.NewRequest(method, a.env.app.URL+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", a.env.app.URL)
		if a.csrf != "" {
			req.Header.Set("X-CSRF-Token", a.csrf)
		}
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return reply{Response: resp, body: string(raw)}
}

// form posts an urlencoded form with the CSRF token in the body, as a plain browser form does.
func (a *agent) form(path string, f url.Values, hdr map[string]string) reply {
	a.t.Helper()
	if f == nil {
		f = url.Values{}
	}
	if _, ok := f["csrf_token"]; !ok && a.csrf != "" {
		f.Set("csrf_token", a.csrf)
	}
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range hdr {
		h[k] = v
	}
	return a.send(http.MethodPost, path, strings.NewReader(f.Encode()), h)
}

// openHostileChart looks the hostile patient up and returns the chart URL.
func (a *agent) openHostileChart() string {
	a.t.Helper()
	r := a.form("/lookup", url.Values{"mrn": {hostileMRN}}, nil)
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/chart/") {
		a.t.Fatalf("lookup %s: %d %q\n%s", hostileMRN, r.StatusCode, loc, r.body)
	}
	return loc
}

// encounterLink is the hostile encounter's drill-down URL, as its timeline row links to it: the
// encounter is named by a reference sealed for this session, never by its FHIR id.
func (a *agent) encounterLink(chart string) string {
	a.t.Helper()
	r := a.send(http.MethodGet, chart+"/encounters", nil, map[string]string{"HX-Request": "true"})
	link, ok := parse(a.t, r.body).Find(`#` + present.EncounterDOMID(hostileEncounter) + ` [data-testid="encounter-expand"]`).Attr("hx-get")
	if r.StatusCode != http.StatusOK || !ok {
		a.t.Fatalf("timeline: %d, no Details link for %s\n%.2000s", r.StatusCode, hostileEncounter, r.body)
	}
	return link
}

// sealed is v sealed for this browser's session, as Chartside seals the values it puts in URLs.
func (a *agent) sealed(v string) string {
	a.t.Helper()
	r := a.send(http.MethodGet, "/__test/seal?"+url.Values{"v": {v}}.Encode(), nil, nil)
	if r.StatusCode != http.StatusOK || r.body == "" {
		a.t.Fatalf("seal: status %d\n%.500s", r.StatusCode, r.body)
	}
	return r.body
}

// parse is goquery over a body, failing the test when it is not HTML.
func parse(t testing.TB, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}
