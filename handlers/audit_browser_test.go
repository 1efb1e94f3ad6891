package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestAuditMRNFilterInBrowser filters the audit trail by MRN in a real (headless) Chromium at
// 1280 px, as an auditor would: type the MRN, apply, page back with htmx. Only that patient's
// records are listed, and neither the address bar nor any entry of the tab's history ever holds
// the MRN. The Time column keeps each record's time to two lines at most. Skipped with -short or
// when no Chromium is installed.
func TestAuditMRNFilterInBrowser(t *testing.T) {
	ctx := headlessChromium(t)
	env := newAuditEnv(t, false)
	env.seed(10)
	env.seedPatient(55, auditCamila, auditCamilaMRN)
	env.seedPatient(5, auditDerrick, auditDerrickMRN)

	noMRN := func(step string) {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if strings.Contains(loc, auditCamilaMRN) || strings.Contains(loc, auditCamila) {
			t.Errorf("%s: the address bar holds the patient: %s", step, loc)
		}
		hist, err := chromedp.Run(ctx, chromedp.NavigationEntries())
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		for _, e := range hist.Entries {
			if strings.Contains(e.URL, auditCamilaMRN) || strings.Contains(e.URL, auditCamila) {
				t.Errorf("%s: the history holds the patient: %s", step, e.URL)
			}
		}
	}
	mrns := func() []string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('[data-testid="audit-row"] [data-testid="audit-mrn"]')].map(td => td.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// A step that cannot finish fails in seconds, not at the test's one-minute limit.
	wait, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err := chromedp.Do(wait,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(env.app.URL+"/__test/signin-as?user=root&role=admin"),
		chromedp.Navigate(env.app.URL+"/admin/audit"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-filter-mrn"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="audit-filter-mrn"]`), auditCamilaMRN),
		chromedp.Click(chromedp.CSS(`[data-testid="audit-apply"]`)),
		// The answer's form shows the filter it applied.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-filter-mrn"][value="`+auditCamilaMRN+`"]`)),
	)
	if err != nil {
		t.Fatalf("filter by MRN: %v", err)
	}
	noMRN("filtered page")
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/admin/audit?f=") {
		t.Errorf("after Apply the address is %s, want /admin/audit?f=<handle>", loc)
	}
	if got := mrns(); len(got) != 50 || strings.Count(strings.Join(got, " "), auditCamilaMRN) != 50 {
		t.Errorf("filtered page lists MRNs %q, want 50 rows of %s", got, auditCamilaMRN)
	}

	// Each part of a record's time keeps to one line: at most two lines per time at 1280 px, with
	// the long request ids and details of real records beside it (it took four before).
	lines, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Math.max(...[...document.querySelectorAll('[data-testid="audit-row"] td:nth-child(2)')].map(td => {
		const r = document.createRange();
		r.selectNodeContents(td);
		return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size;
	}))`))
	if err != nil || lines < 1 || lines > 2 {
		t.Errorf("a record's time takes up to %d lines at 1280 px (%v), want 1 or 2", lines, err)
	}

	err = chromedp.Do(wait,
		chromedp.Click(chromedp.CSS(`[data-testid="audit-older"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-newest"]`)),
	)
	if err != nil {
		t.Fatalf("older records: %v", err)
	}
	noMRN("older page")
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/admin/audit?f=") || !strings.Contains(loc, "&before=") {
		t.Errorf("after Older the address is %s, want the filter's handle and the cursor", loc)
	}
	if got := mrns(); len(got) != 6 || strings.Count(strings.Join(got, " "), auditCamilaMRN) != 6 {
		t.Errorf("older page lists MRNs %q, want the patient's 6 oldest", got)
	}
}
