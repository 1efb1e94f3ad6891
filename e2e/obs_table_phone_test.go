package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// On a 390 px phone an observation table (name, value, unit, range, flag, date/time, status) was
// 515-640 px wide in a 351 px box and scrolled sideways inside it: Morgan Quinlan's "‼ Critical
// high" potassium of 6.8 and "‼ Critical low" sodium of 118 showed no flag, no row showed when it
// was taken (her repeated blood pressures read as duplicates). Each row is now laid out as a card
// on a phone; it is still a table to screen readers, and a table at 1280 px and on paper.

// obsTableFaults lists, for each observation table named, what a phone user cannot see without
// scrolling sideways: the box's hidden width, and each row's name, value, unit, flag, date/time,
// reference range or status that is not drawn inside the box; and a unit not on its value's line
// (the unit cell's, or the copy a value with notes carries).
const obsTableFaults = `(function (ids) {
	var cols = ['name', 'value', 'unit', 'range', 'flag', 'date/time', 'status'];
	var out = [];
	ids.forEach(function (id) {
		var table = document.querySelector('[data-testid="' + id + '"]');
		if (!table) { out.push(id + ' missing'); return; }
		var box = table.closest('.table-scroll');
		if (box.scrollWidth > box.clientWidth) out.push(id + ': ' + (box.scrollWidth - box.clientWidth) + ' px hidden sideways');
		var b = box.getBoundingClientRect();
		var left = b.left + box.clientLeft, right = left + box.clientWidth;
		table.querySelectorAll('tbody tr').forEach(function (tr) {
			var name = tr.children[0].textContent.trim();
			// A value with notes under it may show its unit itself, the unit cell then hidden.
			var inline = tr.children[1].querySelector('.unit-inline');
			if (inline && inline.getClientRects().length === 0) inline = null;
			cols.forEach(function (col, i) {
				var cell = i === 2 && inline ? inline : tr.children[i];
				if (!cell || !cell.textContent.trim()) return;
				var r = cell.getBoundingClientRect();
				if (cell.getClientRects().length === 0 || r.width === 0) out.push(id + ' ' + name + ': ' + col + ' not drawn');
				else if (r.left < left - 0.5 || r.right > right + 0.5) out.push(id + ' ' + name + ': ' + col + ' "' + cell.textContent.trim() + '" at ' + Math.round(r.left) + '-' + Math.round(r.right) + ' px, outside the box ' + Math.round(left) + '-' + Math.round(right));
			});
			var value = tr.children[1].getBoundingClientRect(), unit = inline || tr.children[2];
			if (unit.textContent.trim() && Math.abs(unit.getBoundingClientRect().top - value.top) > 4) out.push(id + ' ' + name + ': unit not on its value\'s line');
		});
	});
	return out;
})`

// obsRowShape says how a table lays out its rows: the display of its header and first body row,
// and whether that row's cells all share one line.
const obsRowShape = `(function (id) {
	var table = document.querySelector('[data-testid="' + id + '"]');
	var tr = table.querySelector('tbody tr'), head = table.querySelector('thead');
	var tops = Array.prototype.map.call(tr.children, function (c) { return Math.round(c.getBoundingClientRect().top); });
	return getComputedStyle(head).position + ' head ' + Math.round(head.getBoundingClientRect().height) + ' px, row ' +
		getComputedStyle(tr).display + (tops.every(function (t) { return t === tops[0]; }) ? ', one line' : ', several lines');
})`

// cellLooks is the text decoration of a row's cells (the first row matching sel): value, flag, status.
const cellLooks = `(function (sel) {
	var tr = document.querySelector(sel);
	if (!tr) return 'missing';
	var flag = tr.querySelector('[data-testid="flag"]');
	return [tr.children[1], flag, tr.children[6]].map(function (el) {
		return el ? getComputedStyle(el).textDecorationLine : 'none';
	}).join('|');
})`

