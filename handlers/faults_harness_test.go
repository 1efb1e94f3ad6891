package handlers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
	"github.com/chartside/chartside/handlers"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/static"
)

// The fault tests run the same whole stack as the chart tests (echo with every middleware and the
// error handler, sessions, audit, the real Epic client over real HTTP to the real sandbox) with the
// production retry and circuit-breaker policy, and watch what a failure leaves behind: goroutines,
// upstream connections still in use, database connections still checked out.
//
// Two things the sandbox's own fault switches cannot do are done around it, still over real HTTP:
// time passing between two pages of a search (the sandbox's clock is moved forward while it
// answers a next link, so its paging session really expires), and one kind of search being slow
// while the others are not. A TCP proxy in front of PostgreSQL takes the database away and brings
// it back.

// pagingSessionLifetime is the sandbox's paging-session lifetime in the fault tests; expiring a
// session moves the sandbox clock past it.
const pagingSessionLifetime = time.Minute

type faultEnvOptions struct {
	// requestTimeout is the Epic client's per-request timeout; zero means the production default.
	requestTimeout time.Duration
	// postgres puts sessions and the audit trail in PostgreSQL behind a proxy that can be cut.
	postgres bool
}

// faultEnv is a chartEnv with handles on everything a fault test breaks or inspects.
type faultEnv struct {
	*chartEnv
	client    *epic.Client
	transport *http.Transport
	upstream  *upstreamShim
	conns     *connTracker
	proxy     *tcpProxy // nil on SQLite
	cooldown  time.Duration
	timeout   time.Duration
}

// breakerCooldown is short so that recovery after an outage takes a fraction of a second; the
// policy (threshold, half-open probe) is the production one.
const breakerCooldown = 150 * time.Millisecond

func newFaultEnv(t *testing.T, opt faultEnvOptions) *faultEnv {
	t.Helper()
	if opt.requestTimeout == 0 {
		opt.requestTimeout = epic.DefaultRequestTimeout
	}
	// The database (and its pool's own goroutines) is opened before the goroutine baseline is taken.
	var (
		database *db.DB
		proxy    *tcpProxy
	)
	if opt.postgres {
		tg := dbtest.Postgres(t)
		tg.Open(t) // migrates the schema through a direct connection
		u, err := url.Parse(tg.URL)
		if err != nil {
			t.Fatal(err)
		}
		proxy = newTCPProxy(t, u.Host)
		u.Host = proxy.addr()
		tg.URL = u.String()
		database = tg.Open(t)
	} else {
		database = dbtest.New(t, db.SQLite)
	}

	baseGor := runtime.NumGoroutine()
	clock := &sandboxClock{}
	sb, err := sandbox.New(sandbox.Options{Patients: 8, Now: clock.Now, PageSessionLifetime: pagingSessionLifetime})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	shim := &upstreamShim{next: sb.Handler(), clock: clock}
	conns := &connTracker{states: map[net.Conn]http.ConnState{}}
	epicSrv := httptest.NewUnstartedServer(shim)
	epicSrv.Config.ConnState = conns.track
	epicSrv.Start()
	key := testSigningKey(t)
	sb.RegisterClient("chartside-test", sandbox.ClientKeys{JWKS: epic.JWKS([]*epic.Key{key})})
	transport := http.DefaultTransport.(*http.Transport).Clone()
	client, err := epic.New(epic.Config{
		FHIRBaseURL:     epicSrv.URL + sandbox.FHIRBasePath,
		TokenURL:        epicSrv.URL + sandbox.TokenPath,
		ClientID:        "chartside-test",
		Keys:            []*epic.Key{key},
		MRNSystem:       sandbox.MRNSystem,
		HTTPClient:      &http.Client{Transport: transport},
		RequestTimeout:  opt.requestTimeout,
		BreakerCooldown: breakerCooldown,
		// Retries, Retry-After ceiling and breaker threshold: production defaults.
	})
	if err != nil {
		t.Fatalf("epic client: %v", err)
	}
	log := audit.New(database, nil)
	mgr := sessions.New(sessions.NewSQLStore(database), sessions.Options{})
	srv := handlers.NewServer(handlers.Deps{
		Logger:   slog.New(slog.DiscardHandler),
		Static:   static.FS(),
		Sessions: mgr,
		Patients: client,
		Audit:    log,
		Settings: handlers.Settings{Sandbox: true, MRNSystem: sandbox.MRNSystem, Location: time.UTC},
	})
	e := srv.Routes()
	e.POST("/__test/signin", func(c echo.Context) error {
		if err := mgr.SignIn(c.Request().Context(), 7, chartTestUser, "clinician"); err != nil {
			return err
		}
		return c.String(http.StatusOK, mgr.CSRFToken(c.Request().Context()))
	}, mgr.Middleware())
	app := httptest.NewServer(e)
	env := &faultEnv{
		chartEnv: &chartEnv{t: t, sb: sb, epic: epicSrv, app: app, srv: srv, db: database, audit: log,
			now: time.Now(), baseGor: baseGor},
		client: client, transport: transport, upstream: shim, conns: conns, proxy: proxy,
		cooldown: breakerCooldown, timeout: opt.requestTimeout,
	}
	t.Cleanup(func() {
		app.Close()
		srv.Wait()
		env.checkConnections()
		epicSrv.Close()
		transport.CloseIdleConnections()
		if proxy != nil {
			proxy.close()
		}
		env.checkGoroutines()
	})
	return env
}

