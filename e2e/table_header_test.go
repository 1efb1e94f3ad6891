package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Halfway down a long labs or vitals table the column header row (Name, Value, Unit, Reference
// range, Flag, Date/time, Status) had scrolled away with the page, so a physician reviewing a
// week of labs could not tell the range column from the flag column. The header's sticky rule
// stuck to the table's box (it scrolls sideways, so it was the header's scroll container), which
// never scrolls down. Where the table fits its box, the box no longer clips sideways and the
// header sticks to the page, just under the pinned patient banner. The page must still never
// scroll sideways, on a phone or a desktop, and a row's link reached with Shift+Tab must not stop
// under the stuck header.

// stickyHeadFaults scrolls the window so the middle row of the table with this test id is in the
// middle of the window, then lists what keeps its header row from being read there: a header cell
// outside the window, not at the banner's bottom edge (within 2 px), or covered by something
// else. The table's own top must have scrolled above the banner's edge, or the check proves
// nothing.
const stickyHeadFaults = `(function (id) {
	var table = document.querySelector('[data-testid="' + id + '"]');
	if (!table) return [id + ' missing'];
	var rows = table.querySelectorAll('tbody tr');
	if (rows.length < 20) return [id + ' has only ' + rows.length + ' rows, want a long table'];
	rows[Math.floor(rows.length / 2)].scrollIntoView({block: 'center'});
	var edge = document.querySelector('.patient-banner').getBoundingClientRect().bottom;
	var w = document.documentElement.clientWidth, h = window.innerHeight;
	var out = [];
	var t = table.getBoundingClientRect();
	if (t.top > edge - 100) out.push(id + ': its top is at ' + Math.round(t.top) + ', not scrolled well above the banner\'s edge (' + Math.round(edge) + ')');
	table.querySelectorAll('thead th').forEach(function (th) {
		var name = th.textContent.trim(), r = th.getBoundingClientRect();
		if (r.width === 0 || !th.checkVisibility()) { out.push(id + ' ' + name + ': not drawn'); return; }
		if (r.top < -0.5 || r.bottom > h + 0.5 || r.left < -0.5 || r.right > w + 0.5) {
			out.push(id + ' ' + name + ': outside the window (top ' + Math.round(r.top) + ', left ' + Math.round(r.left) + ')');
			return;
		}
		if (Math.abs(r.top - edge) > 2) out.push(id + ' ' + name + ': top at ' + Math.round(r.top) + ', want the banner\'s edge ' + Math.round(edge));
		var at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		if (!at || !(at === th || th.contains(at))) out.push(id + ' ' + name + ': covered by ' + (at ? at.tagName + '.' + at.className : 'nothing'));
	});
	return out;
})`

// hideRowUnderHead scrolls the window so that the analyte link of the labs table's middle row is
// under its stuck header row, and puts the focus on the next row's link without scrolling: the
// next Shift+Tab moves the focus to the hidden link.
const hideRowUnderHead = `(function () {
	var table = document.querySelector('[data-testid="labs-table"]');
	var links = table.querySelectorAll('tbody tr > th a');
	var i = Math.floor(links.length / 2);
	links[i].closest('tr').scrollIntoView({block: 'center'});
	var head = table.querySelector('thead th').getBoundingClientRect();
	var r = links[i].getBoundingClientRect();
	window.scrollBy(0, r.top - (head.top + 2));
	links[i + 1].focus({preventScroll: true});
	return links[i].textContent.trim();
})()`

// focusFault says where the focused element is if it is not drawn in the window, uncovered.
const focusFault = `(function () {
	var el = document.activeElement, r = el.getBoundingClientRect();
	var at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
	if (r.top >= 0 && r.bottom <= window.innerHeight && at && (at === el || el.contains(at))) return '';
	return el.tagName + ' "' + el.textContent.trim() + '" at top ' + Math.round(r.top) + ' is under ' + (at ? at.tagName + ' "' + at.textContent.trim() + '"' : 'nothing');
})()`

// pageWidthFault says how far the page scrolls sideways, or "".
const pageWidthFault = `(function () {
	var d = document.documentElement;
	return d.scrollWidth > d.clientWidth ? 'the page is ' + d.scrollWidth + ' px wide in a ' + d.clientWidth + ' px window' : '';
})()`

func TestBrowserTableHeaderStaysInView(t *testing.T) {
	base, ctx := startChartside(t)

	// settle waits two animation frames: resize observers and scroll events have run.
	settle := func(what string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](frames, chromedp.EvalAwaitPromise))
		must(t, "wait after "+what, err)
	}
	checkHeads := func(at string, ids ...string) {
		t.Helper()
		for _, id := range ids {
			faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](stickyHeadFaults+fmt.Sprintf("(%q)", id)))
			must(t, "scroll to the middle of "+id+" "+at, err)
			if len(faults) > 0 {
				t.Errorf("%s halfway down %s its header row is not in view under the banner:\n%s", at, id, strings.Join(faults, "\n"))
			}
		}
	}
	checkWidth := func(at string) {
		t.Helper()
		fault, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageWidthFault))
		must(t, "measure the page "+at, err)
		if fault != "" {
			t.Errorf("%s the page scrolls sideways: %s", at, fault)
		}
	}
	resize := func(w, h int64) string {
		t.Helper()
		at := fmt.Sprintf("at %dx%d,", w, h)
		must(t, "emulate "+at, chromedp.Do(ctx, chromedp.EmulateViewport(w, h)))
		settle("resizing " + at)
		return at
	}

	must(t, "open 400009's chart at 1280x900", chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		openChartAs(base, demoUser, demoPass, "400009"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
	))
	at := resize(1280, 900)
	checkHeads(at, "labs-table")
	checkWidth(at)
	// A link moved to with the keyboard, upwards, is not left under the stuck header.
	name, err := chromedp.Run(ctx, chromedp.Evaluate[string](hideRowUnderHead))
	must(t, "put a row under the header "+at, err)
	must(t, "Shift+Tab to "+name, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))))
	settle("Shift+Tab to " + name)
	fault, err := chromedp.Run(ctx, chromedp.Evaluate[string](focusFault))
	must(t, "find the focus "+at, err)
	if fault != "" {
		t.Errorf("%s Shift+Tab to %s left the focus hidden: %s", at, name, fault)
	}
	at = resize(1024, 768)
	checkHeads(at, "labs-table")
	checkWidth(at)

	// Narrower than the table: it scrolls sideways in its box as before, with its cue, and the
	// page does not.
	at = resize(680, 900)
	cue, err := chromedp.Run(ctx, chromedp.Evaluate[string](scrollCue+`('.table-scroll:has([data-testid="labs-table"])')`))
	must(t, "read the labs box's scroll cue "+at, err)
	if !strings.HasPrefix(cue, "right|drawn") {
		t.Errorf("%s the labs table's box has the scroll cue %q, want more to its right, shaded", at, cue)
	}
	checkWidth(at)
	at = resize(390, 844)
	checkWidth(at)

	// Back on a desktop the header sticks again.
	at = resize(1280, 900)
	checkHeads(at, "labs-table")
	checkWidth(at)

	// The long-history patient: a long labs table, and its vitals.
	must(t, "open "+longHistoryMRN+"'s chart", chromedp.Do(ctx,
		lookUp(base, longHistoryMRN),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
	))
	settle("opening " + longHistoryMRN)
	checkHeads(at+" "+longHistoryMRN+",", "labs-table", "vitals-table")
	checkWidth(at + " " + longHistoryMRN + ",")

	// "Show older" appends rows to the labs table: the header still sticks down the longer table.
	must(t, "show "+longHistoryMRN+"'s older labs", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#labs-table-more [data-testid="show-older"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#labs-table-more [data-testid="show-older"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.htmx-request, .htmx-settling, .htmx-added`)),
	))
	settle("showing older labs")
	checkHeads(at+" "+longHistoryMRN+"'s labs after Show older,", "labs-table")
	checkWidth(at + " " + longHistoryMRN + "'s labs after Show older,")
}
