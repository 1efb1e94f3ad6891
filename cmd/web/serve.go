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

	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/handlers"
	"github.com/chartside/chartside/metrics"
	"github.com/chartside/chartside/static"
)

// shutdownGrace is how long in-flight requests may run after SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

// runServe starts the dashboard and blocks until ctx is cancelled, then shuts down gracefully.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("serve takes no arguments (got %q); configure it with environment variables", args[0])}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)

	database, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer database.Close()
	if err := database.Migrate(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}

	// Listen before building the rest: in sandbox mode the sandbox needs the real address to fetch
	// Chartside's JWK Set from, exactly as Epic would.
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return &ConfigError{Var: "LISTEN_ADDR", Problem: fmt.Sprintf("%q cannot be used (%v)", cfg.ListenAddr, err), Fix: "choose a free port or stop the program using it"}
	}
	defer ln.Close()

	m := metrics.New()
	srv := handlers.NewServer(handlers.Deps{
		Logger:  log,
		Metrics: m,
		Static:  static.FS(),
		Ready: []handlers.ReadyCheck{
			{Name: "database", Check: database.PingContext},
		},
		Settings: handlers.Settings{
			Sandbox:        cfg.SandboxMode(),
			Kiosk:          cfg.Kiosk,
			Secure:         cfg.Secure(),
			TrustedProxies: cfg.TrustedProxies,
			Location:       cfg.TimeZone,
		},
	})
	return serveHTTP(ctx, log, ln, srv.Handler(), stdout)
}

// serveHTTP runs an http.Server with explicit timeouts on ln until ctx ends, then lets in-flight
// requests finish for up to shutdownGrace.
func serveHTTP(ctx context.Context, log *slog.Logger, ln net.Listener, h http.Handler, stdout io.Writer) error {
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
