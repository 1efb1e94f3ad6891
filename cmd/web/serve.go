package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
	"github.com/chartside/chartside/handlers"
	"github.com/chartside/chartside/metrics"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/staff"
	"github.com/chartside/chartside/static"
	"github.com/chartside/chartside/views"
)

// shutdownGrace is how long in-flight requests may run after SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

// runServe starts the dashboard and blocks until ctx is cancelled, then shuts down gracefully.
func runServe(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if err := sandboxOnSharedStore(cfg); err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	for _, w := range cfg.warnings() {
		log.Warn(w)
	}
	defer applyGCSettings(getenv, cfg.SandboxMode(), log)()

	database, err := openDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close()

	// Listen before building the rest: in sandbox mode the sandbox needs the real address to fetch
	// Chartside's JWK Set from, exactly as Epic would.
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return &ConfigError{Var: "LISTEN_ADDR", Problem: fmt.Sprintf("%q cannot be used (%v)", cfg.ListenAddr, err), Fix: "choose a free port or stop the program using it"}
	}
	defer ln.Close()

	m := metrics.New()
	up, err := openUpstream(ctx, cfg, log, ln.Addr())
	if err != nil {
		return err
	}
	defer up.stop(context.Background())
	up.epic.Hooks = epic.Hooks{Request: m.ObserveUpstream, TokenRefresh: m.TokenRefresh}
	client, err := epic.New(up.epic)
	if err != nil {
		return fmt.Errorf("epic: %w", err)
	}

	// Read at scrape time; like /readyz, a scrape retries a failed token exchange (at most every 10 s).
	m.EpicToken(func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if client.CheckToken(ctx) != nil {
			return 0
		}
		return 1
	})

	m.EpicCircuits(func() []metrics.Circuit {
		var out []metrics.Circuit
		for _, b := range client.Breakers() {
			out = append(out, metrics.Circuit{Resource: b.Resource, Open: b.Open, Opened: b.Opened})
		}
		return out
	})

	store, storeReady, closeStore, err := sessionStore(cfg, database, log)
	if err != nil {
		return err
	}
	defer closeStore()
	sm := sessions.New(store, sessions.Options{
		IdleTimeout: cfg.IdleTimeout,
		Lifetime:    cfg.SessionLifetime,
		Secure:      cfg.Secure(),
		Kiosk:       cfg.Kiosk,
		Logger:      log.With(slog.String("component", "sessions")),
	})
	// The SQL store never deletes expired rows by itself (Redis expires keys on its own).
	go sm.RunCleanup(ctx, 5*time.Minute)
	m.ActiveSessions(func() float64 {
		n, err := sm.ActiveSessions(context.Background())
		if err != nil {
			return -1
		}
		return float64(n)
	})

	accounts := staff.NewStore(database, time.Now)
	// The demo account exists only on the sandbox: connecting to a real Epic removes it, so a
	// well-known password can never open real patient data.
	if cfg.SandboxMode() {
		err = accounts.EnsureDemo(ctx)
	} else {
		err = accounts.RemoveDemo(ctx)
	}
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}

	srv := handlers.NewServer(handlers.Deps{
		Logger:   log,
		Metrics:  m,
		Static:   static.FS(),
		JWKS:     epic.JWKSHandler(up.keys),
		Sessions: sm,
		Patients: client,
		Audit:    audit.New(database, time.Now),
		Staff:    accounts,
		Accounts: accounts,
		Ready: append([]handlers.ReadyCheck{
			{Name: "database", Check: database.PingContext},
			// Reported, not counted: see handlers.readyz. CheckToken retries a failed exchange
			// itself (at most every 10 s), so the line follows Epic without user traffic.
			{Name: "epic token", Check: client.CheckToken, Informational: true},
		}, storeReady...),
		Settings: handlers.Settings{
			Sandbox:          cfg.SandboxMode(),
			SandboxPatients:  sandboxPatients(up.directory),
			Kiosk:            cfg.Kiosk,
			Secure:           cfg.Secure(),
			TrustedProxies:   cfg.TrustedProxies,
			Location:         cfg.TimeZone,
			MRNPattern:       cfg.MRNPattern,
			MRNSystem:        up.epic.MRNSystem,
			VitalsStaleAfter: cfg.VitalsStaleAfter,
		},
	})
	// In sandbox mode the sandbox fetches Chartside's JWK Set from this server, which stops
	// listening as soon as shutdown starts: a token exchange still running then could only be
	// refused, as invalid_client, and logged as if the credentials were wrong. Cancel it first. With
	// a real Epic the exchange does not depend on this listener and is left to finish for the
	// requests in flight that wait for it.
	stopping := func() {}
	if up.sandbox != nil {
		stopping = func() {
			up.sandbox.ClientStopping()
			client.Shutdown()
		}
	}
	return serveHTTP(ctx, log, ln, srv.Handler(), stdout, stopping)
}

