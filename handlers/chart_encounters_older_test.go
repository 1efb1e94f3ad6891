package handlers_test

import (
	"strings"
	"testing"
)

// TestEncountersEmptyWindowSaysOlderExist: Tomas Lindqvist (400010) was last seen 18 months ago.
// His timeline said only "No encounters in this period." beside a Load earlier button, which is not
// printed: on paper he read as a patient who never had a visit. An empty window now says that older
// encounters are on record, on screen and in the printout, as the vitals and labs do. A patient
// without any encounter is not told there are older ones.
//
// The sandbox's default population: with the tests' usual 8, Tomas's last visit is an admission
// still in progress, listed in the newest window.
func TestEncountersEmptyWindowSaysOlderExist(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{patients: 50})
	b := env.signIn()
	tomas := b.openChart("400010")
	b.get(tomas, nil)
	screen := b.get(tomas+"/encounters", hxReq).doc(t)
	empty := strings.TrimSpace(screen.Find(`[data-testid="timeline-empty"]`).Text())
	if !strings.HasPrefix(empty, "No encounters since ") || !strings.HasSuffix(empty, ". Older encounters are on record.") {
		t.Errorf("empty window on screen = %q, want \"No encounters since <date>. Older encounters are on record.\"", empty)
	}
	if screen.Find(`[data-testid="load-earlier"]`).Length() != 1 {
		t.Error("no Load earlier beside the empty window")
	}

	printed := b.get(tomas+"/print", nil).doc(t)
	sec := printed.Find(`[data-testid="timeline-list"]`)
	sec.Find(`a.button, [data-testid="load-earlier"]`).Remove() // controls are not printed (app.css)
	if got := strings.Join(strings.Fields(sec.Text()), " "); !strings.Contains(got, empty) {
		t.Errorf("printed timeline = %q, want it to say %q", got, empty)
	}

	none := b.openChart("400002") // no encounters at all
	b.get(none, nil)
	if got := strings.TrimSpace(b.get(none+"/encounters", hxReq).doc(t).Find(`[data-testid="timeline-empty"]`).Text()); got != "No encounters in this period." {
		t.Errorf("patient without encounters: %q, want %q", got, "No encounters in this period.")
	}
}
