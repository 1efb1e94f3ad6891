package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// A wide table scrolls sideways inside its box, and the only signs of the columns beyond its edge
// were a cut-off column and a scrollbar at the foot of its box, often below the fold: a
// physician could miss the lab matrix's older dates. app.js marks each box with the sides that
// hide more (data-scroll-more) and app.css shades those edges, the left shade starting after the
// matrix's sticky test column.

// scrollCue describes a table box: its data-scroll-more ("none" when absent), then whether the
// shade layer is drawn (a gradient, at least 100 px tall) and where its first gradient starts.
const scrollCue = `(function (sel) {
	var box = document.querySelector(sel);
	if (!box) return 'missing';
	var layer = getComputedStyle(box, '::before');
	var drawn = layer.backgroundImage.indexOf('gradient') >= 0 && parseFloat(layer.height) >= 100 ? 'drawn' : 'not drawn';
	return [box.getAttribute('data-scroll-more') || 'none', drawn, layer.backgroundPositionX.split(',')[0].trim()].join('|');
})`

// stickyColumnEdge is where the matrix's sticky test column ends, in px from the box's left edge.
const stickyColumnEdge = `(function () {
	var box = document.querySelector('.matrix-scroll');
	var th = box.querySelector('tbody th[scope=row]');
	return Math.round(th.getBoundingClientRect().right - box.getBoundingClientRect().left - box.clientLeft) + 'px';
})()`

// pressLink clicks the link with this text inside sel (the labs' view and range presets) and
// waits for the section htmx brings back.
func pressLink(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(function () {
			var a = Array.prototype.find.call(document.querySelectorAll(%q), function (a) { return a.textContent.trim() === %q; });
			if (a) a.click();
			return !!a;
		})()`, sel, text)))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no %s link %q", sel, text)
		}
		return nil
	})
}

func TestBrowserScrollCue(t *testing.T) {
	base, ctx := startChartside(t)

	// wantCue polls the box until its cue is want, since the marks follow scroll and resize events.
	wantCue := func(what, sel, want string) {
		t.Helper()
		var got string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			var err error
			got, err = chromedp.Run(ctx, chromedp.Evaluate[string](scrollCue+`(`+fmt.Sprintf("%q", sel)+`)`))
			must(t, "read the scroll cue of "+sel, err)
			if got == want {
				return
			}
		}
		t.Errorf("%s: the scroll cue of %s is %q, want %q", what, sel, got, want)
	}
	settled := func() chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`.htmx-request, .htmx-settling, .htmx-added`)),
		)
	}
	// run evaluates a statement (its value is ignored).
	run := func(what, js string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () { `+js+`; return true; })()`))
		must(t, what, err)
	}
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}

	must(t, "sign in and open "+longHistoryMRN, chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 768),
		openChartAs(base, demoUser, demoPass, longHistoryMRN),
		settled(),
	))

	// At 1366 px the vitals table fits its box: no cue.
	vitals := `.table-scroll:has([data-testid="vitals-table"])`
	wantCue("vitals at 1366 px", vitals, "none|not drawn|0%")

	// The matrix of all dates arrives by htmx, far wider than the window: more to the right.
	must(t, "open the lab matrix, all dates", chromedp.Do(ctx,
		pressLink(`[data-testid="labs-views"] a`, "Matrix"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-matrix"]`)),
		settled(),
		pressLink(`[data-testid="labs-ranges"] a`, "All"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-matrix"]`)),
		settled(),
		chromedp.ScrollIntoView(chromedp.CSS(`.matrix-scroll`)),
	))
	matrix := `.matrix-scroll`
	wantCue("the matrix as it opens", matrix, "right|drawn|100%")

	// Halfway: both sides; the left shade starts at the sticky test column's edge, not over it.
	edge, err := chromedp.Run(ctx, chromedp.Evaluate[string](stickyColumnEdge))
	must(t, "measure the sticky test column", err)
	run("scroll the matrix halfway", `var b = document.querySelector('.matrix-scroll'); b.scrollLeft = (b.scrollWidth - b.clientWidth) / 2`)
	wantCue("the matrix scrolled halfway", matrix, "left right|drawn|"+edge)

	// At its right end: only the left side hides more.
	run("scroll the matrix to its end", `var b = document.querySelector('.matrix-scroll'); b.scrollLeft = b.scrollWidth`)
	wantCue("the matrix scrolled to its end", matrix, "left|drawn|"+edge)

	// On paper the tables are printed whole: no shade, whatever the box says.
	must(t, "emulate print", chromedp.Do(ctx, media("print")))
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[string](scrollCue+`(".matrix-scroll")`))
	must(t, "read the printed matrix's cue", err)
	if !strings.Contains(printed, "|not drawn|") {
		t.Errorf("in print the matrix's scroll cue is %q: its shade is drawn on paper", printed)
	}
	must(t, "emulate screen", chromedp.Do(ctx, media("")))

	// A phone: the matrix's box narrows under its scrolled table (the box's size changes, nothing
	// scrolls), so more is hidden to the right again. The vitals table, its rows laid out as cards
	// on a phone, still fits.
	must(t, "emulate a 390x844 phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	edge, err = chromedp.Run(ctx, chromedp.Evaluate[string](stickyColumnEdge))
	must(t, "measure the sticky test column at 390 px", err)
	wantCue("the matrix at 390 px", matrix, "left right|drawn|"+edge)
	wantCue("vitals at 390 px", vitals, "none|not drawn|0%")
	must(t, "back to 1366x768", chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)))
	wantCue("vitals back at 1366 px", vitals, "none|not drawn|0%")
}
