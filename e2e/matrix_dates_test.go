package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The lab matrix's box was as tall as its table (1,045 px at 1024 and 1280 px, 1,363 px on a
// phone, for the long-history patient's 21 tests) and scrolled sideways only: its sticky date row
// stuck to nothing, so with the page scrolled down to Potassium or WBC and the matrix scrolled
// sideways, no date was on screen, and the sideways scrollbar was 1,000 px further down. A value
// could be read against the wrong date. The box is now no taller than the window under the
// banner, its date row and test column stay in view, and a line under it names the tests above
// and below its visible rows.

// matrixDateFaults lists the value cells drawn on screen (their centre not covered) whose
// column's date is not: outside the window, or covered (by the banner, say). It also says how
// many value cells it found on screen, so an empty answer cannot pass by finding none.
const matrixDateFaults = `(function () {
	var box = document.querySelector('.matrix-scroll');
	var heads = box.querySelectorAll('thead th');
	var w = window.innerWidth, h = window.innerHeight;
	var shown = function (el) {
		var r = el.getBoundingClientRect();
		var x = r.left + r.width / 2, y = r.top + r.height / 2;
		if (r.width === 0 || x < 0 || x > w || y < 0 || y > h) return false;
		var at = document.elementFromPoint(x, y);
		return !!at && (at === el || el.contains(at));
	};
	var out = [], seen = 0, reported = {};
	box.querySelectorAll('tbody td').forEach(function (td) {
		var r = td.getBoundingClientRect();
		if (r.bottom < 0 || r.top > h || r.right < 0 || r.left > w || !shown(td)) return;
		seen++;
		var th = heads[td.cellIndex];
		if (th && shown(th)) return;
		var col = th ? th.textContent.trim() : 'column ' + td.cellIndex;
		if (reported[col]) return;
		reported[col] = true;
		var test = td.parentElement.children[0].textContent.trim().split('\n')[0];
		var r2 = th ? th.getBoundingClientRect() : {top: NaN};
		var at = th ? document.elementFromPoint(r2.left + r2.width / 2, r2.top + r2.height / 2) : null;
		out.push(test + ' "' + td.textContent.replace(/\s+/g, ' ').trim() + '" is on screen but its date ' + col +
			' is not (at y=' + Math.round(r2.top) + ', under ' + (at ? at.className || at.tagName : 'nothing') + ')');
	});
	return {seen: seen, faults: out.slice(0, 5)};
})()`

// matrixDateCheck is matrixDateFaults' answer.
type matrixDateCheck struct {
	Seen   int      `json:"seen"`
	Faults []string `json:"faults"`
}

// matrixRowsCueFaults lists the matrix's rows that its box hides (outside its visible rows: under
// its sticky date row or past its foot) without the line under it naming them: that line must be
// drawn on screen and say how many tests are above and below. Empty when every hidden row is
// named. Shared with TestBrowserTablesShowEveryRow.
const matrixRowsCueFaults = `(function () {
	var box = document.querySelector('.matrix-scroll');
	var head = box.querySelector('thead');
	var b = box.getBoundingClientRect();
	var top = b.top + box.clientTop, first = top + head.offsetHeight, last = top + box.clientHeight;
	var above = [], below = [];
	box.querySelectorAll('tbody tr').forEach(function (tr) {
		var r = tr.getBoundingClientRect();
		var name = tr.children[0].textContent.trim().split('\n')[0];
		if (r.top < first - 1) above.push(name);
		else if (r.bottom > last + 1) below.push(name);
	});
	if (!above.length && !below.length) return [];
	var cue = box.nextElementSibling, out = [];
	if (!cue || !cue.matches('[data-testid="matrix-rows-cue"]')) return ['no line under the box, ' + (above.length + below.length) + ' rows hidden'];
	var c = cue.getBoundingClientRect();
	var at = document.elementFromPoint(c.left + 8, c.top + c.height / 2);
	if (!cue.checkVisibility() || c.top < 0 || c.bottom > window.innerHeight || !(at === cue || cue.contains(at))) {
		out.push('the line under the box is not on screen (top ' + Math.round(c.top) + ', bottom ' + Math.round(c.bottom) + ' of ' + window.innerHeight + ')');
	}
	var text = cue.textContent;
	var tests = function (n) { return n + (n === 1 ? ' test ' : ' tests '); };
	if (above.length && text.indexOf(tests(above.length) + 'above') < 0) out.push(above.length + ' rows hidden above (' + above.slice(-2).join(', ') + ') but the line says "' + text + '"');
	if (below.length && text.indexOf(tests(below.length) + 'below') < 0) out.push(below.length + ' rows hidden below (' + below.slice(0, 2).join(', ') + ') but the line says "' + text + '"');
	return out;
})()`

// matrixBoxFits is where the matrix's box and the line under it end when the box's top is
// scrolled to just under the banner, or a fault.
const matrixBoxFits = `(function () {
	var box = document.querySelector('.matrix-scroll');
	box.scrollIntoView({block: 'start'});
	var banner = document.querySelector('.patient-banner').getBoundingClientRect();
	var cue = box.nextElementSibling;
	var b = box.getBoundingClientRect(), c = cue && cue.matches('[data-testid="matrix-rows-cue"]') ? cue.getBoundingClientRect() : b;
	var h = window.innerHeight;
	if (b.top < banner.bottom - 1) return 'the box top (' + Math.round(b.top) + ') is under the banner (' + Math.round(banner.bottom) + ')';
	if (b.bottom > h + 1) return 'the box top is at ' + Math.round(b.top) + ' but its foot and sideways scrollbar are at ' + Math.round(b.bottom) + ', below the ' + h + ' px window';
	if (c.bottom > h + 1) return 'the line under the box ends at ' + Math.round(c.bottom) + ', below the ' + h + ' px window';
	return '';
})()`

