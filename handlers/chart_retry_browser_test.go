package handlers_test

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/chartside/chartside/epic/sandbox"
)

// TestRetryFocusInBrowser presses a failed section's Retry from the keyboard in a real (headless)
// Chromium: htmx swaps the reloaded section in and the focus lands on its heading, not on <body>.
// The browser tests in e2e run the built binary, whose embedded sandbox cannot be told to fail;
// this one runs the in-process stack of the chart tests, whose sandbox can. Skipped with -short or
// when no Chromium is installed.
func TestRetryFocusInBrowser(t *testing.T) {
	ctx := headlessChromium(t)
	env := newChartEnv(t, chartEnvOptions{noBreaker: true})
	// Every Observation search fails until Reset: the chart's vitals, labs and social history
	// first load with an alert and Retry (the breaker would keep them failing for 30 s more).
	env.sb.Faults().FailNext("Observation", 1000, sandbox.Fault{Kind: sandbox.FaultServerError})

	if err := chromedp.Do(ctx, chromedp.Navigate(env.app.URL+"/healthz")); err != nil {
		t.Fatal(err)
	}
	// The chart tests' sign-in endpoint, called from the page so that the browser keeps the cookie.
	signedIn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`fetch("/__test/signin", {method: "POST"}).then(r => r.ok)`, chromedp.EvalAwaitPromise))
	if err != nil || !signedIn {
		t.Fatalf("sign in in the browser: %v, %v", signedIn, err)
	}
	labsRetry := `#section-labs [data-testid="retry"]`
	err = chromedp.Do(ctx,
		chromedp.Navigate(env.app.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="mrn-input"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="mrn-input"]`), "203713"),
		chromedp.Click(chromedp.CSS(`[data-testid="lookup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(labsRetry)),
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
	)
	if err != nil {
		t.Fatalf("open the chart with failing sections: %v", err)
	}
	if got := activeElement(ctx, t); strings.HasSuffix(got, "-title") {
		t.Errorf("a section's first load took the focus (%s)", got)
	}

	env.sb.Faults().Reset()
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = chromedp.Do(wait,
		chromedp.Focus(chromedp.CSS(labsRetry)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitNotPresent(chromedp.CSS(labsRetry)),
	)
	if err != nil {
		labs, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("section-labs").innerText`))
		t.Fatalf("press Retry: %v\nthe labs section reads: %s", err, labs)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#section-labs [data-testid="alert-error"]').length`)); err != nil || n != 0 {
		t.Fatalf("the labs section still fails after Retry (%d alerts, %v)", n, err)
	}
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = activeElement(ctx, t); got == "section-labs-title" {
			return
		}
	}
	t.Errorf("after Retry the focus is on %q, want the reloaded section's heading (section-labs-title)", got)
}

// activeElement names the focused element by its id, or its tag when it has none.
func activeElement(ctx context.Context, t *testing.T) string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ""`))
	if err != nil {
		t.Fatalf("read the focus: %v", err)
	}
	return got
}

// findChromium returns the Chromium the in-process browser tests drive. It skips the test with
// -short or when no Chromium is on PATH.
func findChromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("real browser")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium on PATH")
	return ""
}

// headlessChromium starts a headless Chromium for one test, stopped when it ends, with a minute
// for the whole test. It skips the test as findChromium does.
func headlessChromium(t *testing.T) context.Context {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(findChromium(t)), chromedp.NoSandbox, chromedp.Headless)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser now, so a failure is named here
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}
