package handlers_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestKioskWarningUsesTheWindowWidth: the idle warning is centred at the foot of the window. Placed
// at left: 50% with its width left to the browser, it could use only the right half of the window,
// so on a phone (390 px) or a kiosk at 200 % zoom it wrapped to a word or two a line in a column
// about 190 px wide. It must take the width its text needs, up to the window's less a margin, and
// stay inside the window.
func TestKioskWarningUsesTheWindowWidth(t *testing.T) {
	findChromium(t)
	t.Parallel()
	env := newAuthEnv(t, authOptions{kiosk: true, idle: 40 * time.Second, realClock: true})
	ctx := headlessChromium(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	if err := signInInBrowser(ctx, env.app.URL); err != nil {
		t.Fatalf("sign in in the browser: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#kiosk-warning`))); err != nil {
		t.Fatalf("waiting for the idle warning: %v", err)
	}
	type rect struct{ Left, Right, Width, Window float64 }
	box, err := chromedp.Run(ctx, chromedp.Evaluate[rect](`(function () {
		var r = document.getElementById("kiosk-warning").getBoundingClientRect();
		return {Left: r.left, Right: r.right, Width: r.width, Window: document.documentElement.clientWidth};
	})()`))
	if err != nil {
		t.Fatalf("measure the warning: %v", err)
	}
	if box.Left < 0 || box.Right > box.Window {
		t.Errorf("the warning spans %.0f–%.0f px, outside the %.0f px window", box.Left, box.Right, box.Window)
	}
	if box.Width < 0.8*box.Window {
		t.Errorf("the warning is %.0f px wide in a %.0f px window: its text wraps a word or two a line", box.Width, box.Window)
	}
}
