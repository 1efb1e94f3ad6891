package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/epic/sandbox"
)

// TestCriticalResultsUnderTheBanner: Morgan Quinlan's (400009) critical potassium and sodium of the
// last days are summed up under the banner, not only in the labs table at the foot of the chart.
// The chart page holds an empty slot that the labs section's own answer fills out of band (no
// request of its own); the printed chart has the summary at its top. A patient with nothing
// critical (Inês Carvalho, 400011: her potassium of 6.9 was High, and entered in error) gets an
// empty slot, never a "no critical results" that the labs Chartside fetched could not vouch for.
func TestCriticalResultsUnderTheBanner(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("400009")
	text := func(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

	page := b.get(chart, nil).doc(t)
	slot := page.Find(`#critical-results`)
	if slot.Length() != 1 || strings.TrimSpace(slot.Text()) != "" {
		t.Fatalf("chart page: %d critical-results slots, text %q; want one, empty", slot.Length(), slot.Text())
	}
	if slot.NextFiltered(`[data-testid="chart-sections"]`).Length() != 1 {
		t.Error("the critical-results slot is not just above the chart's sections")
	}

	labs := b.get(chart+"/labs", hxReq).doc(t)
	oob := labs.Find(`#critical-results[hx-swap-oob="innerHTML"]`)
	if oob.Length() != 1 {
		t.Fatalf("labs fragment carries %d out-of-band critical summaries, want 1", oob.Length())
	}
	items := oob.Find(`[data-testid="critical-item"]`)
	got := map[string]string{}
	items.Each(func(_ int, it *goquery.Selection) { got[text(it.Find(".critical-name"))] = text(it) })
	for name, want := range map[string][]string{"Potassium": {"6.8", "mmol/L", "Critical high"}, "Sodium": {"118", "mmol/L", "Critical low"}} {
		line, ok := got[name]
		if !ok {
			t.Errorf("critical summary %q has no %s", got, name)
			continue
		}
		for _, w := range want {
			if !strings.Contains(line, w) {
				t.Errorf("critical line %q lacks %q", line, w)
			}
		}
	}
	if link := items.Find(`a[data-testid="analyte-link"]`); link.Length() != items.Length() {
		t.Errorf("%d of %d critical lines link to the analyte's history", link.Length(), items.Length())
	}

	// The labs section on its own page (no htmx) has no slot to fill.
	if n := b.get(chart+"/labs", nil).doc(t).Find(`#critical-results`).Length(); n != 0 {
		t.Errorf("labs page without htmx has %d critical-results elements", n)
	}
	printed := b.get(chart+"/print", nil).doc(t)
	summary := printed.Find(`[data-testid="critical-results"]`)
	if summary.Length() != 1 || !strings.Contains(text(summary), "Potassium") {
		t.Errorf("printed chart's critical summary = %q", text(summary))
	}
	if summary.NextFiltered(`[data-testid="print-chart"]`).Length() != 1 {
		t.Error("the printed critical summary is not above the chart's sections")
	}

	calm := b.openChart("400011")
	oob = b.get(calm+"/labs", hxReq).doc(t).Find(`#critical-results[hx-swap-oob]`)
	if oob.Length() != 1 || strings.TrimSpace(oob.Text()) != "" {
		t.Errorf("400011's labs: %d out-of-band summaries, text %q; want one, empty", oob.Length(), text(oob))
	}
}

// TestCriticalSummaryWhenLabsFail: when the labs do not load, the summary under the banner says
// the critical results could not be checked; an empty slot there would read as nothing critical.
func TestCriticalSummaryWhenLabsFail(t *testing.T) {
	env := newFaultEnv(t, faultEnvOptions{})
	b := env.signIn()
	chart := b.openChart("400009")
	env.sb.Faults().FailNext("Observation", 1, sandbox.Fault{Kind: sandbox.FaultTooManyRequests, RetryAfter: 2 * time.Minute})
	labs := b.get(chart+"/labs?refresh=1", hxReq).doc(t)
	note := labs.Find(`#critical-results[hx-swap-oob] [data-testid="critical-note"]`)
	if !strings.Contains(note.Text(), "could not be checked") {
		t.Errorf("labs that did not load: critical summary note %q, want it to say the results could not be checked", note.Text())
	}
	if n := labs.Find(`#critical-results [data-testid="critical-item"]`).Length(); n != 0 {
		t.Errorf("labs that did not load: %d critical items", n)
	}
}
