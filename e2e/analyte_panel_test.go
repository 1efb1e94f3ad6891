package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// valuesMRN is the sandbox patient with every kind of value, among her labs a critical Potassium
// (Morgan Quinlan).
const valuesMRN = "400009"

// markPotassium keeps the labs table's first Potassium link as window.e2eOpener (a property, not
// an attribute: the page is left as it is) and gives it the focus.
const markPotassium = `(function () {
	var a = Array.prototype.find.call(document.querySelectorAll('[data-testid="labs-table"] th a'), function (a) {
		return a.textContent.trim() === 'Potassium';
	});
	if (!a) return false;
	window.e2eOpener = a;
	a.focus();
	return true;
})()`

// panelState describes the analyte region and the focus: "panel" (an analyte's history) or "slot"
// (the empty region); "fresh" when the panel is not the one markPanel marked and htmx has settled
// it (until then its links are not htmx's yet, and Enter would follow them as plain links, to the
// analyte's own page); "close" when it has
// a Close control; then where the focus is ("opener" for window.e2eOpener, else the element's id
// or tag) and whether that element is in the window.
const panelState = `(function () {
	var p = document.getElementById('section-analyte');
	var region = !p ? 'none' : p.matches('section') ? 'panel' : p.matches('.analyte-slot:empty') ? 'slot' : 'other';
	var fresh = p && p.e2eMarked ? 'old' : document.querySelector('.htmx-added, .htmx-settling') ? 'settling' : 'fresh';
	var close = p && p.querySelector('[data-close-panel]') ? 'close' : 'no close';
	var a = document.activeElement;
	var where = a === window.e2eOpener ? 'opener' : (a && (a.id || a.tagName)) || '';
	var r = a && a.getBoundingClientRect();
	var seen = r && r.bottom > 0 && r.top < window.innerHeight ? 'in view' : 'out of view';
	return [region, fresh, close, where, seen].join('|');
})()`

// markPanel marks the panel shown, so panelState can tell it from the next answer.
const markPanel = `(function () { document.getElementById('section-analyte').e2eMarked = true; return true; })()`

// checkAnalytePanel opens Potassium's history from the labs table far down Morgan Quinlan's chart
// with the keyboard: the history appears at the top with the focus on its heading. Refresh and a
// time range in the panel reload it with the focus left on the control pressed and Close kept.
// Escape inside the panel empties the region and puts the focus back on the link, in view; so
// does the Close button; and when the link's section was reloaded meanwhile, the focus goes to
// that section's heading. axe checks the chart with the panel open.
func checkAnalytePanel(t *testing.T, ctx context.Context, base, axeJS, artifacts string) {
	must(t, "look up "+valuesMRN, chromedp.Do(ctx,
		lookUp(base, valuesMRN),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
	))
	eval := func(what, js string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		must(t, what, err)
		if !ok {
			t.Fatalf("%s: not found", what)
		}
	}
	wait := func(what, want string) {
		t.Helper()
		var got string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			var err error
			got, err = chromedp.Run(ctx, chromedp.Evaluate[string](panelState))
			must(t, "read the analyte region", err)
			if got == want {
				return
			}
		}
		t.Errorf("after %s the analyte region and focus are %q, want %q", what, got, want)
	}
	press := func(what, key string) {
		t.Helper()
		must(t, what, chromedp.Do(ctx, chromedp.KeyEvent(key)))
	}

	eval("focus the labs table's Potassium link", markPotassium)
	press("Enter on Potassium", kb.Enter)
	wait("Enter on Potassium", "panel|fresh|close|section-analyte-title|in view")

	// Her Potassium chart says its unit as Epic sent it and labels enough values to read her
	// critical 6.8 off it (3.6 to 6.8 and the band 3.5 to 5.1: 4, 5, 6, 7 mmol/L).
	axes, err := chromedp.Run(ctx, chromedp.Evaluate[trendAxesState](trendAxes))
	must(t, "read Potassium's value axis", err)
	if axes.Unit != "mmol/L" || strings.Join(axes.Ticks, " ") != "4 5 6 7" {
		t.Errorf("Potassium's value axis: unit %q, values %q; want mmol/L, 4 5 6 7", axes.Unit, axes.Ticks)
	}
	for _, p := range axes.Problems {
		t.Errorf("Potassium's trend chart: %s", p)
	}

	eval("mark the panel", markPanel)
	must(t, "focus the panel's Refresh", chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`#section-analyte-refresh`))))
	press("Enter on Refresh", kb.Enter)
	wait("Refresh in the panel", "panel|fresh|close|section-analyte-refresh|in view")

	eval("mark the panel", markPanel)
	must(t, "focus a time range", chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`[data-testid="analyte-presets"] a:not([aria-current])`))))
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	must(t, "read the time range's id", err)
	press("Enter on a time range", kb.Enter)
	wait("a time range in the panel", "panel|fresh|close|"+id+"|in view")
	screenshot(t, ctx, artifacts, "07-analyte-panel.png")
	checkAxe(t, ctx, axeJS, "chart with an analyte's history opened from the labs table")
	checkAxeRuleClean(t, ctx, axeJS, "landmark-unique", "chart with an analyte's history opened from the labs table")

	press("Escape in the panel", kb.Escape)
	wait("Escape in the panel", "slot|fresh|no close|opener|in view")

	press("Enter on Potassium again", kb.Enter)
	wait("Enter on Potassium again", "panel|fresh|close|section-analyte-title|in view")
	must(t, "click Close", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="close-panel"]`))))
	wait("Close", "slot|fresh|no close|opener|in view")

	// The link is gone when its section was reloaded while the panel was open: its heading then.
	press("Enter on Potassium a third time", kb.Enter)
	wait("Enter on Potassium a third time", "panel|fresh|close|section-analyte-title|in view")
	eval("mark the labs section", `(function () { document.getElementById('section-labs').e2eMarked = true; return true; })()`)
	must(t, "refresh the labs", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#section-labs-refresh`))))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById('section-labs').e2eMarked && !document.querySelector('[aria-busy="true"]')`,
		chromedp.WithPollingTimeout(5*time.Second)))
	must(t, "wait for the reloaded labs", err)
	must(t, "click Close", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="close-panel"]`))))
	wait("Close after the labs were reloaded", "slot|fresh|no close|section-labs-title|in view")
}

// checkAxeRuleClean fails on any finding of one axe rule, whatever its impact: checkAxe only logs
// moderate ones, and landmark-unique (moderate) went unnoticed while the Labs section's time
// ranges and the analyte panel's were both "Time range".
func checkAxeRuleClean(t *testing.T, ctx context.Context, axeJS, rule, pageName string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeJS+"\n;true"))
	must(t, "load axe-core on "+pageName, err)
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](fmt.Sprintf(`axe.run(document, {runOnly: {type: 'rule', values: [%q]}, resultTypes: ['violations']}).then(function (r) {
		return r.violations.map(function (v) {
			return {id: v.id, impact: v.impact || '', help: v.help,
				nodes: v.nodes.map(function (n) { return n.target.join(' '); })};
		});
	})`, rule), chromedp.EvalAwaitPromise))
	must(t, "axe "+rule+" on "+pageName, err)
	for _, v := range vs {
		t.Errorf("axe %s on %s: %s (%s) at %s", v.Impact, pageName, v.ID, v.Help, strings.Join(v.Nodes, ", "))
	}
}
