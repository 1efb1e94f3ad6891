package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"runtime"
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
	"github.com/chartside/chartside/logging"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/static"
)

// The chart tests run the whole echo stack (middleware, error handler, sessions, audit on a real
// SQLite database) against the real embedded Epic sandbox over real HTTP, through the real Epic
// client. Nothing is stubbed except the one failing auditor used to prove fail-closed behaviour.

const chartTestUser = "nurse.jones"

var (
	signingKeyOnce sync.Once
	signingKey     *epic.Key
	signingKeyErr  error
)

// testSigningKey is generated once per test binary: RSA key generation is slow.
func testSigningKey(t *testing.T) *epic.Key {
	t.Helper()
	signingKeyOnce.Do(func() { signingKey, signingKeyErr = epic.GenerateRSAKey(2048) })
	if signingKeyErr != nil {
		t.Fatalf("generate key: %v", signingKeyErr)
	}
	return signingKey
}

// chartEnv is one running Chartside with its sandbox, for one test.
type chartEnv struct {
	t       *testing.T
	sb      *sandbox.Sandbox
	epic    *httptest.Server
	client  *epic.Client // Chartside's own Epic client, for tests that ask the sandbox directly
	app     *httptest.Server
	srv     *handlers.Server
	db      *db.DB
	audit   *audit.Log
	now     time.Time
	baseGor int
}

type chartEnvOptions struct {
	auditor handlers.Auditor // nil: the real audit log
	// noBreaker keeps the Epic client's circuit breaker closed however many searches fail, for
	// tests that fail a whole chart's searches on purpose and then need Epic back at once.
	noBreaker bool
	// logs, when set, receives the server's JSON log (with request ids, as in production).
	logs io.Writer
	// patients is the sandbox's generated population (0: the 8 most tests use). The edge-case
	// patients (4000xx) are added after it, so their data depends on it: Tomas Lindqvist's last
	// visit is an admission still in progress with 8, as the default 50 have it not.
	patients int
	// dataDir, when set, loads the sandbox's records from FHIR Bundles there (sandbox.Options.DataDir)
	// instead of generating a population.
	dataDir string
	// now, when set, is Chartside's clock (the sandbox keeps the real one, which its tokens need).
	now func() time.Time
	// location is the clinic's zone (TIMEZONE); nil: UTC, the sandbox's server time.
	location *time.Location
}

// failingAuditor refuses every record, as a database outage would.
type failingAuditor struct{}

func (failingAuditor) Record(context.Context, audit.Entry) error {
	return io.ErrUnexpectedEOF
}

func newChartEnv(t *testing.T, opt chartEnvOptions) *chartEnv {
	t.Helper()
	baseGor := runtime.NumGoroutine()
	now := time.Now()
	patients := 8
	if opt.patients != 0 {
		patients = opt.patients
	}
	sb, err := sandbox.New(sandbox.Options{Patients: patients, DataDir: opt.dataDir})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	epicSrv := httptest.NewServer(sb.Handler())
	key := testSigningKey(t)
	sb.RegisterClient("chartside-test", sandbox.ClientKeys{JWKS: epic.JWKS([]*epic.Key{key})})
	cfg := epic.Config{
		FHIRBaseURL: epicSrv.URL + sandbox.FHIRBasePath,
		TokenURL:    epicSrv.URL + sandbox.TokenPath,
		ClientID:    "chartside-test",
		Keys:        []*epic.Key{key},
		MRNSystem:   sandbox.MRNSystem,
		MaxRetries:  -1, // fault tests want the first failure, not a retried success
	}
	if opt.noBreaker {
		cfg.BreakerThreshold = math.MaxInt
	}
	client, err := epic.New(cfg)
	if err != nil {
		t.Fatalf("epic client: %v", err)
	}
	database := dbtest.New(t, db.SQLite)
	log := audit.New(database, nil)
	mgr := sessions.New(sessions.NewSQLStore(database), sessions.Options{})
	var auditor handlers.Auditor = log
	if opt.auditor != nil {
		auditor = opt.auditor
	}
	loc := time.UTC
	if opt.location != nil {
		loc = opt.location
	}
	logger := slog.New(slog.DiscardHandler)
	if opt.logs != nil {
		logger = logging.New(opt.logs, "json", slog.LevelDebug)
	}
	srv := handlers.NewServer(handlers.Deps{
		Logger:   logger,
		Static:   static.FS(),
		Sessions: mgr,
		Patients: client,
		Audit:    auditor,
		Settings: handlers.Settings{
			Sandbox:   true,
			MRNSystem: sandbox.MRNSystem,
			Location:  loc,
			Now:       opt.now,
		},
	})
	e := srv.Routes()
	// Tests sign in through the session manager directly; the sign-in form has its own tests.
	e.POST("/__test/signin", func(c echo.Context) error {
		if err := mgr.SignIn(c.Request().Context(), 7, chartTestUser, "clinician"); err != nil {
			return err
		}
		return c.String(http.StatusOK, mgr.CSRFToken(c.Request().Context()))
	}, mgr.Middleware())
	app := httptest.NewServer(e)
	env := &chartEnv{t: t, sb: sb, epic: epicSrv, client: client, app: app, srv: srv, db: database, audit: log, now: now, baseGor: baseGor}
	t.Cleanup(func() {
		app.Close()
		srv.Wait()
		epicSrv.Close()
		env.checkGoroutines()
	})
	return env
}