// serveHTTP runs an http.Server with explicit timeouts on ln until ctx ends, then lets in-flight
// requests finish for up to shutdownGrace. stopping is called when ctx ends, before the listener
// closes.
func serveHTTP(ctx context.Context, log *slog.Logger, ln net.Listener, h http.Handler, stdout io.Writer, stopping func()) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Long enough for a chart whose Epic searches page slowly; Epic calls have their own timeouts.
		WriteTimeout:   60 * time.Second,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	addr := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Chartside listening on %s\n", addr)
	log.Info("listening", slog.String("addr", addr))

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", slog.Duration("grace", shutdownGrace))
	stopping()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	log.Info("stopped")
	return nil
}

// sessionStore keeps sessions in Redis when SESSION_STORE is set, otherwise in Chartside's database.
// Redis gets its own /readyz check, "session store": without it the balancer kept a replica whose
// Redis was down in service while nobody could sign in. Sessions in the database need none: the
// database check covers them.
func sessionStore(cfg Config, database *db.DB, log *slog.Logger) (scs.Store, []handlers.ReadyCheck, func() error, error) {
	if cfg.SessionStore == "" {
		return sessions.NewSQLStore(database), nil, func() error { return nil }, nil
	}
	sessions.LogRedisTo(log)
	st, err := sessions.NewRedisStore(cfg.SessionStore)
	if err != nil {
		return nil, nil, nil, &ConfigError{Var: "SESSION_STORE", Problem: fmt.Sprintf("cannot be used (%v)", err), Fix: "check the Redis URL and that Redis is reachable"}
	}
	return st, []handlers.ReadyCheck{{Name: "session store", Check: st.Ping}}, st.Close, nil
}

// sandboxPatients turns the sandbox's directory into what the sign-in page lists.
func sandboxPatients(ls []sandbox.Listing) []views.SandboxPatient {
	out := make([]views.SandboxPatient, 0, len(ls))
	for _, l := range ls {
		out = append(out, views.SandboxPatient{MRN: l.MRN, Name: l.Name, Summary: l.Summary})
	}
	return out
}

// openDatabase opens Chartside's database (SQLite in DATA_DIR, or DATABASE_URL) and brings its schema
// up to date; serve and the staff commands that change accounts start with it.
func openDatabase(ctx context.Context, cfg Config) (*db.DB, error) {
	database, err := connectDatabase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := database.Migrate(ctx); err != nil {
		var se *db.SchemaError
		if errors.As(database.CheckSchema(ctx), &se) && se.Have > 0 && se.Have < se.Want {
			// A role that may only read and write rows runs a current schema but cannot upgrade it.
			err = fmt.Errorf("the schema is at version %d, this web expects %d, and upgrading it failed (%w): if this role may not create or alter tables, start this version's `web serve` once with the tables' owner's DATABASE_URL, then again with this one", se.Have, se.Want, err)
		}
		database.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	return database, nil
}
