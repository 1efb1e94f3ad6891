package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testEnv returns a getenv for a sandbox-mode server on a free loopback port with its own data dir.
func testEnv(t *testing.T, extra map[string]string) func(string) string {
	t.Helper()
	vars := map[string]string{
		"LISTEN_ADDR": "127.0.0.1:0",
		"DATA_DIR":    t.TempDir(),
		"LOG_FORMAT":  "json",
	}
	for k, v := range extra {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

var listenLine = regexp.MustCompile(`Chartside listening on (http://\S+)`)

// startServer runs `web serve` through run and returns its base URL, its log and a stop function
// that cancels the context (as SIGTERM does) and returns run's error.
func startServer(t *testing.T, getenv func(string) string) (base string, logs *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), stdout, stderr) }()

	deadline := time.Now().Add(20 * time.Second)
	for base == "" {
		if m := listenLine.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("server exited before listening: %v\nstderr:\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not start; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("server did not stop within 15s of cancellation")
			}
		})
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return base, stderr, stop
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered 200 (last error %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEveryResponseCarriesRequestIDMatchingItsLogLine(t *testing.T) {
	base, logs, stop := startServer(t, testEnv(t, nil))
	waitHealthy(t, base)

	for _, path := range []string{"/healthz", "/readyz", "/no-such-page", "/static/css/app.css", "/metrics"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Request-ID")
		if id == "" {
			t.Fatalf("GET %s: no X-Request-ID header", path)
		}
		if path == "/no-such-page" {
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("GET %s: status %d, want 404", path, resp.StatusCode)
			}
			// The request's log lines (access line and error line) carry the same id.
			waitFor(t, func() bool { return strings.Count(logs.String(), `"request_id":"`+id+`"`) >= 2 })
		}
	}
	_ = stop()
	// Every log line is JSON; none contains a raw unmatched path's id-less entry.
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["msg"] == "request" && m["request_id"] == nil {
			t.Fatalf("access log line without request_id: %s", line)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBadConfigurationStopsStartupWithOneLineNamingTheVariable(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"missing key file", map[string]string{"EPIC_PRIVATE_KEY_FILE": filepath.Join(dir, "nope.pem")}, "EPIC_PRIVATE_KEY_FILE"},
		{"nonsense listen addr", map[string]string{"LISTEN_ADDR": "nonsense"}, "LISTEN_ADDR"},
		{"bad port", map[string]string{"LISTEN_ADDR": "127.0.0.1:99999"}, "LISTEN_ADDR"},
		{"bad idle timeout", map[string]string{"IDLE_TIMEOUT": "soon"}, "IDLE_TIMEOUT"},
		{"http Epic", map[string]string{"EPIC_FHIR_BASE_URL": "http://epic.example.org/fhir", "EPIC_CLIENT_ID": "x"}, "EPIC_FHIR_BASE_URL"},
		{"Epic without client id", map[string]string{"EPIC_FHIR_BASE_URL": "https://epic.example.org/fhir"}, "EPIC_CLIENT_ID"},
		{"bad time zone", map[string]string{"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"},
		{"MRN pattern allowing pipes", map[string]string{"MRN_PATTERN": `^.+$`}, "MRN_PATTERN"},
		{"secret and file both", map[string]string{"DATABASE_URL": "postgres://x", "DATABASE_URL_FILE": "/etc/hostname"}, "DATABASE_URL"},
		{"bad trusted proxy", map[string]string{"TRUSTED_PROXIES": "10.0.0.1,proxy"}, "TRUSTED_PROXIES"},
		{"GOGC the runtime ignores", map[string]string{"GOGC": "abc"}, "GOGC"},
		{"PUBLIC_URL with a path", map[string]string{"PUBLIC_URL": "https://chartside.example.org/foo?x=1"}, "PUBLIC_URL"},
		{"http JWK Set URL for a real Epic", map[string]string{"EPIC_FHIR_BASE_URL": "https://epic.example.org/fhir", "EPIC_CLIENT_ID": "x", "EPIC_MRN_SYSTEM": "MRN",
			"EPIC_PRIVATE_KEY_FILE": "/etc/hostname", "EPIC_JWKS_URL": "http://chartside.example.org/jwks.json"}, "EPIC_JWKS_URL"},
		{"http PUBLIC_URL gives the JWK Set URL", map[string]string{"EPIC_FHIR_BASE_URL": "https://epic.example.org/fhir", "EPIC_CLIENT_ID": "x", "EPIC_MRN_SYSTEM": "MRN",
			"EPIC_PRIVATE_KEY_FILE": "/etc/hostname", "PUBLIC_URL": "http://chartside.example.org"}, "PUBLIC_URL"},
		// Found only once start-up reaches them: these named no variable ("database: db: open
		// postgres: …", over several lines) before.
		{"unreachable PostgreSQL", map[string]string{"DATABASE_URL": "postgres://chartside:s3cret@127.0.0.1:1/chartside", "SANDBOX": "true"}, "DATABASE_URL"},
		{"data directory under a file", map[string]string{"DATA_DIR": "/etc/hostname/data"}, "DATA_DIR"},
		{"unreachable Redis", map[string]string{"SESSION_STORE": "redis://:s3cret@127.0.0.1:1/0", "SANDBOX": "true"}, "SESSION_STORE"},
		// net/url's error quoted the whole URL, password included.
		{"Redis URL that does not parse", map[string]string{"SESSION_STORE": "redis://:s3cret@127.0.0.1:notaport/9", "SANDBOX": "true"}, "SESSION_STORE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DATA_DIR": dir}
			for k, v := range tt.env {
				env[k] = v
			}
			var stdout, stderr bytes.Buffer
			// A server that starts despite the bad value serves until this ends, and fails below.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
			if err == nil {
				t.Fatal("run succeeded, want a configuration error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			if !strings.Contains(msg, tt.wantVar) {
				t.Errorf("error %q does not name %s", msg, tt.wantVar)
			}
			if strings.Contains(msg, "s3cret") {
				t.Errorf("error %q shows the password", msg)
			}
			if exitCode(err) == 0 {
				t.Error("exit code 0 for a configuration error")
			}
		})
	}
}

