package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumPath is Debian's Chromium (apt-get install chromium).
const chromiumPath = "/usr/bin/chromium"

// longHistoryMRN is the sandbox's long-history patient (~400 encounters, ~7,500 observations).
const longHistoryMRN = "400003"

// e2eMRN is a sandbox patient with recent vitals, encounters and labs (Warren McGinnis, one of
// Epic's documented test patients).
const e2eMRN = "203710"

// cspBinding is the page-to-test channel for Content-Security-Policy violations.
const cspBinding = "__chartsideCSPViolation"

// cspListener reports every securitypolicyviolation event through the binding. It is installed
// with Page.addScriptToEvaluateOnNewDocument, which the page's CSP does not govern, so it runs on
// every page before the page's own scripts.
const cspListener = `document.addEventListener('securitypolicyviolation', function (e) {
	window.` + cspBinding + `(JSON.stringify({directive: e.violatedDirective, blocked: e.blockedURI,
		source: e.sourceFile, line: e.lineNumber, sample: e.sample}));
}, true);`

// problems collects what the browser reported while the test ran.
type problems struct {
	mu      sync.Mutex
	console []string
	csp     []string
}

func (p *problems) add(list *[]string, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	*list = append(*list, msg)
}

func (p *problems) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					parts = append(parts, string(a.Value))
				}
			}
			p.add(&p.console, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		msg := ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
		p.add(&p.console, "uncaught exception: "+msg)
	case *cdplog.EventEntryAdded:
		// Browser-side errors: failed loads, CSP reports, deprecations promoted to errors.
		if ev.Entry.Level == cdplog.EntryLevelError {
			msg := fmt.Sprintf("%s (%s) %s", ev.Entry.Text, ev.Entry.Source, ev.Entry.URL)
			if strings.Contains(ev.Entry.Text, "Content Security Policy") {
				p.add(&p.csp, msg)
			} else {
				p.add(&p.console, msg)
			}
		}
	case *runtime.EventBindingCalled:
		if ev.Name == cspBinding {
			p.add(&p.csp, "securitypolicyviolation: "+ev.Payload)
		}
	}
}

func (p *problems) snapshot() (console, csp []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.console...), append([]string(nil), p.csp...)
}

// axeViolation is the part of an axe-core result the report needs.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAxe runs axe-core (from node_modules, evaluated through DevTools, which the page's CSP does
// not govern) on the current page and fails on serious or critical findings; minor and moderate
// ones are logged.
// readAxe returns axe-core's script (from npm ci), for checkAxe and checkAxeRuleClean.
func readAxe(t *testing.T, root string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is needed for the accessibility scan: %v (run npm ci)", err)
	}
	return string(b)
}

