package soak

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
)

// The account every client signs in with (one session each). The password protects nothing real.
const (
	soakClientID = "chartside-soak"
	soakUser     = "soak-clinician"
	soakPassword = "soak-password-not-secret"
)

// server is `web serve` in a child process, configured only through its environment, as an
// operator configures it, and pointed at the sandbox as at a real Epic.
type server struct {
	url     string
	dataDir string
	cmd     *exec.Cmd
	exited  chan error
}

// serverEnv writes Chartside's signing key, registers it with the sandbox, and returns the whole
// environment of the child: nothing of the operator's (no EPIC_* or DATABASE_URL) leaks in.
func serverEnv(up *upstream, dir string) (map[string]string, error) {
	// RSA: a statically registered key set (EC keys need a JWK Set URL at Epic).
	key, err := epic.GenerateRSAKey(2048)
	if err != nil {
		return nil, fmt.Errorf("soak: key: %w", err)
	}
	pem, err := key.PEM()
	if err != nil {
		return nil, fmt.Errorf("soak: key: %w", err)
	}
	keyFile := filepath.Join(dir, "epic-signing-key.pem")
	if err := os.WriteFile(keyFile, pem, 0o600); err != nil {
		return nil, fmt.Errorf("soak: key: %w", err)
	}
	up.sb.RegisterClient(soakClientID, sandbox.ClientKeys{JWKS: epic.JWKS([]*epic.Key{key})})
	return map[string]string{
		"LISTEN_ADDR":           "127.0.0.1:0",
		"DATA_DIR":              filepath.Join(dir, "data"),
		"EPIC_FHIR_BASE_URL":    up.fhirBase,
		"EPIC_CLIENT_ID":        soakClientID,
		"EPIC_PRIVATE_KEY_FILE": keyFile,
		"EPIC_MRN_SYSTEM":       sandbox.MRNSystem,
		"LOG_LEVEL":             "warn",
		"LOG_FORMAT":            "json",
		"TIMEZONE":              "UTC",
	}, nil
}

func childEnv(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// addStaff creates the clinician account with `web staff add`.
func addStaff(ctx context.Context, web string, env map[string]string) error {
	cmd := exec.CommandContext(ctx, web, "staff", "add", "--username", soakUser, "--role", "clinician", "--password-stdin")
	cmd.Env = childEnv(env)
	cmd.Stdin = strings.NewReader(soakPassword + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("soak: web staff add: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

var listeningLine = regexp.MustCompile(`listening on (\S+)`)

// startServer runs `web serve` and returns once it prints the address it listens on.
func startServer(ctx context.Context, web string, env map[string]string, logs io.Writer) (*server, error) {
	cmd := exec.Command(web, "serve")
	cmd.Env = childEnv(env)
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("soak: web serve: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("soak: web serve: %w", err)
	}
	s := &server{dataDir: env["DATA_DIR"], cmd: cmd, exited: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
		s.exited <- cmd.Wait()
	}()
	t := time.NewTimer(60 * time.Second)
	defer t.Stop()
	select {
	case addr, ok := <-found:
		if !ok {
			return nil, errors.New("soak: web serve exited before listening (see its log)")
		}
		s.url = addr
		if !strings.Contains(addr, "://") {
			s.url = "http://" + addr
		}
		return s, nil
	case <-t.C:
		_ = cmd.Process.Kill()
		return nil, errors.New("soak: web serve is not listening after 60s")
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		return nil, ctx.Err()
	}
}

// stop shuts the server down gracefully (SIGTERM) and kills it if it does not exit in time.
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case err := <-s.exited:
		if err != nil {
			return fmt.Errorf("soak: web serve: %w", err)
		}
		return nil
	case <-t.C:
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("soak: web serve did not stop within 30s of SIGTERM")
	}
}
