package views

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// landmarkNames counts the named landmarks of d by role and accessible name: nav elements, and
// regions (a section or role=region, named by aria-label or aria-labelledby).
func landmarkNames(d *goquery.Document) map[string]int {
	names := map[string]int{}
	name := func(s *goquery.Selection) string {
		if l, ok := s.Attr("aria-label"); ok {
			return l
		}
		if id, ok := s.Attr("aria-labelledby"); ok {
			var parts []string
			for _, id := range strings.Fields(id) {
				parts = append(parts, text(d.Find("#"+id)))
			}
			return strings.Join(parts, " ")
		}
		return ""
	}
	d.Find("nav").Each(func(_ int, s *goquery.Selection) { names["nav "+name(s)]++ })
	d.Find(`section, [role="region"]`).Each(func(_ int, s *goquery.Selection) {
		if n := name(s); n != "" {
			names["region "+n]++
		}
	})
	return names
}

// The chart with an analyte's history open in its panel has every section (the print view holds
// them inline) and the panel at once: no two navs or regions may share a name (axe's
// landmark-unique). The Labs section's time ranges and the panel's were both "Time range".
func TestLandmarkNamesUnique(t *testing.T) {
	panel := fixtureAnalyte()
	panel.Closable, panel.Focus = true, true
	page := renderHTML(t, PrintChart(fixturePrintPage()))
	slot := `<div id="` + AnalyteID + `" class="analyte-slot"></div>`
	if !strings.Contains(page, slot) {
		t.Fatal("the chart has no empty analyte region to open the panel in")
	}
	page = strings.Replace(page, slot, renderHTML(t, AnalyteFragment(panel)), 1)
	d, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if d.Find(tid("labs-ranges")).Length() != 1 || d.Find(tid("analyte-presets")).Length() != 1 {
		t.Fatal("the chart lacks the labs' or the panel's time ranges")
	}
	names := landmarkNames(d)
	navs := 0
	for name, n := range names {
		if strings.HasPrefix(name, "nav ") {
			navs++
		}
		if n > 1 {
			t.Errorf("%d landmarks are the %s", n, name)
		}
	}
	if navs < 4 {
		t.Errorf("named navs: %v; want Account, the labs' view and time range, the panel's time range", names)
	}
	for _, want := range []string{"nav Lab results time range", "nav Glucose history time range"} {
		if names[want] != 1 {
			t.Errorf("no %s: %v", want, names)
		}
	}
}
