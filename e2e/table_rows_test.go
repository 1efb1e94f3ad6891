package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Every table box (.table-scroll) was capped at 70% of the window and scrolled inside itself, with
// nothing to say more rows were below: on a 390 px phone Morgan Quinlan's labs box showed 630 px of
// 2,900 px of cards, ending cleanly on a row, and the long-history patient's lab matrix stopped
// above Potassium, Sodium and a WBC of 0.7 "Critical low" at every width. A physician could
// conclude there were none. The observation tables are now as tall as their tables, scrolling
// sideways only when wider than their box; the page scrolls down through them (and where a table
// fits, its header row sticks under the banner: TestBrowserTableHeaderStaysInView). The lab matrix alone is capped at the window again,
// to keep its dates in view (TestBrowserMatrixDatesInView), and the line under it must name every
// row it hides (matrixRowsCueFaults).

// rowsHiddenBelow lists, for every table box on the page but the lab matrix, the rows the box
// itself cuts off vertically (drawn outside its visible area, whatever the page's scroll), and any
// box that scrolls up and down inside itself.
const rowsHiddenBelow = `(function () {
	var out = [];
	document.querySelectorAll('.table-scroll:not(.matrix-scroll)').forEach(function (box) {
		var name = box.getAttribute('aria-label') || box.className;
		if (box.scrollHeight - box.clientHeight > 1) out.push(name + ': scrolls up and down inside itself, ' + (box.scrollHeight - box.clientHeight) + ' px hidden');
		var b = box.getBoundingClientRect();
		var top = b.top + box.clientTop, bottom = top + box.clientHeight;
		var rows = box.querySelectorAll('tbody tr'), hidden = [];
		rows.forEach(function (tr) {
			var r = tr.getBoundingClientRect();
			if (r.height > 0 && (r.top < top - 0.5 || r.bottom > bottom + 0.5)) hidden.push(tr.children[0].textContent.trim().split('\n')[0]);
		});
		if (hidden.length) out.push(name + ': ' + hidden.length + ' of ' + rows.length + ' rows cut off (' + hidden.slice(0, 3).join(', ') + '…)');
	});
	return out;
})()`

// matrixRow is the text of the lab matrix's row for the test named (its cells joined by |), or
// "missing", and whether it is drawn inside the matrix's box (below its sticky date row) once
// scrolled to, as the line under the box invites.
const matrixRow = `(function (name) {
	var box = document.querySelector('.matrix-scroll');
	var tr = Array.prototype.find.call(box.querySelectorAll('tbody tr'), function (tr) {
		return tr.children[0].textContent.trim().indexOf(name) === 0;
	});
	if (!tr) return 'missing';
	var head = box.querySelector('thead').offsetHeight;
	box.scrollTop = tr.offsetTop - head;
	var b = box.getBoundingClientRect(), r = tr.getBoundingClientRect();
	var top = b.top + box.clientTop + head;
	var inside = r.top >= top - 0.5 && r.bottom <= top + box.clientHeight + 0.5;
	return (inside ? 'inside' : 'cut off') + '|' + tr.textContent.replace(/\s+/g, ' ').trim();
})`

func TestBrowserTablesShowEveryRow(t *testing.T) {
	base, ctx := startChartside(t)
	axeJS := readAxe(t, repoRoot(t))

	checkRows := func(what string) {
		t.Helper()
		faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](rowsHiddenBelow))
		must(t, "measure the table boxes "+what, err)
		if len(faults) > 0 {
			t.Errorf("%s a table box hides rows with no sign of them:\n%s", what, strings.Join(faults, "\n"))
		}
	}
	// checkMatrixRows: the matrix's box, its top scrolled to just under the banner, hides no row
	// that the line under it does not name.
	checkMatrixRows := func(what string) {
		t.Helper()
		faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`document.querySelector('.matrix-scroll').scrollIntoView({block: 'start'}), `+matrixRowsCueFaults))
		must(t, "measure the matrix's box "+what, err)
		if len(faults) > 0 {
			t.Errorf("%s the matrix hides rows with no sign of them:\n%s", what, strings.Join(faults, "\n"))
		}
	}
	settled := chromedp.Steps(
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.htmx-request, .htmx-settling, .htmx-added`)),
	)

	// A phone: Morgan Quinlan's labs, every card drawn in the page.
	must(t, "sign in on a 390x844 phone and open "+valuesMRN, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		openChartAs(base, demoUser, demoPass, valuesMRN),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
	))
	checkRows("at 390 px on " + valuesMRN + "'s chart")
	checkAxe(t, ctx, axeJS, valuesMRN+"'s chart at 390 px")

	// The long-history patient's lab matrix at 390 and 1280 px: the critical WBC is in the page.
	must(t, "open "+longHistoryMRN+"'s lab matrix", chromedp.Do(ctx,
		lookUp(base, longHistoryMRN),
		pressLink(`[data-testid="labs-views"] a`, "Matrix"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lab-matrix"]`)),
		settled,
	))
	for _, size := range [][2]int64{{390, 844}, {1280, 900}} {
		at := fmt.Sprintf("at %d px on %s's matrix", size[0], longHistoryMRN)
		must(t, "emulate "+at, chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1])))
		checkRows(at)
		checkMatrixRows(at)
		for _, test := range []string{"Potassium", "Sodium", "WBC"} {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](matrixRow+fmt.Sprintf("(%q)", test)))
			must(t, "find "+test+" in the matrix", err)
			if !strings.HasPrefix(got, "inside|") {
				t.Errorf("%s the %s row is %q, want it drawn inside the matrix's box", at, test, got)
			}
			if test == "WBC" && !strings.Contains(got, "Critical low") {
				t.Errorf("%s the WBC row reads %q, want its critical low value", at, got)
			}
		}
	}
	checkAxe(t, ctx, axeJS, longHistoryMRN+"'s lab matrix at 1280 px")

	// On paper, as before, every row is printed.
	must(t, "render for print", chromedp.Do(ctx, setMedia("print")))
	checkRows("in print on " + longHistoryMRN + "'s matrix")
	// The matrix too, capped on screen only.
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(function () { var b = document.querySelector('.matrix-scroll'); return b.scrollHeight - b.clientHeight; })()`))
	must(t, "measure the printed matrix", err)
	if hidden > 1 {
		t.Errorf("in print the matrix's box hides %d px of its table, want it printed whole", hidden)
	}
	must(t, "render for the screen again", chromedp.Do(ctx, setMedia("")))
}
