package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// repoRoot is the module root; go test runs in the package directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("cannot find the module root from %s: %v", root, err)
	}
	return root
}

// buildBinary builds cmd/web (E2E_BINARY names a prebuilt one instead, e.g. bin/web from make
// build), so the test exercises exactly what is deployed. The output lives in bin/ (ignored by
// git) rather than a temporary directory: go build leaves an up-to-date binary alone, which saves
// the link on every run after the first.
func buildBinary(t *testing.T, root string) string {
	t.Helper()
	if bin := os.Getenv("E2E_BINARY"); bin != "" {
		return bin
	}
	bin := filepath.Join(root, "bin", "e2e-web")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/web")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/web: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer collects the server's log output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startApp runs `web serve` in sandbox mode (no Epic configured) with a fresh data directory and a
// clean environment, and returns its base URL once it answers. It is stopped (SIGINT, then a
// graceful wait) when the test ends.
func startApp(t *testing.T, bin string) string {
	t.Helper()
	addr := freeAddr(t)
	logs := &lockedBuffer{}
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"LISTEN_ADDR=" + addr,
		"DATA_DIR=" + t.TempDir(),
		"TIMEZONE=UTC",
		"LOG_FORMAT=json",
		"LOG_LEVEL=warn",
	}
	cmd.Stdout = logs
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("web serve did not stop within 15s of SIGINT")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})

	base := "http://" + addr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("web serve exited before answering: %v\n%s", err, logs.String())
		case <-ctx.Done():
			t.Fatalf("web serve did not answer /healthz within 60s\n%s", logs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// must fails the test with context when err is set.
func must(t *testing.T, step string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, fmt.Errorf("%w", err))
	}
}