func TestSecretsFromFiles(t *testing.T) {
	f := filepath.Join(t.TempDir(), "db-url")
	if err := os.WriteFile(f, []byte("postgres://u:p@db:5432/chartside\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{"DATABASE_URL_FILE": f}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.DatabaseURL, "postgres://u:p@db:5432/chartside"; got != want {
		t.Fatalf("DatabaseURL = %q, want %q", got, want)
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.SandboxMode() {
		t.Error("no EPIC_FHIR_BASE_URL should mean sandbox mode")
	}
	if cfg.ListenAddr != "127.0.0.1:8080" || cfg.DataDir != "./data" || cfg.IdleTimeout != 15*time.Minute || cfg.SessionLifetime != 12*time.Hour {
		t.Errorf("defaults = %q %q %v %v", cfg.ListenAddr, cfg.DataDir, cfg.IdleTimeout, cfg.SessionLifetime)
	}
	kiosk, err := loadConfig(func(k string) string { return map[string]string{"KIOSK": "true"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if kiosk.IdleTimeout != 3*time.Minute {
		t.Errorf("kiosk idle timeout = %v, want 3m", kiosk.IdleTimeout)
	}
}

func TestSandboxSignInPageListsMRNsToTry(t *testing.T) {
	base, _, _ := startServer(t, testEnv(t, nil))
	resp, err := http.Get(base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	for _, want := range []string{"SANDBOX", "chartside-demo", "203713", "Camila Maria Lopez", "203711"} {
		if !strings.Contains(page, want) {
			t.Errorf("sandbox sign-in page lacks %q", want)
		}
	}
}
