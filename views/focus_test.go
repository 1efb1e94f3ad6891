package views

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// An empty range's "Show all …" link is replaced by its own answer, so its htmx request asks for
// the focus (FocusParam, from hx-vals: its href, followed without JavaScript, does not carry it),
// in the labs and vitals sections and in the chart's analyte panel, where it still says it is the
// panel's. The controls whose ids the answer repeats (Refresh, the time ranges, the table/matrix
// switch) do not ask for it: htmx keeps the focus on them.
func TestShowAllAsksForFocus(t *testing.T) {
	older := func(url string) *Suggestion {
		return &Suggestion{Text: "Older results are on record.", Label: "Show all results", URL: url}
	}
	labs := fixtureLabs(false)
	labs.Table.Rows, labs.Older = nil, older("/chart/h1/labs?range=all")
	vitals := fixtureVitals()
	vitals.Rows, vitals.Older = nil, older("/chart/h1/vitals?range=all")
	panel := fixtureAnalyte()
	panel.Closable = true
	panel.Table.Rows, panel.Older = nil, older("/chart/h1/analyte?code=x&range=all")

	cases := []struct {
		name string
		d    *goquery.Document
		link string
		want map[string]string
	}{
		{"labs", doc(t, LabsFragment(labs)), "labs-older-link", map[string]string{FocusParam: "1"}},
		{"vitals", doc(t, ObsFragment(vitals)), vitals.TestID + "-older-link", map[string]string{FocusParam: "1"}},
		{"analyte panel", doc(t, AnalyteFragment(panel)), "analyte-older-link", map[string]string{FocusParam: "1", AnalytePanelParam: "1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			link := c.d.Find(tid(c.link))
			if link.Length() != 1 {
				t.Fatalf("no Show all link (%s)", c.link)
			}
			got := hxVals(t, link)
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("Show all sends %v, want %s=%s in it", got, k, v)
				}
			}
			if href := link.AttrOr("href", ""); strings.Contains(href, FocusParam+"=") {
				t.Errorf("Show all's href %q carries the focus parameter", href)
			}
			c.d.Find(`[data-testid="refresh"], nav.presets a`).Each(func(_ int, ctl *goquery.Selection) {
				if hxVals(t, ctl)[FocusParam] != "" || strings.Contains(ctl.AttrOr("hx-get", ""), FocusParam+"=") {
					t.Errorf("%q asks for the focus; htmx keeps it on the control by its id", text(ctl))
				}
			})
		})
	}
}
