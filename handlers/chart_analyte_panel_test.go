package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// htmxGet is the URL htmx asks for when el is activated: its hx-get plus what hx-vals adds, from el
// and its ancestors (the nearest wins), as htmx 2 does for a GET.
func htmxGet(t *testing.T, el *goquery.Selection) string {
	t.Helper()
	u, ok := el.Attr("hx-get")
	if !ok {
		t.Fatalf("%q has no hx-get", el.Text())
	}
	vals := url.Values{}
	for e := el; e.Length() > 0; e = e.Parent() {
		raw, ok := e.Attr("hx-vals")
		if !ok {
			continue
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("hx-vals %q: %v", raw, err)
		}
		for k, v := range m {
			if !vals.Has(k) {
				vals.Set(k, v)
			}
		}
	}
	if len(vals) == 0 {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + vals.Encode()
}

// TestAnalytePanelFocusAndClose: an analyte's history opened from a link of the chart (labs table,
// lab matrix, vitals strip) is the chart's panel: its heading takes the focus from the link far
// below (autofocus) and it has a Close control named for it. The panel's own Refresh and time
// ranges answer the panel again, Close kept and the focus left on the control pressed (no
// autofocus). The analyte's own page — the links without JavaScript, every full-page request
// shape, and its own htmx Refresh and ranges — and the print view have neither; the page leads
// back with the banner's Whole chart link.
func TestAnalytePanelFocusAndClose(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	hx := map[string]string{"HX-Request": "true"}

	autofocused := func(d *goquery.Document) []string {
		var ids []string
		d.Find("[autofocus]").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("id", s.AttrOr("data-testid", ""))) })
		return ids
	}
	const heading = "section-analyte-title"
	checkPanel := func(t *testing.T, what string, d *goquery.Document, wantFocus bool) {
		t.Helper()
		if d.Find(`[data-testid="analyte"]`).Length() != 1 {
			t.Fatalf("%s: no analyte section", what)
		}
		got := autofocused(d)
		if wantFocus && (len(got) != 1 || got[0] != heading || d.Find("#"+heading+"[tabindex='-1']").Length() != 1) {
			t.Errorf("%s: autofocus on %q, want the panel's heading (#%s, tabindex=-1) only", what, got, heading)
		}
		if !wantFocus && len(got) != 0 {
			t.Errorf("%s: autofocus on %q, want none", what, got)
		}
		title := strings.Join(strings.Fields(d.Find("#"+heading).Text()), " ")
		closeCtl := d.Find(`[data-testid="analyte"] header [data-testid="close-panel"]`)
		if name := strings.Join(strings.Fields(closeCtl.Text()), " "); closeCtl.Length() != 1 || name != "Close "+title {
			t.Errorf("%s: Close = %d controls reading %q, want one reading %q", what, closeCtl.Length(), name, "Close "+title)
		}
	}
	checkPage := func(t *testing.T, what string, d *goquery.Document, page bool) {
		t.Helper()
		if got := autofocused(d); len(got) != 0 {
			t.Errorf("%s: autofocus on %q, want none", what, got)
		}
		if d.Find(`[data-testid="close-panel"]`).Length() != 0 {
			t.Errorf("%s: has Close, which only the chart's panel has", what)
		}
		if page && d.Find(`[data-testid="banner-chart-link"]`).Length() != 1 {
			t.Errorf("%s: no link back to the whole chart", what)
		}
	}

	// Camila's captured labs are from 2019 and 2023: outside the default year.
	labs := b.get(chart+"/labs?range=all", hx).doc(t)
	matrix := b.get(chart+"/labs?range=all&view=matrix", hx).doc(t)
	strip := b.get(chart+"/vitals-strip", hx).doc(t)
	links := map[string]*goquery.Selection{
		"labs table":   labs.Find(`[data-testid="labs-table"] th a`).First(),
		"lab matrix":   matrix.Find(`[data-testid="matrix-test"] a`).First(),
		"vitals strip": strip.Find(`[data-testid="vital-tile"] [data-testid="analyte-link"]`).First(),
	}
	for name, link := range links {
		t.Run(name, func(t *testing.T) {
			if link.Length() != 1 {
				t.Fatalf("no analyte link")
			}
			opened := b.get(htmxGet(t, link), hx)
			if opened.StatusCode != http.StatusOK {
				t.Fatalf("opening: status %d", opened.StatusCode)
			}
			panel := opened.doc(t)
			checkPanel(t, "opened", panel, true)

			// The panel's own controls: the answer is the panel again; the focus stays put.
			controls := panel.Find(`[data-testid="analyte"] [data-testid="refresh"], [data-testid="analyte-presets"] a`)
			if controls.Length() < 2 {
				t.Fatalf("the panel has %d Refresh and range controls", controls.Length())
			}
			controls.Each(func(_ int, c *goquery.Selection) {
				what := strings.Join(strings.Fields(c.Text()), " ")
				checkPanel(t, what, b.get(htmxGet(t, c), hx).doc(t), false)
			})

			// The link without JavaScript, and every request for a page, is the analyte's page.
			href := link.AttrOr("href", "")
			if strings.Contains(href, "open=") {
				t.Errorf("the link's href %q carries the htmx parameter", href)
			}
			for _, shape := range htmxShapes {
				if shape.fragment {
					continue
				}
				for _, u := range []string{href, htmxGet(t, link)} {
					r := b.get(u, shape.headers)
					if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "<html") {
						t.Fatalf("%s %s: status %d, full page %v", u, shape.name, r.StatusCode, strings.Contains(r.body, "<html"))
					}
					page := r.doc(t)
					checkPage(t, "page "+shape.name, page, true)

					// The page's own controls swap its analyte section in place with htmx: no Close
					// (nothing to close into), and the focus stays on the control.
					page.Find(`[data-testid="analyte"] [data-testid="refresh"], [data-testid="analyte-presets"] a`).Each(func(_ int, c *goquery.Selection) {
						checkPage(t, "the page's "+strings.Join(strings.Fields(c.Text()), " "), b.get(htmxGet(t, c), hx).doc(t), false)
					})
				}
			}
		})
	}

	printed := b.get(chart+"/print", nil)
	if printed.StatusCode != http.StatusOK {
		t.Fatalf("print: status %d", printed.StatusCode)
	}
	checkPage(t, "print view", printed.doc(t), false)
}
