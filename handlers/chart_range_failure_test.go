package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/chartside/chartside/epic/sandbox"
)

// TestFailedRangeKeepsItsControls: a time range (or the labs view switch) pressed while Epic
// fails answers the section with its alert and Retry, and still with its ranges, the pressed one
// current and under the same id as before. htmx puts the keyboard focus back on that id, and the
// user can Retry or choose another range. Before, a failed section had only its alert and Retry:
// the pressed link was gone and the focus fell to <body>. The panel of an analyte's history
// (its own ranges) behaves the same.
func TestFailedRangeKeepsItsControls(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{noBreaker: true})
	b := env.signIn()
	chart := b.openChart("203713")
	hx := map[string]string{"HX-Request": "true"}

	labs := b.get(chart+"/labs", hx).doc(t)
	check := func(t *testing.T, d *goquery.Document, pressed *goquery.Selection, navs ...string) {
		t.Helper()
		id := pressed.AttrOr("id", "")
		if d.Find(`[data-testid="alert-error"]`).Length() != 1 || d.Find(`[data-testid="retry"]`).Length() != 1 {
			t.Fatalf("the failed answer has no error alert with Retry:\n%s", text(d))
		}
		got := d.Find("#" + id)
		if got.Length() != 1 {
			t.Fatalf("the failed answer has no #%s (the %q the user pressed): the focus would fall to <body>", id, pressed.Text())
		}
		if got.AttrOr("aria-current", "") != "true" || got.AttrOr("hx-get", "") != pressed.AttrOr("hx-get", "") {
			t.Errorf("#%s in the failed answer: aria-current %q, hx-get %q; want the pressed range, current",
				id, got.AttrOr("aria-current", ""), got.AttrOr("hx-get", ""))
		}
		for _, nav := range navs {
			if d.Find(`nav[data-testid="`+nav+`"] a`).Length() < 2 {
				t.Errorf("the failed answer lacks the %s controls", nav)
			}
		}
		if n := d.Find("[autofocus]").Length(); n != 0 {
			t.Errorf("%d autofocus in the failed answer: it would move the focus off the pressed range", n)
		}
	}

	t.Run("labs range", func(t *testing.T) {
		pressed := labs.Find(`nav[data-testid="labs-ranges"] a:not([aria-current])`).Last()
		env.sb.Faults().FailNext("Observation", 1000, sandbox.Fault{Kind: sandbox.FaultServerError})
		defer env.sb.Faults().Reset()
		check(t, b.get(pressed.AttrOr("hx-get", ""), hx).doc(t), pressed, "labs-ranges", "labs-views")
	})
	t.Run("labs view", func(t *testing.T) {
		pressed := labs.Find(`nav[data-testid="labs-views"] a:not([aria-current])`).First()
		env.sb.Faults().FailNext("Observation", 1000, sandbox.Fault{Kind: sandbox.FaultServerError})
		defer env.sb.Faults().Reset()
		check(t, b.get(pressed.AttrOr("hx-get", ""), hx).doc(t), pressed, "labs-ranges", "labs-views")
	})
	t.Run("analyte panel range", func(t *testing.T) {
		strip := b.get(chart+"/vitals-strip", hx).doc(t)
		link := strip.Find(`[data-testid="vital-tile"] [data-testid="analyte-link"]`).First()
		if link.Length() == 0 {
			t.Fatal("no analyte link in the vitals strip")
		}
		panel := b.get(htmxGet(t, link), hx).doc(t)
		pressed := panel.Find(`nav[data-testid="analyte-presets"] a:not([aria-current])`).Last()
		env.sb.Faults().FailNext("Observation", 1000, sandbox.Fault{Kind: sandbox.FaultServerError})
		defer env.sb.Faults().Reset()
		failed := b.get(htmxGet(t, pressed), hx).doc(t)
		check(t, failed, pressed, "analyte-presets")
		if failed.Find(`[data-testid="close-panel"]`).Length() != 1 {
			t.Errorf("the failed panel lost its Close control")
		}
	})
}

// text is a document's visible words on one line, for failure messages.
func text(d *goquery.Document) string { return strings.Join(strings.Fields(d.Text()), " ") }

// TestFailedRangeKeepsFocusInBrowser presses a labs time range from the keyboard in Chromium while
// every Observation search fails: the section shows its alert and Retry, and the focus is still on
// the range pressed (it was on <body> before the failed section kept its ranges).
func TestFailedRangeKeepsFocusInBrowser(t *testing.T) {
	ctx := headlessChromium(t)
	env := newChartEnv(t, chartEnvOptions{noBreaker: true})
	if err := chromedp.Do(ctx, chromedp.Navigate(env.app.URL+"/healthz")); err != nil {
		t.Fatal(err)
	}
	signedIn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`fetch("/__test/signin", {method: "POST"}).then(r => r.ok)`, chromedp.EvalAwaitPromise))
	if err != nil || !signedIn {
		t.Fatalf("sign in in the browser: %v, %v", signedIn, err)
	}
	ranges := `#section-labs nav[data-testid="labs-ranges"]`
	err = chromedp.Do(ctx,
		chromedp.Navigate(env.app.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="mrn-input"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="mrn-input"]`), "203713"),
		chromedp.Click(chromedp.CSS(`[data-testid="lookup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(ranges)),
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
	)
	if err != nil {
		t.Fatalf("open the chart: %v", err)
	}
	pressed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('`+ranges+` a:not([aria-current])')].pop().id`))
	if err != nil || pressed == "" {
		t.Fatalf("find a labs range to press: %q, %v", pressed, err)
	}

	env.sb.Faults().FailNext("Observation", 1000, sandbox.Fault{Kind: sandbox.FaultServerError})
	defer env.sb.Faults().Reset()
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = chromedp.Do(wait,
		chromedp.Focus(chromedp.CSS("#"+pressed)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#section-labs [data-testid="alert-error"]`)),
	)
	if err != nil {
		labs, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("section-labs").innerText`))
		t.Fatalf("press %s while Epic fails: %v\nthe labs section reads: %s", pressed, err, labs)
	}
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = activeElement(ctx, t); got == pressed {
			break
		}
	}
	if got != pressed {
		t.Errorf("after the failed range the focus is on %q, want the range pressed (%s)", got, pressed)
	}
	current, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('#`+pressed+`[aria-current="true"]')`))
	if err != nil || !current {
		t.Errorf("the range pressed (%s) is not marked current in the failed section (%v)", pressed, err)
	}
}
