package handlers_test

import (
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/epic/sandbox"
)

// TestRetryAnswerTakesFocus: a section that failed to load offers Retry, whose htmx answer
// replaces the section and so the button that had the keyboard focus. That answer, and only it,
// puts the focus on the reloaded section's heading (autofocus, which htmx honours in what it swaps
// in), whether Epic answers this time or fails again. The section's first load, the Retry link
// without JavaScript (the section's page) and the encounter drill-down's first expansion take no
// focus; the drill-down's own Retry does.
func TestRetryAnswerTakesFocus(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{noBreaker: true})
	b := env.signIn()
	hx := map[string]string{"HX-Request": "true"}
	fail := func() {
		env.sb.Faults().FailNext("Observation", 1000, sandbox.Fault{Kind: sandbox.FaultServerError})
		env.sb.Faults().FailNext("Encounter", 1000, sandbox.Fault{Kind: sandbox.FaultServerError})
	}
	fail() // before the chart's prefetch, so every section's first load fails
	chart := b.openChart("203713")

	autofocused := func(doc *goquery.Document) []string {
		var ids []string
		doc.Find("[autofocus]").Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("id")
			ids = append(ids, id+"/"+s.AttrOr("data-testid", ""))
		})
		return ids
	}
	sections := []struct{ path, id string }{
		{"/vitals-strip", "section-vitals-strip"},
		{"/encounters", "section-encounters"},
		{"/vitals", "section-vitals"},
		{"/labs", "section-labs"},
		{"/social", "section-social"},
	}
	for _, sec := range sections {
		t.Run(sec.id, func(t *testing.T) {
			fail()
			first := b.get(chart+sec.path, hx).doc(t)
			retry := first.Find(`[data-testid="retry"]`)
			if retry.Length() != 1 {
				t.Fatalf("the failed section offers no Retry")
			}
			if got := autofocused(first); len(got) != 0 {
				t.Errorf("first load: autofocus on %q, want none (it would take the focus from the page)", got)
			}
			retryURL, href := retry.AttrOr("hx-get", ""), retry.AttrOr("href", "")
			title := "#" + sec.id + "-title[autofocus][tabindex='-1']"

			again := b.get(retryURL, hx).doc(t)
			if again.Find(`[data-testid="alert-error"]`).Length() != 1 || again.Find(title).Length() != 1 {
				t.Errorf("Retry failing again: autofocus on %q, want the section's heading (#%s-title)", autofocused(again), sec.id)
			}
			env.sb.Faults().Reset()
			ok := b.get(retryURL, hx).doc(t)
			if ok.Find(`[data-testid="alert-error"]`).Length() != 0 {
				t.Fatalf("Retry after Epic recovered still fails")
			}
			if got := autofocused(ok); len(got) != 1 || ok.Find(title).Length() != 1 {
				t.Errorf("Retry: autofocus on %q, want the section's heading (#%s-title) only", got, sec.id)
			}
			if page := b.get(href, nil); page.StatusCode != http.StatusOK || len(autofocused(page.doc(t))) != 0 {
				t.Errorf("Retry's link without JavaScript: status %d, autofocus on %q; want the section's page without",
					page.StatusCode, autofocused(page.doc(t)))
			}
		})
	}

	t.Run("encounter drill-down", func(t *testing.T) {
		env.sb.Faults().Reset()
		detailURL := b.get(chart+"/encounters", hx).doc(t).Find(`[data-testid="encounter-expand"]`).First().AttrOr("hx-get", "")
		fail()
		first := b.get(detailURL, hx).doc(t)
		if got := autofocused(first); len(got) != 0 {
			t.Errorf("expanding: autofocus on %q, want none (the focus stays on Details)", got)
		}
		retryURL := first.Find(`[data-testid="retry"]`).AttrOr("hx-get", "")
		env.sb.Faults().Reset()
		if got := autofocused(b.get(retryURL, hx).doc(t)); len(got) != 1 || got[0] != "/encounter-detail" {
			t.Errorf("Retry: autofocus on %q, want the encounter's details", got)
		}
	})
}
