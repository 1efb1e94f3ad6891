package handlers_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestKioskStayKeepsThePlace: the idle warning takes the focus onto "Stay signed in"; pressing it
// must put the focus back where the user was. Before, the warning hid with the focus inside it and
// the focus fell to the page's body: a keyboard or screen-reader user (whose reading keys the page
// never hears, so the warning comes to them while they read) was sent back to the top of the
// page, their place lost. With a 40 s idle timeout the warning is due 7 s after the page loads.
func TestKioskStayKeepsThePlace(t *testing.T) {
	findChromium(t)
	t.Parallel()
	env := newAuthEnv(t, authOptions{kiosk: true, idle: 40 * time.Second, realClock: true})
	ctx := headlessChromium(t)
	if err := signInInBrowser(ctx, env.app.URL); err != nil {
		t.Fatalf("sign in in the browser: %v", err)
	}
	// The user's place: the sign-out button (focused by script, which is no typing: the warning
	// still comes).
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="signout"]').focus()`)); err != nil {
		t.Fatalf("focus Sign out: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#kiosk-warning`))); err != nil {
		t.Fatalf("waiting for the idle warning: %v", err)
	}
	focused := `(function () { var a = document.activeElement; return a.id || a.getAttribute("data-testid") || a.tagName; })()`
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](focused)); got != "kiosk-stay" {
		t.Fatalf("the warning shows with the focus on %q, want it on Stay signed in", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.KeyEvent("\r"),
		chromedp.WaitNotVisible(chromedp.CSS(`#kiosk-warning`)),
	); err != nil {
		t.Fatalf("press Stay signed in: %v", err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](focused)); got != "signout" {
		t.Errorf("after Stay signed in the focus is on %q, want it back on Sign out, where it was", got)
	}
}
