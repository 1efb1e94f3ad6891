package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
)

// Launcher starts Chartside the way an operator does: a `web` command and its environment.
// cmd/web runs its own binary in a child process (so /metrics describes the server alone); tests
// run it in-process.
type Launcher interface {
	// Run runs a command to completion, e.g. ["staff", "add", ...], with stdin as its input.
	Run(ctx context.Context, args []string, env map[string]string, stdin string) error
	// Serve starts `web serve` and returns once it accepts connections.
	Serve(ctx context.Context, env map[string]string) (*Server, error)
}

// Server is a running Chartside.
type Server struct {
	URL  string       // base URL, e.g. http://127.0.0.1:41234
	Stop func() error // graceful shutdown (SIGTERM); returns the server's exit error
}

// The account the driver creates and signs in with: a new name each run (a PostgreSQL database
// given with DATABASE_URL outlives the run), with a password that protects nothing real.
const (
	benchUserPrefix = "bench-"
	benchPassword   = "bench-password-not-secret"
	benchClientID   = "chartside-bench"
	naiveClientID   = "naive-tutorial"
)

// serverEnv writes Chartside's signing key into dir, registers it with the sandbox as a backend
// client, and returns the environment that points Chartside at the sandbox as at a real Epic.
func serverEnv(up *Upstream, dir string, extra map[string]string) (map[string]string, error) {
	// RSA, because Epic accepts EC keys only from a JWK Set URL, and the server's URL is not known
	// before it starts; the key set is registered statically instead.
	key, err := epic.GenerateRSAKey(2048)
	if err != nil {
		return nil, fmt.Errorf("bench: key: %w", err)
	}
	pem, err := key.PEM()
	if err != nil {
		return nil, fmt.Errorf("bench: key: %w", err)
	}
	keyFile := filepath.Join(dir, "epic-signing-key.pem")
	if err := os.WriteFile(keyFile, pem, 0o600); err != nil {
		return nil, fmt.Errorf("bench: key: %w", err)
	}
	up.Sandbox.RegisterClient(benchClientID, sandbox.ClientKeys{JWKS: epic.JWKS([]*epic.Key{key})})
	env := map[string]string{
		"LISTEN_ADDR":           "127.0.0.1:0",
		"DATA_DIR":              filepath.Join(dir, "data"),
		"EPIC_FHIR_BASE_URL":    up.FHIRBase,
		"EPIC_CLIENT_ID":        benchClientID,
		"EPIC_PRIVATE_KEY_FILE": keyFile,
		"EPIC_MRN_SYSTEM":       sandbox.MRNSystem,
		"LOG_LEVEL":             "warn",
		"LOG_FORMAT":            "json",
		"TIMEZONE":              "UTC",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env, nil
}
