package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// On a 390 px phone an analyte's trend chart scrolls sideways in its box, and the box opened at
// its left end, on the oldest results: Morgan Quinlan's potassium over a year read flat and
// normal from February to July, her critical 6.8 of November off to the right. The box now
// opens at its newest end, whenever a chart arrives (an analyte's history, a range pressed), and
// the left shade says older results are there.

// newestPoint says where the trend chart's newest (rightmost) point is drawn: "inside" or
// "outside" its box's visible area, with its marker (as the chart shows it: "HH" for a critical
// high), its box's scroll cue and how far the box is scrolled from its left edge.
const newestPoint = `(function () {
	var box = document.querySelector('[data-testid="trend-scroll"]');
	var pts = Array.prototype.slice.call(box.querySelectorAll('[data-testid="chart-point"]'));
	var last = pts.reduce(function (a, p) { return !a || p.getBoundingClientRect().right > a.getBoundingClientRect().right ? p : a; }, null);
	var b = box.getBoundingClientRect(), r = last.getBoundingClientRect();
	var left = b.left + box.clientLeft, right = left + box.clientWidth;
	var marker = last.querySelector('[data-testid="chart-marker"]');
	return [r.left >= left - 0.5 && r.right <= right + 0.5 ? 'inside' : 'outside',
		marker ? marker.textContent.trim() : 'no marker',
		box.getAttribute('data-scroll-more') || 'none',
		Math.round(box.scrollLeft) > 0 ? 'scrolled' : 'at left'].join('|');
})()`

func TestBrowserTrendChartOpensAtNewest(t *testing.T) {
	base, ctx := startChartside(t)

	// wantNewest polls until the newest point is as wanted (the cue follows scroll events).
	wantNewest := func(what, want string) {
		t.Helper()
		var got string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			var err error
			got, err = chromedp.Run(ctx, chromedp.Evaluate[string](newestPoint))
			must(t, "find the chart's newest point", err)
			if got == want {
				return
			}
		}
		t.Errorf("%s: the chart's newest point and box are %q, want %q", what, got, want)
	}
	settled := chromedp.Steps(
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.htmx-request, .htmx-settling, .htmx-added`)),
	)

	must(t, "open "+valuesMRN+"'s potassium history on a 390x844 phone", chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		openChartAs(base, demoUser, demoPass, valuesMRN),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
		pressLink(`[data-testid="labs-table"] th a`, "Potassium"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="analyte"] [data-testid="trend-svg"]`)),
		settled,
	))
	wantNewest("potassium's history as it opens", "inside|HH|left|scrolled")

	// A range pressed brings a new chart: it opens at its newest end too.
	for _, r := range []string{"1 year", "All"} {
		must(t, "press "+r, chromedp.Do(ctx,
			pressLink(`[data-testid="analyte-presets"] a`, r),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="analyte"] [data-testid="trend-svg"]`)),
			settled,
		))
		wantNewest(fmt.Sprintf("potassium's history, %s", r), "inside|HH|left|scrolled")
	}

	// Scrolled back by the user, the chart stays where it was put (a resize does not move it).
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () { document.querySelector('[data-testid="trend-scroll"]').scrollLeft = 0; return true; })()`))
	must(t, "scroll the chart to its oldest end", err)
	wantNewest("scrolled to the oldest end", "outside|HH|right|at left")
	must(t, "turn the phone a little wider", chromedp.Do(ctx, chromedp.EmulateViewport(412, 915)))
	time.Sleep(300 * time.Millisecond)
	wantNewest("after a resize", "outside|HH|right|at left")

	// At 1280 px the chart fits: nothing to scroll, the newest point shown.
	must(t, "emulate a 1280x900 screen", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	wantNewest("at 1280 px", "inside|HH|none|at left")
}
