package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// "More patient details" opened in the sticky patient banner stayed open while the chart scrolled
// under it: the banner was about 160 px of a 1280x900 window and 280 px of a 390x900 phone (a
// third of the screen), pinned over what the clinician had scrolled on to read. The details now
// close once the page scrolls on with the banner pinned; the identity line (name, MRN, birth
// date) stays pinned, and the scroll padding follows the banner back down.

// bannerState is the banner's height and top, whether its details are open, whether the name,
// MRN and birth date are drawn inside the window, and the page's scroll-padding-top.
const bannerState = `(function () {
	var banner = document.querySelector('[data-testid="banner"]');
	var b = banner.getBoundingClientRect();
	var shown = ['banner-name', 'banner-mrn', 'banner-birthdate'].every(function (id) {
		var r = document.querySelector('[data-testid="' + id + '"]').getBoundingClientRect();
		return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.top >= b.top && r.bottom <= b.bottom;
	});
	return {height: Math.round(b.height), top: Math.round(b.top), open: document.querySelector('[data-testid="banner-more"]').open,
		identity: shown, padding: Math.round(parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop))};
})()`

type bannerLook struct {
	Height   int  `json:"height"`
	Top      int  `json:"top"`
	Open     bool `json:"open"`
	Identity bool `json:"identity"`
	Padding  int  `json:"padding"`
}

func TestBrowserBannerDetailsDoNotStayPinned(t *testing.T) {
	base, ctx := startChartside(t)

	must(t, "sign in and open "+longHistoryMRN, chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		openChartAs(base, demoUser, demoPass, longHistoryMRN),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
	))
	state := func(what string) bannerLook {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[bannerLook](bannerState))
		must(t, "measure the banner "+what, err)
		return got
	}
	// settle polls until the banner is open or closed as want and the scroll padding has followed
	// its height (a ResizeObserver sets it), or 3 seconds have passed.
	settle := func(what string, want bool) bannerLook {
		t.Helper()
		var got bannerLook
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			got = state(what)
			if (got.Open == want && got.Padding >= got.Height && got.Padding-got.Height < 40) || time.Now().After(deadline) {
				return got
			}
		}
	}
	scrollBy := func(what string, px int) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(function () { window.scrollBy(0, %d); return true; })()`, px)))
		must(t, what, err)
	}
	openDetails := func(what string) {
		t.Helper()
		must(t, "open More patient details "+what, chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[data-testid="banner-more"] summary`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="banner-address"]`)),
		))
	}

	for _, vp := range []struct{ w, h int64 }{{1280, 900}, {390, 900}} {
		size := fmt.Sprintf("%dx%d", vp.w, vp.h)
		must(t, "emulate "+size, chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h)))
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
			window.scrollTo(0, 0); document.querySelector('[data-testid="banner-more"]').open = false; return true; })()`))
		must(t, "go back to the top at "+size, err)
		closed := settle("closed at "+size, false)

		// Opened at the top of the chart, then the chart scrolled on: the details close.
		openDetails("at the top, " + size)
		opened := settle("opened at "+size, true)
		if opened.Height <= closed.Height {
			t.Fatalf("at %s the banner is %d px with its details open, %d px closed: the details did not open", size, opened.Height, closed.Height)
		}
		scrollBy("scroll the chart on at "+size, 600)
		scrolled := settle("scrolled at "+size, false)
		t.Logf("%s: banner %d px closed, %d px with details open, %d px once the chart scrolls on (scroll padding %d px)",
			size, closed.Height, opened.Height, scrolled.Height, scrolled.Padding)
		if scrolled.Open || scrolled.Height > closed.Height+1 {
			t.Errorf("at %s, details opened and the chart scrolled on: the pinned banner is %d px (details open: %v), want its %d px without details",
				size, scrolled.Height, scrolled.Open, closed.Height)
		}
		if scrolled.Top != 0 || !scrolled.Identity {
			t.Errorf("at %s, scrolled: the banner's top is at %d px, identity line drawn in it and in the window: %v; want it pinned at 0 and shown", size, scrolled.Top, scrolled.Identity)
		}
		if scrolled.Padding < scrolled.Height || scrolled.Padding-scrolled.Height >= 40 {
			t.Errorf("at %s, scrolled: scroll-padding-top is %d px for a %d px banner: it does not follow the banner", size, scrolled.Padding, scrolled.Height)
		}

		// Opened again further down, with the banner pinned: they stay open to be read (growing the
		// banner scrolls the page by as much, which must not close them), until the chart scrolls on.
		openDetails("while pinned, " + size)
		time.Sleep(500 * time.Millisecond)
		if got := settle("opened while pinned at "+size, true); !got.Open || got.Height <= closed.Height {
			t.Errorf("at %s, details opened with the banner pinned closed by themselves: banner %d px, open %v", size, got.Height, got.Open)
		}
		scrollBy("scroll the chart on again at "+size, 400)
		if got := settle("scrolled again at "+size, false); got.Open || got.Height > closed.Height+1 || !got.Identity {
			t.Errorf("at %s, details opened while pinned and the chart scrolled on: banner %d px, open %v, identity shown %v; want %d px, closed, shown",
				size, got.Height, got.Open, got.Identity, closed.Height)
		}
	}
}
