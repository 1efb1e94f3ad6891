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

// TestCriticalRedrawnResultIsNotCurrent: Kwame Mensah (400012) had a critical potassium of 6.7 at
// an emergency visit, redrawn normal (4.6) two and a half hours later, and a critical glucose of 38
// not yet repeated; his critical sodium of 117 was twelve days ago. Through the sandbox over HTTP,
// the summary under the banner shows the potassium with its newer result beside it (so the 6.7
// never reads as the current value), the glucose alone, and not the sodium, which is outside its
// seven days but still in the labs table.
func TestCriticalRedrawnResultIsNotCurrent(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("400012")
	text := func(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

	labs := b.get(chart+"/labs", hxReq).doc(t)
	items := labs.Find(`#critical-results[hx-swap-oob] [data-testid="critical-item"]`)
	got := map[string]*goquery.Selection{}
	items.Each(func(_ int, it *goquery.Selection) { got[text(it.Find(".critical-name"))] = it })
	if len(got) != 2 {
		t.Fatalf("critical summary lists %d analytes (%q), want Potassium and Glucose", items.Length(), text(items))
	}
	k, ok := got["Potassium"]
	if !ok {
		t.Fatalf("critical summary %q has no Potassium", text(items))
	}
	critical := text(k.Find(".critical-value").First()) + " " + text(k.Find(".flag").First())
	if !strings.Contains(critical, "6.7") || !strings.Contains(critical, "Critical high") {
		t.Errorf("potassium's critical result reads %q, want 6.7 flagged Critical high", critical)
	}
	later := k.Find(`[data-testid="critical-later"]`)
	if !strings.Contains(text(later), "Newer result: 4.6 mmol/L") || strings.Contains(text(later), "Critical") {
		t.Errorf("potassium's redraw reads %q, want \"Newer result: 4.6 mmol/L\" with no critical flag", text(later))
	}
	g, ok := got["Glucose"]
	if !ok {
		t.Fatalf("critical summary %q has no Glucose", text(items))
	}
	if !strings.Contains(text(g), "38 mg/dL") || !strings.Contains(text(g), "Critical low") {
		t.Errorf("glucose line %q, want 38 mg/dL Critical low", text(g))
	}
	if n := g.Find(`[data-testid="critical-later"]`).Length(); n != 0 {
		t.Errorf("glucose, not repeated, shows %d newer results: %q", n, text(g))
	}

	var sodium []string
	labs.Find(`[data-testid="labs-table"] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		if row := text(tr); strings.Contains(row, "Sodium") && strings.Contains(row, "117") {
			sodium = append(sodium, row)
		}
	})
	if len(sodium) != 1 || !strings.Contains(sodium[0], "Critical low") {
		t.Errorf("labs table rows for the sodium of 117: %q, want one flagged Critical low", sodium)
	}
}
