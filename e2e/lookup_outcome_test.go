package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// After "Open chart" the lookup's outcome is a new page whose autofocus puts the focus back on the
// MRN field. A screen reader reads the focused field on arrival, not a status message that was on
// the page when it loaded: a nurse who cannot see the screen heard "MRN, 999999" and nothing of
// "No patient found", nor that two patients share 400004 and one must be chosen below. The field is
// now described by the outcome, so it is read with it.

// axFocused is what Chromium gives assistive technology for the focused element: its role, name
// and description.
func axFocused(t *testing.T, ctx context.Context) (role, name, description string) {
	t.Helper()
	must(t, "read the focused element's accessibility node", chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
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
		text := func(v *accessibility.Value) string {
			if v == nil {
				return ""
			}
			return strings.Trim(string(v.Value), `"`)
		}
		for _, n := range tree.Nodes {
			if n.Role != nil {
				role, name, description = text(n.Role), text(n.Name), text(n.Description)
				return nil
			}
		}
		return fmt.Errorf("no accessibility node for the focused element")
	})))
	return role, name, description
}

func TestBrowserLookupOutcomeReadWithTheField(t *testing.T) {
	base, ctx := startChartside(t)
	must(t, "sign in", chromedp.Do(ctx, signInAs(base, demoUser, demoPass)))

	tests := []struct {
		mrn, shown, want string
	}{
		{mrn: "999999", shown: `[data-testid="lookup-not-found"]`, want: "No patient found with MRN 999999"},
		{mrn: sharedMRN, shown: `[data-testid="lookup-matches"]`, want: "2 patients have this MRN. Check the details and choose one."},
		{mrn: "12 34", shown: `[data-testid="mrn-error"]`, want: "not a valid MRN"},
	}
	for _, tt := range tests {
		must(t, "look up "+tt.mrn, chromedp.Do(ctx,
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="mrn-input"]`)),
			chromedp.SendKeys(chromedp.CSS(`[data-testid="mrn-input"]`), tt.mrn),
			chromedp.Click(chromedp.CSS(`[data-testid="lookup-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(tt.shown)),
		))
		role, name, desc := axFocused(t, ctx)
		if role != "textbox" || name != "MRN" {
			t.Errorf("after looking up %s the focus is on a %s named %q, want the MRN field", tt.mrn, role, name)
		}
		if !strings.Contains(desc, tt.want) {
			t.Errorf("after looking up %s a screen reader reads the MRN field with the description %q, want it to say %q", tt.mrn, desc, tt.want)
		}
	}
}
