package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCriticalResultsUnderTheBanner: Morgan Quinlan's (400009) critical potassium and
// sodium were only in the labs table, below the vitals strip, the encounters and the vitals table.
// Once the labs section has loaded, a summary of them sits just under the banner, above the first
// section, at desktop and phone widths, in critical colours, and the page stays free of axe
// violations.
func TestBrowserCriticalResultsUnderTheBanner(t *testing.T) {
	requireChromium(t)
	base := startApp(t, buildBinary(t, repoRoot(t)))
	axeJS := readAxe(t, repoRoot(t))

	for _, width := range []int64{1280, 390} {
		ctx := headlessBrowser(t)
		must(t, "open 400009's chart", chromedp.Do(ctx,
			chromedp.EmulateViewport(width, 900),
			openChartAs(base, demoUser, demoPass, "400009"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="critical-results"]`)),
		))
		type look struct {
			Text       string  `json:"text"`
			Top        float64 `json:"top"`
			FirstTop   float64 `json:"firstTop"`
			Background string  `json:"background"`
			Right      float64 `json:"right"`
			Width      float64 `json:"width"`
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[look](`(function () {
			var s = document.querySelector('[data-testid="critical-results"]');
			var first = document.querySelector('[data-testid="chart-sections"] > *');
			var r = s.getBoundingClientRect();
			return {text: s.innerText, top: r.top + scrollY, firstTop: first.getBoundingClientRect().top + scrollY,
				background: getComputedStyle(s).backgroundColor, right: r.right, width: document.documentElement.clientWidth};
		})()`))
		must(t, "measure the summary", err)
		for _, want := range []string{"Critical lab results", "Potassium", "6.8", "Critical high", "Sodium", "118", "Critical low"} {
			if !strings.Contains(got.Text, want) {
				t.Errorf("%d px: summary %q lacks %q", width, got.Text, want)
			}
		}
		if got.Top >= got.FirstTop {
			t.Errorf("%d px: summary at %.0f px, not above the first section (%.0f px)", width, got.Top, got.FirstTop)
		}
		if got.Background != "rgb(253, 232, 232)" {
			t.Errorf("%d px: summary background %s, want the critical colour", width, got.Background)
		}
		if got.Right > got.Width+0.5 {
			t.Errorf("%d px: summary runs past the window (right edge %.0f px)", width, got.Right)
		}
		checkAxe(t, ctx, axeJS, "400009's chart with its critical summary")
	}

	// A labs range switch brings the same critical results: the summary, a live region, is left
	// alone instead of being replaced (and read out again by a screen reader).
	ctx := headlessBrowser(t)
	must(t, "open 400009's chart again", chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		openChartAs(base, demoUser, demoPass, "400009"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="critical-results"]`)),
	))
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.criticalMutations = 0;
		new MutationObserver(function (ms) { window.criticalMutations += ms.length; })
			.observe(document.getElementById('critical-results'), {childList: true, subtree: true, characterData: true});
		true`))
	must(t, "watch the summary", err)
	must(t, "switch the labs to one month", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#labs-ranges-1`)),
		chromedp.WaitVisible(chromedp.CSS(`#labs-ranges-1[aria-current]`)),
	))
	mutations, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.criticalMutations`))
	must(t, "count the summary's changes", err)
	stillThere, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('#critical-results [data-testid="critical-results"]')`))
	must(t, "find the summary", err)
	if mutations != 0 || !stillThere {
		t.Errorf("after a labs range switch with the same critical results: %d changes to the summary (want 0), summary present %v", mutations, stillThere)
	}
}
