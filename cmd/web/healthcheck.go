package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheckTimeout bounds `web healthcheck`. It stays below the Dockerfile's HEALTHCHECK
// --timeout (5s), so a hung server is reported by this command in `docker inspect` ("healthcheck:
// … deadline exceeded") rather than by Docker killing it with no word of why. /healthz checks
// nothing and answers at once; /readyz, with its own bound, is the balancer's business.
const healthcheckTimeout = 3 * time.Second

// runHealthcheck probes the local server's /healthz; the container HEALTHCHECK runs it, so the final
// image needs no curl or shell.
func runHealthcheck(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	addr := getenv("LISTEN_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return &ConfigError{Var: "LISTEN_ADDR", Problem: fmt.Sprintf("is %q, not a host:port address", addr), Fix: "use a value like 127.0.0.1:8080 or :8080"}
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %s", resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
