package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// printMRN is Camila Lopez: her labs are years old, so the printed labs section says none are in
// the last year and, on screen, offers a "Show all lab results" button.
const printMRN = "203713"

// visibleControls lists what a printed page would show that only works on a screen: every
// rendered button, link styled as a button, form field or summary, by its text (or tag).
const visibleControls = `(function () {
	var out = [];
	document.querySelectorAll('button, a.button, input:not([type=hidden]), select, textarea, summary, [role=button]').forEach(function (el) {
		if (el.getClientRects().length === 0) return;
		var s = getComputedStyle(el);
		if (s.visibility === 'hidden') return;
		out.push(el.tagName.toLowerCase() + ': ' + (el.textContent || el.name || '').trim().replace(/\s+/g, ' '));
	});
	return out.join('\n');
})()`

// setMedia makes the page render for media ("print", or "" for the screen again).
func setMedia(media string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	})
}

// checkPrint opens Camila Lopez's printable chart and renders it for print: every section is
// there and filled in, the footer names who printed it, and no control is on the paper (a button
// printed as "Show all lab results" or "Refresh" is something nobody can press, and reads as if
// the printout were incomplete). On screen the same page keeps its controls.
func checkPrint(t *testing.T, ctx context.Context, base, artifacts string) {
	must(t, "look up "+printMRN, chromedp.Do(ctx,
		lookUp(base, printMRN),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="print-link"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="print-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="print-chart"]`)),
	))
	onScreen, err := chromedp.Run(ctx, chromedp.Evaluate[string](visibleControls))
	must(t, "list the controls on screen", err)
	if !strings.Contains(onScreen, "Show all lab results") {
		t.Errorf("the printable chart on screen lacks the labs' Show all lab results; its controls:\n%s", onScreen)
	}
	must(t, "render for print", chromedp.Do(ctx, setMedia("print")))
	defer func() { must(t, "render for the screen again", chromedp.Do(ctx, setMedia(""))) }()
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[string](visibleControls))
	must(t, "list the controls in print", err)
	if printed != "" {
		t.Errorf("the printed chart shows controls nobody can press:\n%s", printed)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
	must(t, "read the printed chart", err)
	for _, want := range []string{"Camila Maria Lopez", "Latest vitals", "Encounters", "Vitals", "Labs", "Social history", "No lab results in the last year", "Printed by demo"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed chart lacks %q", want)
		}
	}
	screenshot(t, ctx, artifacts, "08-print.png")
}