// axRole is the role Chromium exposes to assistive technology for the first element matching sel.
func axRole(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var role string
	must(t, "read the accessibility role of "+sel, chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		obj, err := cdp.Call(ctx, tg, runtime.Evaluate, runtime.EvaluateParams{Expression: fmt.Sprintf("document.querySelector(%q)", sel)})
		if err != nil {
			return err
		}
		if obj.Result == nil || obj.Result.ObjectID == "" {
			return fmt.Errorf("no element %s", sel)
		}
		no := false
		tree, err := cdp.Call(ctx, tg, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{ObjectID: obj.Result.ObjectID, FetchRelatives: &no})
		if err != nil {
			return err
		}
		for _, n := range tree.Nodes {
			if n.Role != nil {
				role = strings.Trim(string(n.Role.Value), `"`)
				return nil
			}
		}
		return fmt.Errorf("no accessibility node for %s", sel)
	})))
	return role
}

func TestBrowserObsTablesOnPhone(t *testing.T) {
	base, ctx := startChartside(t)
	axeJS := readAxe(t, repoRoot(t))
	tables := `["vitals-table", "labs-table"]`

	must(t, "sign in on a 390x844 phone and open 400009", chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		openChartAs(base, demoUser, demoPass, "400009"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
	))
	faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](obsTableFaults+`(`+tables+`)`))
	must(t, "measure the tables at 390 px", err)
	if len(faults) > 0 {
		t.Errorf("at 390 px a nurse must scroll sideways to read the observation tables:\n%s", strings.Join(faults, "\n"))
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="labs-table"] tbody`)))
	must(t, "read the labs", err)
	for _, want := range []string{"Critical high", "Critical low"} {
		if !strings.Contains(text, want) {
			t.Errorf("the labs table lacks %q", want)
		}
	}

	// Still a table to a screen reader: each part keeps its table role, and axe finds no fault.
	for sel, want := range map[string]string{
		`[data-testid="labs-table"]`:                            "table",
		`[data-testid="labs-table"] thead th`:                   "columnheader",
		`[data-testid="labs-table"] tbody tr`:                   "row",
		`[data-testid="labs-table"] tbody tr > th`:              "rowheader",
		`[data-testid="labs-table"] tbody tr > td`:              "cell",
		`[data-testid="labs-table"] tbody tr > td:nth-child(5)`: "cell",
	} {
		if got := axRole(t, ctx, sel); got != want {
			t.Errorf("at 390 px %s has the accessibility role %q, want %q", sel, got, want)
		}
	}
	checkAxe(t, ctx, axeJS, "400009's chart at 390 px")

	// On paper, and at 1280 px, it is the table it was: header row shown, each row on one line.
	must(t, "render for print", chromedp.Do(ctx, setMedia("print")))
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[string](obsRowShape+`("labs-table")`))
	must(t, "measure the printed labs table", err)
	must(t, "render for the screen again", chromedp.Do(ctx, setMedia("")))
	if want := "static head "; !strings.HasPrefix(printed, want) || !strings.HasSuffix(printed, "row table-row, one line") {
		t.Errorf("in print the labs table is laid out as %q, want its header shown and each row a table row on one line", printed)
	}
	must(t, "emulate a 1280x900 screen", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	for _, id := range []string{"vitals-table", "labs-table"} {
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](obsRowShape+fmt.Sprintf("(%q)", id)))
		must(t, "measure "+id+" at 1280 px", err)
		if !strings.HasPrefix(wide, "static head ") || !strings.HasSuffix(wide, "row table-row, one line") || strings.HasPrefix(wide, "static head 0 px") {
			t.Errorf("at 1280 px %s is laid out as %q, want its header shown and each row a table row on one line", id, wide)
		}
	}

	// An entered-in-error row on a phone is still struck through (its flag too), its status not.
	must(t, "open 400011 on the phone", chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		lookUp(base, "400011"),
		chromedp.WaitVisible(chromedp.CSS(`tr.row-error [data-testid="flag"]`)),
	))
	looks, err := chromedp.Run(ctx, chromedp.Evaluate[string](cellLooks+`('tr.row-error:has([data-testid="flag"])')`))
	must(t, "measure the erroneous row", err)
	if looks != "line-through|line-through|none" {
		t.Errorf("at 390 px the erroneous row's value|flag|status decorations are %q, want line-through|line-through|none", looks)
	}
	faults, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](obsTableFaults+`(`+tables+`)`))
	must(t, "measure 400011's tables at 390 px", err)
	if len(faults) > 0 {
		t.Errorf("at 390 px 400011's observation tables hide:\n%s", strings.Join(faults, "\n"))
	}
}
