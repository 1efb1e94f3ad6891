package handlers_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestKioskTabsInBrowser drives kiosk.js in two tabs of one Chromium, which share the session
// cookie: a sign-out in one tab clears and leaves the other (the next person at the kiosk must not
// find the patient in the tab left behind), and activity in one tab keeps the other's countdown
// from signing out the nurse working there. Skipped with -short or when no Chromium is installed.
func TestKioskTabsInBrowser(t *testing.T) {
	findChromium(t)

	tests := []struct {
		name string
		idle time.Duration
		// act runs with tab A (signed in, idle) and tab B (signed in, the nurse's tab) open.
		act func(t *testing.T, a, b context.Context, env *authEnv)
	}{
		{
			name: "sign out in one tab leaves the other",
			idle: 10 * time.Minute,
			act: func(t *testing.T, a, b context.Context, _ *authEnv) {
				if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`[data-testid="signout"]`))); err != nil {
					t.Fatalf("Sign out in tab B: %v", err)
				}
				// Tab A follows within a few seconds, without a request of its own.
				if err := chromedp.Do(a, chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`))); err != nil {
					t.Fatalf("tab A after Sign out in tab B: %v", err)
				}
				if n, _ := chromedp.Run(a, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="signed-in-user"]').length`)); n != 0 {
					t.Error("tab A still shows a signed-in page")
				}
			},
		},
		{
			// With 12 s tab A's countdown would sign out about 9 s after its page loaded; tab B
			// loads a page every 3 s for 15 s, which is activity for the whole session.
			name: "activity in one tab keeps the other",
			idle: 12 * time.Second,
			act: func(t *testing.T, a, b context.Context, env *authEnv) {
				for range 5 {
					time.Sleep(3 * time.Second)
					if err := chromedp.Do(b, chromedp.Navigate(env.app.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in-user"]`))); err != nil {
						t.Fatalf("tab B: %v", err)
					}
				}
				path, err := chromedp.Run(a, chromedp.Evaluate[string](`location.pathname`))
				if err != nil {
					t.Fatal(err)
				}
				if path != "/" {
					t.Errorf("tab A left for %q while tab B was in use, want it still on /", path)
				}
				if got := env.auditTrail(); slices.Contains(got, "timeout/ok/"+authClinician) {
					t.Errorf("audit = %q: a timeout while the nurse was working in tab B", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newAuthEnv(t, authOptions{kiosk: true, idle: tt.idle, realClock: true})
			a := headlessChromium(t)
			if err := signInInBrowser(a, env.app.URL); err != nil {
				t.Fatalf("sign in in tab A: %v", err)
			}
			b, cancelB := chromedp.NewContext(a) // a second tab of the same browser
			defer cancelB()
			if err := chromedp.Do(b, chromedp.Navigate(env.app.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in-user"]`))); err != nil {
				t.Fatalf("open tab B: %v", err)
			}
			tt.act(t, a, b, env)
		})
	}
}
