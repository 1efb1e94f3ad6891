package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Inês Carvalho (400011) had a hemolysed potassium of 6.9 flagged High, entered in error and
// redrawn at 4.1. The erroneous row keeps Epic's flag, but it used to keep the flag's warning
// colours too: beside a struck-through value a yellow "▲ High" still read as an active abnormal
// result. It is now muted and struck through like its row, while a live flag (her amended
// hemoglobin's Low) keeps its colours.

// flagLooks reports, for the first flag in the rows matching a selector, its background colour
// and its own text decoration.
const flagLooks = `(function (sel) {
	var f = document.querySelector(sel + ' [data-testid="flag"]');
	if (!f) return null;
	var s = getComputedStyle(f);
	return {text: f.textContent.trim(), background: s.backgroundColor, decoration: s.textDecorationLine};
})`

type flagLook struct {
	Text       string `json:"text"`
	Background string `json:"background"`
	Decoration string `json:"decoration"`
}

func TestBrowserErroneousResultFlagIsMuted(t *testing.T) {
	base, ctx := startChartside(t)

	must(t, "open 400011's chart", chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		openChartAs(base, demoUser, demoPass, "400011"),
		chromedp.WaitVisible(chromedp.CSS(`tr.row-error [data-testid="flag"]`)),
	))
	erroneous, err := chromedp.Run(ctx, chromedp.Evaluate[*flagLook](flagLooks+`('tr.row-error')`))
	must(t, "measure the erroneous potassium's flag", err)
	live, err := chromedp.Run(ctx, chromedp.Evaluate[*flagLook](flagLooks+`('tr[data-testid="obs-row"]:not(.row-error):not(.row-cancelled)')`))
	must(t, "measure a live result's flag", err)
	if erroneous == nil || live == nil {
		t.Fatalf("flags not found: erroneous %+v, live %+v", erroneous, live)
	}
	if erroneous.Text != "▲ High" {
		t.Errorf("the erroneous potassium's flag says %q, want Epic's ▲ High kept", erroneous.Text)
	}
	if erroneous.Background != "rgba(0, 0, 0, 0)" || erroneous.Decoration != "line-through" {
		t.Errorf("the erroneous potassium's flag has background %s and decoration %q: it still looks like an active abnormal result",
			erroneous.Background, erroneous.Decoration)
	}
	if live.Background == "rgba(0, 0, 0, 0)" || live.Decoration == "line-through" {
		t.Errorf("a live result's flag (%s) lost its colours: background %s, decoration %q", live.Text, live.Background, live.Decoration)
	}
}
