package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// showAllMRN is Camila Lopez: her labs are from 2019 and 2023, so the Labs section opens on an
// empty year with "Show all lab results".
const showAllMRN = "203713"

// labsState describes the Labs section and the focus: "old" while the section is the one
// markLabs marked, "settling" while htmx is still settling a new one (its links are not htmx's
// until then), else "fresh"; whether it offers Show all; the focused element's id (or tag); and
// whether that element is in the window.
const labsState = `(function () {
	var s = document.getElementById('section-labs');
	var fresh = !s ? 'none' : s.e2eMarked ? 'old' : document.querySelector('.htmx-request, .htmx-added, .htmx-settling') ? 'settling' : 'fresh';
	var hint = s && s.querySelector('[data-testid="labs-older-link"]') ? 'show all' : 'no show all';
	var a = document.activeElement;
	var r = a && a.getBoundingClientRect();
	var seen = r && r.bottom > 0 && r.top < window.innerHeight ? 'in view' : 'out of view';
	return [fresh, hint, (a && (a.id || a.tagName)) || '', seen].join('|');
})()`

// markLabs marks the Labs section shown, so labsState can tell it from the next answer.
const markLabs = `(function () { document.getElementById('section-labs').e2eMarked = true; return true; })()`

// checkShowAll presses Camila Lopez's "Show all lab results" with the keyboard: the link is gone
// with the section it replaces, and the focus must land on the reloaded Labs heading (in view),
// not on <body> at the top of the page. A time range pressed after it keeps the focus on itself
// (htmx refocuses its id in the new section), and brings the empty year and Show all back.
func checkShowAll(t *testing.T, ctx context.Context, base, artifacts string) {
	must(t, "look up "+showAllMRN, chromedp.Do(ctx,
		lookUp(base, showAllMRN),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-older-link"]`)),
	))
	wait := func(what, want string) {
		t.Helper()
		var got string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			var err error
			got, err = chromedp.Run(ctx, chromedp.Evaluate[string](labsState))
			must(t, "read the labs section", err)
			if got == want {
				return
			}
		}
		t.Errorf("after %s the labs section and focus are %q, want %q", what, got, want)
	}
	mark := func() {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](markLabs))
		must(t, "mark the labs section", err)
	}
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(`+labsState+`).indexOf('fresh|show all|') === 0`,
		chromedp.WithPollingTimeout(5*time.Second)))
	must(t, "wait for the labs section to settle", err)

	mark()
	must(t, "press Show all lab results", chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(`[data-testid="labs-older-link"]`)),
		chromedp.KeyEvent(kb.Enter),
	))
	wait("Enter on Show all lab results", "fresh|no show all|section-labs-title|in view")
	screenshot(t, ctx, artifacts, "09-labs-show-all.png")

	// The time ranges were there before Show all and are in its answer: the focus stays on the one
	// pressed.
	year, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		var a = Array.prototype.find.call(document.querySelectorAll('#section-labs [data-testid="labs-ranges"] a'), function (a) {
			return a.textContent.trim() === '1 year';
		});
		return a ? a.id : '';
	})()`))
	must(t, "find the labs' 1 year", err)
	if year == "" {
		t.Fatal("the labs section has no 1 year time range")
	}
	mark()
	must(t, "press 1 year", chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(`#`+year)),
		chromedp.KeyEvent(kb.Enter),
	))
	wait("Enter on 1 year", "fresh|show all|"+year+"|in view")
}
