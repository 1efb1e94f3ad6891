package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Two wrapping faults seen in screenshots:
//
//   - The admin's page header on a 390 px phone squeezed "Audit trail" and "Signed in as …" between
//     the brand and Sign out, each broken over two lines.
//   - At 1280 px (the ward's touch kiosk) the vitals strip's blood pressure tile wrapped its unit
//     "mm[Hg]" under "116/82": a 9.5rem tile was a few pixels too narrow for both.

// textLines counts the lines the text inside el is laid out on (distinct tops of its text boxes).
const textLines = `function textLines(el) {
	var tops = [];
	var walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
	for (var n = walk.nextNode(); n; n = walk.nextNode()) {
		if (!n.textContent.trim()) continue;
		var r = document.createRange();
		r.selectNodeContents(n);
		Array.prototype.forEach.call(r.getClientRects(), function (rect) {
			if (rect.width === 0) return;
			if (!tops.some(function (t) { return Math.abs(t - rect.top) < 4; })) tops.push(rect.top);
		});
	}
	return tops.length;
}`

// headerWraps lists the header's parts that take more than one line, and how far the header and the
// page are wider than their boxes.
const headerWraps = `(function () {
	` + textLines + `
	var h = document.querySelector('.app-header');
	var out = [];
	h.querySelectorAll('.brand, nav > a, .who, button').forEach(function (el) {
		var n = textLines(el);
		if (n !== 1) out.push(el.textContent.trim().replace(/\s+/g, ' ') + ' (' + n + ' lines)');
	});
	if (h.scrollWidth > h.clientWidth) out.push('header overflows by ' + (h.scrollWidth - h.clientWidth) + ' px');
	var over = document.documentElement.scrollWidth - document.documentElement.clientWidth;
	if (over > 0) out.push('page overflows by ' + over + ' px');
	return out;
})()`

// tileFaults lists the vitals tiles whose unit is not on its value's line, or whose content is wider
// than the tile or than the strip.
const tileFaults = `(function () {
	var out = [];
	var strip = document.querySelector('.vitals-strip').getBoundingClientRect();
	document.querySelectorAll('[data-testid="vital-tile"]').forEach(function (tile) {
		var label = tile.querySelector('[data-testid="vital-label"]').textContent.trim();
		var value = tile.querySelector('[data-testid="vital-value"]');
		var unit = value.querySelector('.unit');
		if (unit && value.firstChild && value.firstChild.nodeType === Node.TEXT_NODE) {
			var r = document.createRange();
			r.selectNodeContents(value.firstChild);
			var v = r.getBoundingClientRect(), u = unit.getBoundingClientRect();
			if (u.top >= v.bottom - 2) out.push(label + ': unit "' + unit.textContent.trim() + '" under its value');
		}
		var b = tile.getBoundingClientRect();
		if (tile.scrollWidth > tile.clientWidth) out.push(label + ': content ' + (tile.scrollWidth - tile.clientWidth) + ' px wider than the tile');
		if (b.left < strip.left - 0.5 || b.right > strip.right + 0.5) out.push(label + ': tile outside the strip');
	});
	var over = document.documentElement.scrollWidth - document.documentElement.clientWidth;
	if (over > 0) out.push('page overflows by ' + over + ' px');
	return out;
})()`

func TestBrowserHeaderAndVitalTilesKeepTogether(t *testing.T) {
	base, ctx := startChartside(t, staffAccount{layoutAdmin, "admin", layoutPass})

	// 1. The audit trail on a phone: every part of the header on one line, nothing wider than the page.
	must(t, "sign in as an admin on a 390x844 phone and open the audit trail", chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		signInAs(base, layoutAdmin, layoutPass),
		chromedp.Navigate(base+"/admin/audit"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-table"]`)),
	))
	wraps, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](headerWraps))
	must(t, "measure the audit trail's header", err)
	for _, w := range wraps {
		t.Errorf("the audit trail's header at 390 px: %s", w)
	}

	// 2. The vitals strip at 1280 px: blood pressure's unit on the line of its value.
	must(t, "open "+e2eMRN+" at 1280x1024", chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 1024),
		lookUp(base, e2eMRN),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="vital-tile"]`)),
	))
	bp, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.prototype.map.call(document.querySelectorAll('[data-testid="vital-value"]'), function (v) { return v.textContent.trim(); }).filter(function (v) { return v.indexOf('mm[Hg]') > 0; }).join()`))
	must(t, "find the blood pressure tile", err)
	if bp == "" {
		t.Fatalf("%s's vitals strip has no value in mm[Hg] to check", e2eMRN)
	}
	faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](tileFaults))
	must(t, "measure the vitals strip at 1280 px", err)
	for _, f := range faults {
		t.Errorf("the vitals strip at 1280 px: %s", f)
	}

	// 3. At 1024 px the strip takes two lines; the tiles left over on the second stay near the width
	// of those above (they were stretched to 19rem, twice as wide as the six above them).
	must(t, "emulate a 1024x768 screen", chromedp.Do(ctx, chromedp.EmulateViewport(1024, 768)))
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`Array.prototype.map.call(document.querySelectorAll('[data-testid="vital-tile"]'), function (t) { return t.getBoundingClientRect().width; })`))
	must(t, "measure the vitals tiles at 1024 px", err)
	if len(widths) > 1 {
		lo, hi := widths[0], widths[0]
		for _, w := range widths {
			lo, hi = min(lo, w), max(hi, w)
		}
		if hi > 1.35*lo {
			t.Errorf("at 1024 px the vitals tiles are %v px wide: the widest is more than 1.35 times the narrowest", widths)
		}
	}

	// 4. And on a phone the tiles still fit the strip and the page.
	must(t, "emulate a 390x844 phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	faults, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](tileFaults))
	must(t, "measure the vitals strip at 390 px", err)
	for _, f := range faults {
		t.Errorf("the vitals strip at 390 px: %s", f)
	}
}
