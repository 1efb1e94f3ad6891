package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Layout faults found in screenshots, measured in Chromium (they depend on app.css, which no HTML
// test sees):
//
//   - On a 390 px phone, charts whose tables hold visually hidden labels (Harold Whitaker's social
//     history: "History (2), earlier values of Smoking History") scrolled sideways: the labels,
//     absolutely positioned, escaped their table's scroller and widened the page to 619 px, and a
//     phone then pans or zooms out, sliding the sticky patient banner out of view.
//   - At 1280 px the audit trail's table was wider than the page, its Detail column (last) about
//     120 px and cut at the edge; its scroller could not be reached from the keyboard.
const (
	phoneMRN    = "400001" // Harold Whitaker: social history items with earlier values
	auditMRN    = "203713" // Camila Lopez: encounter and analyte ids make long audit details
	layoutAdmin = "layoutadmin"
	layoutPass  = "layout-admin-pass-1"
)

// pageOverflow is how far the page is wider than its window (0 when it does not scroll sideways).
const pageOverflow = `document.documentElement.scrollWidth - document.documentElement.clientWidth`

// auditLayout is the audit table's sideways overflow inside its scroller and its Detail column's
// width, in CSS pixels.
const auditLayout = `(function () {
	var t = document.querySelector('[data-testid="audit-table"]');
	var s = t.closest('.table-scroll');
	var d = Array.prototype.filter.call(t.querySelectorAll('thead th'), function (th) { return th.textContent.trim() === 'Detail'; })[0];
	return [s.scrollWidth - s.clientWidth, Math.round(d.getBoundingClientRect().width)];
})()`

func TestBrowserLayout(t *testing.T) {
	base, ctx := startChartside(t, staffAccount{layoutAdmin, "admin", layoutPass})
	axeJS := readAxe(t, repoRoot(t))

	signIn := func(user, pass string) {
		t.Helper()
		must(t, "sign in as "+user, chromedp.Do(ctx, signInAs(base, user, pass)))
	}
	openChart := func(mrn string) {
		t.Helper()
		must(t, "look up "+mrn, chromedp.Do(ctx, lookUp(base, mrn)))
	}

	// 1. A phone: the chart does not scroll sideways; only its tables do, inside their scrollers.
	must(t, "emulate a 390x844 phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	signIn("demo", "chartside-demo")
	openChart(phoneMRN)
	over, err := chromedp.Run(ctx, chromedp.Evaluate[int](pageOverflow))
	must(t, "measure the chart's width", err)
	if over > 0 {
		t.Errorf("at 390 px the chart of %s is %d px wider than the window: it scrolls sideways", phoneMRN, over)
	}

	// 2. Records with long identifiers: Camila Lopez's encounter and a lab's history (All range).
	must(t, "emulate a 1280x1024 screen", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1024)))
	openChart(auditMRN)
	must(t, "open an encounter and a lab's history", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="encounter-expand"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="encounter-detail"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="labs-older-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"] tbody a`)),
		chromedp.Click(chromedp.CSS(`[data-testid="labs-table"] tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="analyte"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="signout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`)),
	))

	// 3. The audit trail at 1280 px: the table fits, Detail is readable, the scroller is reachable.
	signIn(layoutAdmin, layoutPass)
	must(t, "open the audit trail", chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/audit"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-table"]`)),
	))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](auditLayout))
	must(t, "measure the audit table", err)
	if got[0] > 0 {
		t.Errorf("at 1280 px the audit table is %d px wider than its scroller", got[0])
	}
	if got[1] < 240 {
		t.Errorf("at 1280 px the audit Detail column is %d px wide, want at least 240 (16rem)", got[1])
	}
	checkAxeRuleClean(t, ctx, axeJS, "scrollable-region-focusable", "the audit trail at 1280 px")
}