// checkGoroutines fails when goroutines started by the test (background fetches, handlers) are
// still running after everything was shut down.
func (env *chartEnv) checkGoroutines() {
	deadline := time.Now().Add(5 * time.Second)
	var n int
	for time.Now().Before(deadline) {
		if n = runtime.NumGoroutine(); n <= env.baseGor+2 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	buf = buf[:runtime.Stack(buf, true)]
	env.t.Errorf("goroutine leak: %d running, %d before the test\n%s", n, env.baseGor, buf)
}

// browser is one signed-in user agent: a cookie jar and the session's CSRF token.
type browser struct {
	env  *chartEnv
	c    *http.Client
	csrf string
}

func (env *chartEnv) signIn() *browser {
	env.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{env: env, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	resp, err := b.c.Post(env.app.URL+"/__test/signin", "", nil)
	if err != nil {
		env.t.Fatalf("sign in: %v", err)
	}
	defer resp.Body.Close()
	tok, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		env.t.Fatalf("sign in: status %d: %s", resp.StatusCode, tok)
	}
	b.csrf = string(tok)
	return b
}

// reply is a finished response with its body.
type reply struct {
	*http.Response
	body string
}

func (r reply) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}

func (b *browser) do(req *http.Request) reply {
	b.env.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.env.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.env.t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return reply{Response: resp, body: string(body)}
}

// get fetches path with extra headers (e.g. HX-Request).
func (b *browser) get(path string, headers map[string]string) reply {
	b.env.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.env.app.URL+path, nil)
	if err != nil {
		b.env.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

// post submits a form the way the browser would, CSRF token included.
func (b *browser) post(path string, form url.Values, headers map[string]string) reply {
	b.env.t.Helper()
	form.Set("csrf_token", b.csrf)
	req, err := http.NewRequest(http.MethodPost, b.env.app.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.env.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", b.csrf)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

// lookup posts an MRN and returns the response (a 303 to the chart for one match).
func (b *browser) lookup(mrn string) reply {
	b.env.t.Helper()
	return b.post("/lookup", url.Values{"mrn": {mrn}}, nil)
}

// openChart looks up an MRN that must resolve to one patient and returns the chart URL.
func (b *browser) openChart(mrn string) string {
	b.env.t.Helper()
	r := b.lookup(mrn)
	if r.StatusCode != http.StatusSeeOther {
		b.env.t.Fatalf("lookup %s: status %d, want 303\n%s", mrn, r.StatusCode, r.body)
	}
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/chart/") {
		b.env.t.Fatalf("lookup %s: redirected to %q", mrn, loc)
	}
	return loc
}

// auditRecords returns the audit trail, oldest first.
func (env *chartEnv) auditRecords() []audit.Record {
	env.t.Helper()
	recs, err := env.audit.Query(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		env.t.Fatalf("audit query: %v", err)
	}
	// Query returns newest first.
	for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
		recs[i], recs[j] = recs[j], recs[i]
	}
	return recs
}
