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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

// staffAccount is an account `web staff add` creates before the server starts.
type staffAccount struct{ username, role, password string }

// startApp runs `web serve` in sandbox mode (no Epic configured) with a fresh data directory and a
// clean environment, and returns its base URL once it answers. accounts are added first with
// `web staff add`, as IT would (the sandbox's demo account is always there). It is stopped
// (SIGINT, then a graceful wait) when the test ends.
func startApp(t *testing.T, bin string, accounts ...staffAccount) string {
	t.Helper()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"DATA_DIR=" + t.TempDir(),
		"TIMEZONE=UTC",
		"LOG_LEVEL=warn",
	}
	for _, a := range accounts {
		add := exec.Command(bin, "staff", "add", "--username", a.username, "--role", a.role, "--password-stdin")
		add.Env = env
		add.Stdin = strings.NewReader(a.password + "\n")
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("web staff add %s: %v\n%s", a.username, err, out)
		}
	}
	addr := freeAddr(t)
	logs := &lockedBuffer{}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "LISTEN_ADDR="+addr, "LOG_FORMAT=json")
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
// requireChromium skips a real-browser test where Chromium is not installed, except under CI,
// where a missing browser fails it: CI must never pass without running it.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("skipping the real-browser test: %s is missing (apt-get install chromium); under CI it runs", chromiumPath)
		}
		t.Fatalf("CI is set but %s is missing: %v (apt-get install chromium)", chromiumPath, err)
	}
}

// startChartside is how a real-browser test starts: it skips without Chromium (fails under CI),
// builds Chartside and starts it on the embedded sandbox with accounts added to the demo one, and
// opens a headless browser; all of it stops when the test ends.
func startChartside(t *testing.T, accounts ...staffAccount) (base string, ctx context.Context) {
	t.Helper()
	requireChromium(t)
	base = startApp(t, buildBinary(t, repoRoot(t)), accounts...)
	return base, headlessBrowser(t)
}

// artifactsDir is where tests leave screenshots and reports for a person to look at
// (artifacts/e2e under the module root, ignored by git).
func artifactsDir(t *testing.T, root string) string {
	t.Helper()
	dir := filepath.Join(root, "artifacts", "e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create %s: %v", dir, err)
	}
	return dir
}

// headlessBrowser starts a headless Chromium with its own profile for one test, stopped when the
// test ends, with two minutes for all of the test's browser steps.
func headlessBrowser(t *testing.T) context.Context {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	ctx, cancel := context.WithTimeout(browserCtx, 120*time.Second)
	t.Cleanup(func() {
		cancel()
		cancelBrowser()
		cancelAlloc()
	})
	return ctx
}

// signInAs signs in at base as user through the sign-in form.
func signInAs(base, user, pass string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="username-input"]`), user),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="password-input"]`), pass),
		chromedp.Click(chromedp.CSS(`[data-testid="signin-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signout"]`)),
	)
}

// lookUp opens mrn's chart from the lookup page and waits for its banner and for every section to
// have loaded.
func lookUp(base, mrn string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="mrn-input"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="mrn-input"]`), mrn),
		chromedp.Click(chromedp.CSS(`[data-testid="lookup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="banner-name"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
	)
}

// openChartAs signs in as user and opens mrn's chart: how most browser tests begin. demoUser and
// demoPass are the sandbox's demo clinician.
func openChartAs(base, user, pass, mrn string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(signInAs(base, user, pass), lookUp(base, mrn))
}

const demoUser, demoPass = "demo", "chartside-demo"

func must(t *testing.T, step string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, fmt.Errorf("%w", err))
	}
}
