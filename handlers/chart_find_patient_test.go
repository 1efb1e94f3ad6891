package handlers_test

import (
	"testing"
)

// TestChartOffersFindAnotherPatient: from a chart the header had only the wordmark, "Signed in as"
// and Sign out, and a nurse moving between patients at a kiosk had to guess that the wordmark led
// back to the lookup (fresh-eyes review). A patient's pages (the chart, a section on its own page,
// the printout) offer "Find another patient", a link to the lookup in the header's nav (not
// printed); the lookup page itself does not offer it.
func TestChartOffersFindAnotherPatient(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	for _, path := range []string{chart, chart + "/vitals", chart + "/print"} {
		link := b.get(path, nil).doc(t).Find(`.app-header nav a[data-testid="find-patient"]`)
		if href, _ := link.Attr("href"); link.Length() != 1 || href != "/" || link.Text() != "Find another patient" {
			t.Errorf("%s: header link %q to %q; want one \"Find another patient\" to /", path, link.Text(), href)
		}
	}
	if n := b.get("/", nil).doc(t).Find(`[data-testid="find-patient"]`).Length(); n != 0 {
		t.Errorf("the lookup page offers Find another patient %d times; want none", n)
	}
}
