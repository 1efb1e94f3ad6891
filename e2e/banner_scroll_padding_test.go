package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// At 200% zoom (a 1366x768 laptop is a 683x384 window in CSS pixels) with "More patient details"
// open, the sticky patient banner is about half the window, and a section scrolled into view sat
// partly under it: html's scroll-padding-top was a fixed 6.5rem. It now follows the banner's
// height (app.js sets --banner-height with a ResizeObserver).

// scrolledUnderBanner scrolls to the element with this id (how: "into view", scrollIntoView as
// htmx's show:top does; "anchor", a fragment link) and says how far its top is under the banner's
// bottom edge (0 or less: below it, readable), with the banner's height and the page's
// scroll-padding-top.
const scrolledUnderBanner = `(function (id, how) {
	window.scrollTo(0, 0);
	var el = document.getElementById(id);
	if (how === 'anchor') { location.hash = ''; location.hash = '#' + id; } else { el.scrollIntoView({block: 'start'}); }
	var banner = document.querySelector('.patient-banner').getBoundingClientRect();
	return [Math.round(banner.bottom - el.getBoundingClientRect().top), Math.round(banner.height),
		Math.round(parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop))];
})`

func TestBrowserScrollPaddingFollowsBanner(t *testing.T) {
	base, ctx := startChartside(t)

	must(t, "sign in at 200% zoom (683x384) and open "+longHistoryMRN, chromedp.Do(ctx,
		chromedp.EmulateViewport(683, 384),
		openChartAs(base, demoUser, demoPass, longHistoryMRN),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
	))

	// openDetails opens "More patient details" at the top of the page and waits until the padding
	// has followed the banner. Scrolling the chart on closes them (app.js), so each scroll below
	// that checks them open opens them first.
	detailsOpen := false
	openDetails := func() {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () { window.scrollTo(0, 0); document.querySelector('[data-testid="banner-more"]').open = true; return true; })()`))
		must(t, "open More patient details", err)
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(function () {
			var b = document.querySelector('.patient-banner').getBoundingClientRect().height;
			return parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) >= b;
		})()`, chromedp.WithPollingTimeout(5*time.Second)))
		must(t, "wait for the padding to follow the opened banner", err)
	}

	// check scrolls to id each way and fails when its top is under the banner. The padding follows
	// the banner through a ResizeObserver, so the first try may come before it has run.
	check := func(what, id string) {
		t.Helper()
		for _, how := range []string{"into view", "anchor"} {
			var got []int
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if detailsOpen {
					openDetails()
				}
				var err error
				got, err = chromedp.Run(ctx, chromedp.Evaluate[[]int](scrolledUnderBanner+fmt.Sprintf("(%q, %q)", id, how)))
				must(t, "scroll "+id+" "+how, err)
				if got[0] <= 0 || time.Now().After(deadline) {
					break
				}
			}
			if got[0] > 0 {
				t.Errorf("%s, #%s scrolled %s: its top is %d px under the %d px banner (scroll-padding-top %d px)", what, id, how, got[0], got[1], got[2])
			}
		}
	}

	check("details closed", "section-labs")
	must(t, "open More patient details", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="banner-more"] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="banner-address"]`)),
	))
	detailsOpen = true
	check("details open", "section-labs")
	check("details open", "section-vitals")
	detailsOpen = false
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () { window.scrollTo(0, 0); document.querySelector('[data-testid="banner-more"]').open = false; return true; })()`))
	must(t, "close More patient details", err)
	check("details closed again", "section-labs")

	// Closed again, the padding shrinks with the banner: what is scrolled to is not left far below it.
	got, err := chromedp.Run(ctx, chromedp.Poll[[]int](`(function () {
		var b = document.querySelector('.patient-banner').getBoundingClientRect().height;
		var p = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop);
		return p - b < 40 ? [Math.round(b), Math.round(p)] : null;
	})()`, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		t.Errorf("with the details closed again the scroll padding does not follow the banner's height: %v %v", got, err)
	}
}
