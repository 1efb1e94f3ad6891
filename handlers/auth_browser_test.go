package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestKioskInBrowser drives kiosk.js in a real (headless) Chromium: the countdown appears, the page
// signs itself out and lands on the sign-in page, which says why (only after the countdown), the
// screen is cleared, and Back does not return to a signed-in page. Skipped with -short or when no Chromium is installed.
func TestKioskInBrowser(t *testing.T) {
	findChromium(t)

	tests := []struct {
		name      string
		idle      time.Duration
		act       func(ctx context.Context, env *authEnv) error // what happens once signed in
		wantAudit string                                        // a record the trail must hold ("" for none)
		// wantNotice is what the sign-in page says about why the user is there ("" for nothing).
		wantNotice string
	}{
		{
			// kiosk.js signs out MARGIN (3 s) before the idle timeout; with 12 s the warning is
			// visible from the first tick and the sign-out follows about 9 s later. (The sign-in
			// page goes stale after 6 s, plenty for the typing below.)
			name: "idle countdown",
			idle: 12 * time.Second,
			act: func(ctx context.Context, _ *authEnv) error {
				if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#kiosk-warning`))); err != nil {
					return err
				}
				n, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-countdown`)))
				if err != nil {
					return err
				}
				if secs, err := strconv.Atoi(strings.TrimSpace(n)); err != nil || secs < 1 || secs > 30 {
					return fmt.Errorf("countdown shows %q, want 1-30 seconds", n)
				}
				return nil
			},
			wantAudit:  "timeout/ok/" + authClinician,
			wantNotice: expiredNotice,
		},
		{
			name: "sign out button",
			idle: 10 * time.Minute,
			act: func(ctx context.Context, _ *authEnv) error {
				return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="signout"]`)))
			},
			wantAudit: "signout/ok/" + authClinician,
			// On a kiosk the next person sees that the previous session is gone.
			wantNotice: signedOutNotice,
		},
		{
			// The session ends on the server (an administrator, another tab, a restart with
			// in-memory sessions) while the page still counts down: "Stay signed in" must leave
			// the page, not take the sign-in redirect for success and keep the patient on screen
			// for another idle period (the countdown here would take 10 minutes).
			name: "stay after the session ended elsewhere",
			idle: 10 * time.Minute,
			act: func(ctx context.Context, env *authEnv) error {
				if _, err := env.db.ExecContext(ctx, "DELETE FROM sessions"); err != nil {
					return err
				}
				// The button is in the hidden warning until the last seconds: clicked by script.
				_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("kiosk-stay").click(), true`))
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newAuthEnv(t, authOptions{kiosk: true, idle: tt.idle, realClock: true})
			ctx := headlessChromium(t)
			if err := signInInBrowser(ctx, env.app.URL); err != nil {
				t.Fatalf("sign in in the browser: %v", err)
			}
			if err := tt.act(ctx, env); err != nil {
				t.Fatalf("act: %v", err)
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`))); err != nil {
				t.Fatalf("waiting for the sign-in page: %v", err)
			}
			path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
			if err != nil {
				t.Fatalf("waiting for the sign-in page: %v", err)
			}
			if path != "/signin" {
				t.Errorf("after sign-out the browser is on %q, want /signin", path)
			}
			notice, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				`(document.querySelector('[data-testid="signin-notice"]') || {textContent: ""}).textContent.trim()`))
			if err != nil {
				t.Fatalf("reading the sign-in notice: %v", err)
			}
			if notice != tt.wantNotice {
				t.Errorf("sign-in page notice = %q, want %q", notice, tt.wantNotice)
			}
			// Back must not show a signed-in page: its history entry was replaced, and anything
			// earlier is no-store and re-checked by the server.
			err = chromedp.Do(ctx,
				chromedp.NavigateBack(),
				chromedp.Sleep(300*time.Millisecond), // let a bfcache restore's pageshow reload run
				chromedp.WaitReady(chromedp.CSS(`body`)),
			)
			if err != nil {
				t.Fatalf("back: %v", err)
			}
			signedIn, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="signed-in-user"]').length`))
			if err != nil {
				t.Fatalf("back: %v", err)
			}
			if signedIn != 0 {
				t.Error("Back after sign-out shows a signed-in page")
			}
			got := env.auditTrail()
			if tt.wantAudit != "" && !slices.Contains(got, tt.wantAudit) {
				t.Errorf("audit = %q, want it to contain %q", got, tt.wantAudit)
			}
		})
	}
}

// TestKioskTypingCountsAsPresence: someone typing at the kiosk is not idle. With a 40 s idle
// timeout the warning is due 7 s after the page loads (30 s of warning, 3 s of margin); a nurse
// typing an MRN, a key every 1.5 s for 15 s, keeps the session without the warning ever showing,
// and every key lands in the field. Before, the server saw no request, so the warning appeared
// mid-word and took the focus: the rest of the MRN went to "Stay signed in".
func TestKioskTypingCountsAsPresence(t *testing.T) {
	findChromium(t)
	t.Parallel()
	env := newAuthEnv(t, authOptions{kiosk: true, idle: 40 * time.Second, realClock: true})
	ctx := headlessChromium(t)
	if err := signInInBrowser(ctx, env.app.URL); err != nil {
		t.Fatalf("sign in in the browser: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`#mrn`))); err != nil {
		t.Fatalf("focus the MRN field: %v", err)
	}
	start, typed := time.Now(), ""
	for i := range 10 {
		key := strconv.Itoa(i)
		if err := chromedp.Do(ctx, chromedp.KeyEvent(key)); err != nil {
			t.Fatalf("type: %v", err)
		}
		typed += key
		time.Sleep(1500 * time.Millisecond)
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById("kiosk-warning").hidden`))
		if err != nil {
			t.Fatalf("read the warning: %v", err)
		}
		if shown {
			t.Fatalf("%.1f s after the page loaded, with a key pressed every 1.5 s, the idle warning shows", time.Since(start).Seconds())
		}
	}
	value, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("mrn").value`))
	if err != nil {
		t.Fatalf("read the MRN field: %v", err)
	}
	if value != typed {
		t.Errorf("the MRN field holds %q, want every key typed: %q", value, typed)
	}
}

// signInInBrowser signs the auth tests' clinician in through the sign-in form at base.
func signInInBrowser(ctx context.Context, base string) error {
	return chromedp.Do(ctx,
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), authClinician),
		chromedp.SendKeys(chromedp.CSS(`#password`), authPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="signin-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in-user"]`)),
	)
}
