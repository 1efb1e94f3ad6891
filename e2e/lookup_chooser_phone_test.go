package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// On a 390 px phone the patients sharing an MRN (400004: two Jordan Lees) were a table wider than
// its box: the caption read "2 patients have this MRN. Check the details a… one." and the Open
// chart buttons were past the right edge, reached only by scrolling the box sideways. Each patient
// is now a card on a phone; still a table to screen readers, and a table at 1280 px.

const sharedMRN = "400004"

// chooserFaults lists what of the shared-MRN chooser is not drawn inside its box and the window:
// the box's sideways overflow, the caption (or a caption cut off), and each patient's name, birth
// date, sex, identifiers and Open chart button.
const chooserFaults = `(function () {
	var table = document.querySelector('[data-testid="lookup-matches"]');
	var box = table.closest('.table-scroll');
	var out = [];
	if (box.scrollWidth > box.clientWidth) out.push((box.scrollWidth - box.clientWidth) + ' px hidden sideways');
	var b = box.getBoundingClientRect();
	var left = Math.max(b.left + box.clientLeft, 0), right = Math.min(b.left + box.clientLeft + box.clientWidth, window.innerWidth);
	var check = function (what, el) {
		var r = el.getBoundingClientRect();
		if (el.getClientRects().length === 0 || r.width === 0) out.push(what + ' not drawn');
		else if (r.left < left - 0.5 || r.right > right + 0.5) out.push(what + ' at ' + Math.round(r.left) + '-' + Math.round(r.right) + ' px, outside ' + Math.round(left) + '-' + Math.round(right));
	};
	var caption = table.querySelector('caption');
	check('the caption', caption);
	if (caption.scrollWidth > caption.clientWidth + 1) out.push('the caption is cut off');
	var cols = ['name', 'birth date', 'sex', 'identifiers'];
	table.querySelectorAll('tbody tr').forEach(function (tr, i) {
		cols.forEach(function (col, j) { check('patient ' + (i + 1) + ' ' + col, tr.children[j]); });
		check('patient ' + (i + 1) + ' Open chart', tr.querySelector('[data-testid="match-choose"]'));
	});
	return out;
})()`

// chooserShape is the display of the chooser's header and first body row.
const chooserShape = `(function () {
	var table = document.querySelector('[data-testid="lookup-matches"]');
	return getComputedStyle(table.querySelector('thead')).position + ' head, row ' + getComputedStyle(table.querySelector('tbody tr')).display;
})()`

func TestBrowserSharedMRNChooserOnPhone(t *testing.T) {
	base, ctx := startChartside(t)
	axeJS := readAxe(t, repoRoot(t))

	lookUpShared := chromedp.Steps(
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="mrn-input"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="mrn-input"]`), sharedMRN),
		chromedp.Click(chromedp.CSS(`[data-testid="lookup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lookup-matches"]`)),
	)
	must(t, "sign in on a 390x844 phone and look up "+sharedMRN, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		signInAs(base, demoUser, demoPass),
		lookUpShared,
	))
	faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](chooserFaults))
	must(t, "measure the chooser at 390 px", err)
	if len(faults) > 0 {
		t.Errorf("at 390 px the shared-MRN chooser hides:\n%s", strings.Join(faults, "\n"))
	}
	over, err := chromedp.Run(ctx, chromedp.Evaluate[int](pageOverflow))
	must(t, "measure the page's width", err)
	if over > 0 {
		t.Errorf("at 390 px the lookup page is %d px wider than the window", over)
	}
	// The birth date and sex, their column headings not shown, are labelled (drawn, not read).
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		var tr = document.querySelector('[data-testid="lookup-match"]');
		return [1, 2].map(function (i) { return getComputedStyle(tr.children[i], '::before').content; }).join(' | ');
	})()`))
	must(t, "read the chooser's labels", err)
	if want := `"Birth date " / "" | "Sex " / ""`; labels != want {
		t.Errorf("at 390 px the chooser's birth date and sex are labelled %s, want %s", labels, want)
	}

	// Still a table to a screen reader, and axe finds no fault.
	for sel, want := range map[string]string{
		`[data-testid="lookup-matches"]`:                              "table",
		`[data-testid="lookup-matches"] thead th`:                     "columnheader",
		`[data-testid="lookup-matches"] tbody tr`:                     "row",
		`[data-testid="lookup-matches"] tbody tr > th`:                "rowheader",
		`[data-testid="lookup-matches"] tbody tr > td`:                "cell",
		`[data-testid="lookup-matches"] tbody tr > td + td + td + td`: "cell",
	} {
		if got := axRole(t, ctx, sel); got != want {
			t.Errorf("at 390 px %s has the accessibility role %q, want %q", sel, got, want)
		}
	}
	checkAxe(t, ctx, axeJS, "the shared-MRN chooser at 390 px")

	// At 1280 px and on paper it is the table it was.
	must(t, "render for print", chromedp.Do(ctx, setMedia("print")))
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[string](chooserShape))
	must(t, "measure the printed chooser", err)
	must(t, "render for the screen again", chromedp.Do(ctx, setMedia("")))
	must(t, "emulate a 1280x900 screen", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](chooserShape))
	must(t, "measure the chooser at 1280 px", err)
	for what, got := range map[string]string{"in print": printed, "at 1280 px": wide} {
		if want := "static head, row table-row"; got != want {
			t.Errorf("%s the chooser is laid out as %q, want %q", what, got, want)
		}
	}
	faults, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](chooserFaults))
	must(t, "measure the chooser at 1280 px", err)
	if len(faults) > 0 {
		t.Errorf("at 1280 px the shared-MRN chooser hides:\n%s", strings.Join(faults, "\n"))
	}

	// Back on the phone, the second patient's Open chart is pressed where it is drawn.
	must(t, "open the second patient's chart from the phone", chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Click(chromedp.CSS(`[data-testid="lookup-match"]:nth-child(2) [data-testid="match-choose"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="banner-name"]`)),
	))
	name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="banner-name"]`)))
	must(t, "read the banner", err)
	if !strings.Contains(name, "Jordan") {
		t.Errorf("the chart opened from the chooser is %q, want Jordan Lee's", fmt.Sprint(name))
	}
}
