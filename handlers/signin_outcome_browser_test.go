package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestSignInOutcomeReadWithTheField: the sign-in page focuses a field on arrival (autofocus), and a
// screen reader reads that field, not a status message that was already on the page when it
// loaded. At a shared workstation a nurse using one came back to "Username, edit" without hearing
// that they had been signed out (for inactivity, by IT, or by themselves), and after a wrong
// password heard only "Password, edit". The focused field is now described by the page's notice
// and error.
func TestSignInOutcomeReadWithTheField(t *testing.T) {
	findChromium(t)
	t.Parallel()
	env := newAuthEnv(t, authOptions{idle: 10 * time.Minute, realClock: true})
	ctx := headlessChromium(t)
	if err := signInInBrowser(ctx, env.app.URL); err != nil {
		t.Fatalf("sign in in the browser: %v", err)
	}

	// Signed out: the page says so, and the username field has the focus.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="signout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-notice"]`)),
	); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	checkFocusedReads(t, ctx, "username", `[data-testid="signin-notice"]`, "after Sign out")

	// A wrong password: the page says so, and the password field has the focus.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#username`), authClinician),
		chromedp.SendKeys(chromedp.CSS(`#password`), "not the password"),
		chromedp.Click(chromedp.CSS(`[data-testid="signin-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-error"]`)),
	); err != nil {
		t.Fatalf("sign in with a wrong password: %v", err)
	}
	checkFocusedReads(t, ctx, "password", `[data-testid="signin-error"]`, "after a wrong password")
}

// checkFocusedReads checks that the element with id wantID has the focus and that the description
// Chromium gives assistive technology for it includes the text of the message at sel.
func checkFocusedReads(t *testing.T, ctx context.Context, wantID, sel, when string) {
	t.Helper()
	msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).textContent.replace(/\s+/g, " ").trim()`, sel)))
	if err != nil || msg == "" {
		t.Fatalf("%s: read the message %s: %q, %v", when, sel, msg, err)
	}
	id, desc := focusedDescription(t, ctx)
	if id != wantID {
		t.Errorf("%s the focus is on %q, want #%s", when, id, wantID)
	}
	if !strings.Contains(desc, msg) {
		t.Errorf("%s a screen reader reads the focused field with the description %q, want it to include %q", when, desc, msg)
	}
}

// focusedDescription is the focused element's id and the accessible description Chromium computes.
func focusedDescription(t *testing.T, ctx context.Context) (id, description string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		obj, err := cdp.Call(ctx, tg, runtime.Evaluate, runtime.EvaluateParams{Expression: "document.activeElement"})
		if err != nil {
			return err
		}
		if obj.Result == nil || obj.Result.ObjectID == "" {
			return fmt.Errorf("nothing has the focus")
		}
		no := false
		tree, err := cdp.Call(ctx, tg, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{ObjectID: obj.Result.ObjectID, FetchRelatives: &no})
		if err != nil {
			return err
		}
		for _, n := range tree.Nodes {
			if n.Role != nil && n.Description != nil {
				description = strings.Trim(string(n.Description.Value), `"`)
			}
		}
		return nil
	}))
	if err != nil {
		t.Fatalf("read the focused element's accessibility node: %v", err)
	}
	id, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	return id, description
}