// checkConnections fails when an upstream connection is still carrying a request after every
// handler has returned (a response body nobody closed), or when a database connection is still
// checked out of the pool.
func (env *faultEnv) checkConnections() {
	t := env.t
	t.Helper()
	settle(func() bool { return env.conns.active() == 0 && env.db.Stats().InUse == 0 })
	if n := env.conns.active(); n != 0 {
		t.Errorf("connection leak: %d upstream connections still active after every request finished", n)
	}
	if n := env.db.Stats().InUse; n != 0 {
		t.Errorf("connection leak: %d database connections still in use after every request finished", n)
	}
}

// settle polls cond for up to five seconds: work that finishes asynchronously (a server noticing a
// closed connection) gets time to do so, without a fixed sleep.
func settle(cond func() bool) {
	deadline := time.Now().Add(5 * time.Second)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}

// waitBreaker lets the Epic client's circuit breaker cool down after an outage.
func (env *faultEnv) waitBreaker() { time.Sleep(env.cooldown + 50*time.Millisecond) }

// sandboxClock is the sandbox's clock: real time plus an offset the shim moves.
type sandboxClock struct{ offset atomic.Int64 }

func (c *sandboxClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// upstreamShim sits between Chartside and the sandbox on the same HTTP server.
type upstreamShim struct {
	next  http.Handler
	clock *sandboxClock

	// expirePages is how many next-link requests arrive after their paging session expired
	// (negative: all of them).
	expirePages atomic.Int64
	expired     atomic.Int64 // next-link requests answered after expiry

	mu        sync.Mutex
	slowMatch func(*http.Request) bool
	slowDelay time.Duration
}

// slow makes requests matching match wait d before they are answered (nil match: none).
func (u *upstreamShim) slow(match func(*http.Request) bool, d time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.slowMatch, u.slowDelay = match, d
}

func (u *upstreamShim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	match, delay := u.slowMatch, u.slowDelay
	u.mu.Unlock()
	if match != nil && match(r) {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client gave up and closed the connection: nothing to answer.
			t.Stop()
			return
		}
	}
	if r.URL.Query().Get("sessionID") != "" && u.takeExpiry() {
		// The clinician (or Chartside) came back for the next page after the session's lifetime.
		// The clock goes forward only while this request is answered, so tokens and assertions
		// checked by other requests are unaffected.
		jump := int64(pagingSessionLifetime + time.Minute)
		u.clock.offset.Add(jump)
		defer u.clock.offset.Add(-jump)
		u.expired.Add(1)
	}
	u.next.ServeHTTP(w, r)
}

func (u *upstreamShim) takeExpiry() bool {
	for {
		n := u.expirePages.Load()
		switch {
		case n < 0:
			return true
		case n == 0:
			return false
		case u.expirePages.CompareAndSwap(n, n-1):
			return true
		}
	}
}

// isLabSearch matches the labs section's Observation search (not its next links, which carry only
// a session id).
func isLabSearch(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, "/Observation") && strings.Contains(r.URL.Query().Get("category"), "laboratory")
}

// connTracker follows the sandbox server's connections through their states.
type connTracker struct {
	mu     sync.Mutex
	states map[net.Conn]http.ConnState
	opened int
}

func (c *connTracker) track(conn net.Conn, s http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch s {
	case http.StateNew:
		c.opened++
		c.states[conn] = s
	case http.StateClosed, http.StateHijacked:
		delete(c.states, conn)
	default:
		c.states[conn] = s
	}
}

// active counts connections in the middle of a request.
func (c *connTracker) active() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.states {
		if s == http.StateActive {
			n++
		}
	}
	return n
}

// open counts connections not yet closed.
func (c *connTracker) open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.states)
}

// tcpProxy forwards TCP connections to a backend (PostgreSQL) until it is cut: then every
// forwarded connection is closed and new ones are closed on arrival, as when the database host
// restarts or the network drops, until it is restored.
type tcpProxy struct {
	t       *testing.T
	ln      net.Listener
	backend string
	down    atomic.Bool
	mu      sync.Mutex
	pairs   map[net.Conn]net.Conn
	wg      sync.WaitGroup
}

func newTCPProxy(t *testing.T, backend string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &tcpProxy{t: t, ln: ln, backend: backend, pairs: map[net.Conn]net.Conn{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) accept() {
	defer p.wg.Done()
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			in.Close()
			continue
		}
		out, err := net.DialTimeout("tcp", p.backend, 5*time.Second)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.pairs[in] = out
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.pairs, src)
	delete(p.pairs, dst)
	p.mu.Unlock()
}

// cut drops every connection and refuses new ones until restore.
func (p *tcpProxy) cut() {
	p.down.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for in, out := range p.pairs {
		in.Close()
		out.Close()
	}
}

func (p *tcpProxy) restore() { p.down.Store(false) }

func (p *tcpProxy) close() {
	if err := p.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		p.t.Errorf("proxy: %v", err)
	}
	p.cut()
	p.wg.Wait()
}

// faultTrail returns "action/outcome/detail" for every audit record after the first skip records.
func (env *faultEnv) faultTrail(skip int) []string {
	env.t.Helper()
	var out []string
	for i, r := range env.auditRecords() {
		if i < skip {
			continue
		}
		out = append(out, r.Action+"/"+r.Outcome+"/"+r.Detail)
	}
	return out
}

// auditCount is the number of audit records so far.
func (env *faultEnv) auditCount() int {
	env.t.Helper()
	return len(env.auditRecords())
}

// verifyAudit checks the audit hash chain end to end.
func (env *faultEnv) verifyAudit() {
	env.t.Helper()
	res, err := env.audit.Verify(context.Background())
	if err != nil || !res.OK {
		env.t.Errorf("audit chain does not verify: %+v, %v", res, err)
	}
}