func checkAxe(t *testing.T, ctx context.Context, axeJS, pageName string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeJS+"\n;true"))
	must(t, "load axe-core on "+pageName, err)
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ['violations']}).then(function (r) {
		return r.violations.map(function (v) {
			return {id: v.id, impact: v.impact || '', help: v.help,
				nodes: v.nodes.map(function (n) { return n.target.join(' '); })};
		});
	})`, chromedp.EvalAwaitPromise))
	must(t, "axe on "+pageName, err)
	for _, v := range vs {
		line := fmt.Sprintf("axe %s on %s: %s (%s) at %s", v.Impact, pageName, v.ID, v.Help, strings.Join(v.Nodes, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(line)
		} else {
			t.Log(line)
		}
	}
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(t, "screenshot "+name, err)
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Errorf("save screenshot %s: %v", name, err)
	}
}

// installCSPListener exposes the binding and installs cspListener for every document the tab loads.
func installCSPListener(ctx context.Context, t *chromedp.Target) error {
	if _, err := cdp.Call(ctx, t, runtime.AddBinding, runtime.AddBindingParams{Name: cspBinding}); err != nil {
		return fmt.Errorf("add binding: %w", err)
	}
	if _, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener}); err != nil {
		return fmt.Errorf("add CSP listener: %w", err)
	}
	return nil
}

// toggleState describes the first encounter's Details control: aria-expanded, the label a
// sighted user sees, whether the details are shown, whether the control has the focus, and
// whether the details are the same element markToggled marked.
const toggleState = `(function () {
	var c = document.querySelector('[data-testid="encounter-expand"]');
	var slot = document.getElementById(c.getAttribute('aria-controls') || '');
	var d = slot && slot.querySelector('[data-testid="encounter-detail"]');
	var label = Array.prototype.filter.call(c.children, function (s) {
		return !s.classList.contains('visually-hidden') && getComputedStyle(s).display !== 'none';
	}).map(function (s) { return s.textContent.trim(); }).join(' ');
	var kept = d && d.e2eMarked ? 'kept' : 'fresh';
	return [c.getAttribute('aria-expanded'), label, d && d.checkVisibility() ? 'shown' : 'hidden',
		document.activeElement === c ? 'focused' : 'not focused', kept].join('|');
})()`

// markToggled marks the details now shown, so toggleState can tell them from a new copy.
const markToggled = `document.querySelector('[data-testid="encounter-detail"]').e2eMarked = true`

// waitToggle waits up to 5 s for the Details control to reach want (toggleState's answer) after
// the press named by what.
func waitToggle(ctx context.Context, t *testing.T, what, want string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		got, err = chromedp.Run(ctx, chromedp.Evaluate[string](toggleState))
		must(t, "read the Details control", err)
		if got == want {
			return
		}
	}
	t.Errorf("after pressing %s the control is %q, want %q", what, got, want)
}

func TestBrowserMainFlow(t *testing.T) {
	requireChromium(t)
	root := repoRoot(t)
	axeJS := readAxe(t, root)
	artifacts := artifactsDir(t, root)

	began := time.Now()
	step := func(name string) { t.Logf("%6.1fs %s", time.Since(began).Seconds(), name) }
	bin := buildBinary(t, root)
	step("binary built")
	base := startApp(t, bin)
	step("server up")

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	found := &problems{}
	// WithListener sees every event of the tab from its first command on.
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithListener(found.listen))
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(browserCtx, 120*time.Second)
	defer cancel()
	must(t, "start the browser and install the CSP listener", chromedp.Do(ctx, chromedp.Func(installCSPListener)))

	// 1. Signed out, the lookup page leads to sign-in.
	must(t, "open Chartside", chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`)),
	))
	screenshot(t, ctx, artifacts, "01-signin.png")
	step("screenshot 01-signin.png")
	checkAxe(t, ctx, axeJS, "sign-in")
	step("axe: sign-in")

	// 2. Sign in as the sandbox's demo clinician.
	must(t, "sign in", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="username-input"]`), "demo"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="password-input"]`), "chartside-demo"),
		chromedp.Click(chromedp.CSS(`[data-testid="signin-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="mrn-input"]`)),
	))
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	must(t, "read focus", err)
	if focused != "mrn" {
		t.Errorf("focus on the lookup page is on %q, want the MRN field", focused)
	}
	screenshot(t, ctx, artifacts, "02-lookup.png")
	checkAxe(t, ctx, axeJS, "lookup")
	step("axe: lookup")

	// 3. Look up an MRN: the chart opens with the banner, and every section loads in place.
	must(t, "look up "+e2eMRN, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="mrn-input"]`), e2eMRN),
		chromedp.Click(chromedp.CSS(`[data-testid="lookup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="banner-name"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="vital-tile"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
	))
	name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="banner-name"]`)))
	must(t, "read the banner", err)
	if !strings.Contains(name, "Warren") {
		t.Errorf("banner name = %q, want Warren McGinnis", name)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(t, "read the location", err)
	if strings.Contains(loc, e2eMRN) {
		t.Errorf("the chart URL %q contains the MRN", loc)
	}
	tiles, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="vital-tile"]').length`))
	must(t, "count vitals", err)
	sections, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('section.chart-section').length`))
	must(t, "count sections", err)
	if tiles == 0 || sections < 5 {
		t.Errorf("chart shows %d vital tiles and %d sections, want tiles and all 5 sections", tiles, sections)
	}
	screenshot(t, ctx, artifacts, "03-chart.png")
	step("screenshot 03-chart.png")
	checkAxe(t, ctx, axeJS, "chart")
	step("axe: chart")

	// 4. Expand an encounter in place from the keyboard. Its control then reads Hide details and
	// hides them when pressed again, and shows the same details again (not asked for anew: a mark
	// left on them survives), with the focus on the control throughout.
	must(t, "expand an encounter", chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(`[data-testid="encounter-expand"]`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="encounter-detail"]`)),
	))
	waitToggle(ctx, t, "Details", "true|Hide details|shown|focused|fresh")
	screenshot(t, ctx, artifacts, "04-encounter.png")
	step("screenshot 04-encounter.png")
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](markToggled))
	must(t, "mark the encounter's details", err)
	must(t, "hide the encounter's details", chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)))
	waitToggle(ctx, t, "Hide details", "false|Details|hidden|focused|kept")
	must(t, "show the encounter's details again", chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)))
	waitToggle(ctx, t, "Details again", "true|Hide details|shown|focused|kept")

	// 5. Open an analyte's trend from the vitals strip: table and server-drawn SVG chart.
	must(t, "open an analyte trend", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="vital-tile"] [data-testid="analyte-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="analyte"] svg`)),
	))
	screenshot(t, ctx, artifacts, "05-analyte.png")
	checkAxe(t, ctx, axeJS, "chart with encounter and analyte open")
	step("axe: chart with encounter and analyte open")

	// 6. A long history: the labs table shows its newest rows, and Show older appends the rest in
	// place (htmx parses the answer's rows into the table body and rewrites the line under it out
	// of band), leaving the keyboard on the line. Social history shows the latest value per item;
	// History lists an item's earlier values under it.
	must(t, "look up the long-history patient", chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="mrn-input"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="mrn-input"]`), longHistoryMRN),
		chromedp.Click(chromedp.CSS(`[data-testid="lookup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="social-table"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
	))
	countRows := func(what, sel string) int {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+sel+`').length`))
		must(t, "count "+what, err)
		return n
	}
	firstRows := countRows("lab rows", `#labs-table-rows tr`)
	must(t, "show older labs", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#labs-table-more [data-testid="show-older"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#labs-table-more [data-testid="show-older"]`)),
	))
	allRows := countRows("lab rows", `#labs-table-rows tr`)
	line, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#labs-table-more`)))
	must(t, "read the labs line", err)
	if want := fmt.Sprintf("Showing all %d results.", allRows); firstRows < 100 || allRows <= firstRows || strings.TrimSpace(line) != want {
		t.Errorf("labs: %d rows, then %d after Show older, line %q; want 100 or so, then all of them and %q", firstRows, allRows, line, want)
	}
	focused, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	must(t, "read focus", err)
	if focused != "labs-table-more" {
		t.Errorf("after Show older the focus is on %q, want the table's line", focused)
	}
	items := countRows("social-history items", `[data-testid="social-table"] tbody tr:not(.earlier)`)
	must(t, "show an item's social history", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="social-history"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="social-table"] tr.earlier`)),
	))
	if got := countRows("social-history items", `[data-testid="social-table"] tbody tr:not(.earlier)`); got != items || countRows("earlier values", `tr.earlier`) == 0 {
		t.Errorf("social history: %d items before History, %d after", items, got)
	}
	// The control pressed is gone in both answers below; the keyboard must stay where the user was.
	waitFocus := func(what, testid string) {
		t.Helper()
		var got string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			got, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement && document.activeElement.dataset ? (document.activeElement.dataset.testid || document.activeElement.tagName) : ""`))
			must(t, "read focus", err)
			if got == testid {
				return
			}
		}
		t.Errorf("after %s the focus is on %q, want %q", what, got, testid)
	}
	waitFocus("History", "social-earlier-label")
	windows := countRows("encounter windows", `[data-testid="timeline-window"]`)
	must(t, "load earlier encounters", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="load-earlier"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="timeline-window"][autofocus]`)),
	))
	if got := countRows("encounter windows", `[data-testid="timeline-window"]`); got != windows+1 {
		t.Errorf("Load earlier: %d encounter windows, then %d; want one more", windows, got)
	}
	waitFocus("Load earlier", "timeline-window")
	screenshot(t, ctx, artifacts, "06-long-history.png")
	checkAxe(t, ctx, axeJS, "long-history chart with older labs and an item's history")
	step("axe: long-history chart")

	// 7. An analyte's history opened from far down the chart, and closed again, from the keyboard.
	checkAnalytePanel(t, ctx, base, axeJS, artifacts)
	step("analyte panel: focus, Close and Escape")

	// 8. The printable chart, rendered for print: everything there, no controls on the paper.
	checkPrint(t, ctx, base, artifacts)
	step("print view")

	// 9. Show all under an empty range, pressed from the keyboard, leaves the focus on the heading.
	checkShowAll(t, ctx, base, artifacts)
	step("labs Show all: focus on the heading")

	console, csp := found.snapshot()

	// Prove the detectors work: an inline script, which the policy forbids, must be reported as
	// a CSP violation. Without this a broken listener would make "zero violations" meaningless.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		var s = document.createElement('script'); s.textContent = 'void 0'; document.body.appendChild(s); return true;
	})()`))
	must(t, "trigger a deliberate CSP violation", err)
	// Both channels must see it: the page's own securitypolicyviolation event (through the
	// binding) and the browser's log.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, after := found.snapshot()
		var viaEvent, viaLog bool
		for _, m := range after[len(csp):] {
			viaEvent = viaEvent || strings.HasPrefix(m, "securitypolicyviolation:")
			viaLog = viaLog || !strings.HasPrefix(m, "securitypolicyviolation:")
		}
		if viaEvent && viaLog {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the CSP detectors missed a deliberate inline-script violation (event %v, log %v)", viaEvent, viaLog)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	for _, m := range console {
		t.Errorf("browser console error: %s", m)
	}
	for _, m := range csp {
		t.Errorf("CSP violation: %s", m)
	}
	if b, err := json.MarshalIndent(map[string]any{"console_errors": console, "csp_violations": csp}, "", "  "); err == nil {
		_ = os.WriteFile(filepath.Join(artifacts, "browser-report.json"), b, 0o644)
	}
}