// frames waits two animation frames, for the scroll events of what the test scrolled.
const frames = `new Promise(function (r) { requestAnimationFrame(function () { requestAnimationFrame(function () { r(true); }); }); })`

func TestBrowserMatrixDatesInView(t *testing.T) {
	root := repoRoot(t)
	base, ctx := startChartside(t)
	axeJS := readAxe(t, root)
	artifacts := artifactsDir(t, root)

	settled := chromedp.Steps(
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.htmx-request, .htmx-settling, .htmx-added`)),
	)
	// run evaluates a statement and waits for the scroll events it causes.
	run := func(what, js string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () { `+js+`; return true; })()`))
		must(t, what, err)
		_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](frames, chromedp.EvalAwaitPromise))
		must(t, "wait for "+what, err)
	}
	checkDates := func(at string) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[matrixDateCheck](matrixDateFaults))
		must(t, "read the matrix's dates "+at, err)
		if got.Seen < 10 {
			t.Errorf("%s only %d of the matrix's value cells are on screen, want a screenful", at, got.Seen)
		}
		if len(got.Faults) > 0 {
			t.Errorf("%s values are on screen without their dates:\n%s", at, strings.Join(got.Faults, "\n"))
		}
	}
	// shot saves what the window shows (not the whole page, which would be taller than a window).
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		must(t, "screenshot "+name, err)
		if err := os.WriteFile(filepath.Join(artifacts, name), png, 0o644); err != nil {
			t.Errorf("save screenshot %s: %v", name, err)
		}
	}
	checkCue := func(at string) {
		t.Helper()
		faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](matrixRowsCueFaults))
		must(t, "read the matrix's rows "+at, err)
		if len(faults) > 0 {
			t.Errorf("%s the matrix hides rows without saying so:\n%s", at, strings.Join(faults, "\n"))
		}
	}

	must(t, "open "+longHistoryMRN+"'s lab matrix, all dates", chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		openChartAs(base, demoUser, demoPass, longHistoryMRN),
		pressLink(`[data-testid="labs-views"] a`, "Matrix"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-matrix"]`)),
		settled,
		pressLink(`[data-testid="labs-ranges"] a`, "All"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-matrix"]`)),
		settled,
	))

	for _, size := range [][2]int64{{390, 844}, {1024, 900}, {1280, 900}} {
		at := fmt.Sprintf("at %dx%d,", size[0], size[1])
		must(t, "emulate "+at, chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1])))
		run("let the box settle "+at, `document.querySelector('.matrix-scroll').scrollTop = 0`)

		// The box's top just under the banner: its foot, with the sideways scrollbar, and the
		// line under it are in the window too.
		fault, err := chromedp.Run(ctx, chromedp.Evaluate[string](matrixBoxFits))
		must(t, "measure the matrix's box "+at, err)
		if fault != "" {
			t.Errorf("%s %s", at, fault)
		}
		run("wait after scrolling the box to the top "+at, `0`)
		checkCue(at + " the matrix at its top,")

		// WBC, the last test, in the middle of the window, the matrix scrolled sideways to its
		// middle column.
		for _, test := range []string{"WBC", "Potassium"} {
			where := fmt.Sprintf("%s %s in the middle of the window, the matrix scrolled halfway,", at, test)
			run("bring "+test+" to the middle "+at, fmt.Sprintf(`
				var box = document.querySelector('.matrix-scroll');
				var tr = Array.prototype.find.call(box.querySelectorAll('tbody tr'), function (tr) {
					return tr.children[0].textContent.trim().indexOf(%q) === 0;
				});
				tr.scrollIntoView({block: 'center'});
				box.scrollLeft = (box.scrollWidth - box.clientWidth) / 2`, test))
			checkDates(where)
			checkCue(where)
			if test == "WBC" {
				shot(fmt.Sprintf("matrix-dates-%d.png", size[0]))
			}
		}

		// The page scrolled on with the pointer outside the matrix: its top under the banner, a
		// third of it above the window's top edge.
		where := at + " the page scrolled on, the matrix's top under the banner,"
		run("scroll the page "+at, `
			var box = document.querySelector('.matrix-scroll');
			var banner = document.querySelector('.patient-banner').getBoundingClientRect();
			var b = box.getBoundingClientRect();
			window.scrollBy(0, b.top - banner.bottom + b.height / 3)`)
		checkDates(where)
		shot(fmt.Sprintf("matrix-dates-page-scrolled-%d.png", size[0]))

		// The matrix scrolled to its last row: the tests above are named.
		run("scroll the matrix to its foot "+at, `
			var box = document.querySelector('.matrix-scroll');
			box.scrollIntoView({block: 'start'});
			box.scrollTop = box.scrollHeight`)
		checkCue(at + " the matrix at its foot,")
		checkDates(at + " the matrix at its foot,")
		shot(fmt.Sprintf("matrix-dates-foot-%d.png", size[0]))
	}
	checkAxe(t, ctx, axeJS, longHistoryMRN+"'s lab matrix scrolled to its foot at 1280 px")
}
