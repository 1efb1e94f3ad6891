package handlers_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// An encounter Epic still has open is returned for every window from the year it began, since a
// date search matches periods that overlap the window. Camila Lopez's capture has three such
// encounters from June 2023 (planned, in-progress): each must be listed once at the top, as
// current, and once where it began, never in the windows between; no encounter may be lost; and
// no element id may repeat on the page the windows build up.
func TestTimelineWindowsListEachEncounterOnce(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	b.get(chart, nil)
	hx := map[string]string{"HX-Request": "true"}

	first := b.get(chart+"/encounters", hx).doc(t)
	label := first.Find(`[data-testid="timeline-window"]`).First().Text()
	if !strings.Contains(label, "3 encounters that began earlier and had not ended by then") {
		t.Errorf("newest window label %q does not say it lists 3 encounters that began earlier", label)
	}
	// The label counts what the class filter leaves: two of the three are HOV.
	filtered := b.get(chart+"/encounters?class=HOV", hx).doc(t).Find(`[data-testid="timeline-window"]`).First().Text()
	if !strings.Contains(filtered, "2 encounters that began earlier") {
		t.Errorf("newest window label with class=HOV %q, want it to count the 2 listed", filtered)
	}
	windows := []*goquery.Document{first}
	seenIDs := map[string]bool{}
	listed := map[string][]int{} // encounter -> windows listing it
	for w := 0; ; w++ {
		doc := windows[w]
		doc.Find(`[data-testid="encounter"]`).Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("id")
			if seenIDs[id] {
				t.Errorf("element id %q repeats on the page", id)
			}
			seenIDs[id] = true
			base := strings.TrimSuffix(id, "-ongoing")
			listed[base] = append(listed[base], w)
		})
		more, ok := doc.Find(`[data-testid="load-earlier"] a`).Attr("hx-get")
		if !ok {
			break
		}
		if w > 20 {
			t.Fatal("Load earlier never ends")
		}
		windows = append(windows, b.get(more, hx).doc(t))
	}
	if len(listed) != 10 {
		t.Errorf("the windows list %d encounters, want the capture's 10", len(listed))
	}
	ongoing := 0
	for id, ws := range listed {
		switch {
		case len(ws) == 1:
		case len(ws) == 2 && ws[0] == 0 && ws[1] > 1:
			ongoing++ // at the top as current, and in the window it began in
		default:
			t.Errorf("encounter %s is listed in windows %v", id, ws)
		}
	}
	if ongoing != 3 {
		t.Errorf("%d encounters listed both as current and where they began, want 3", ongoing)
	}
}
