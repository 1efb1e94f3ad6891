package views

import (
	"encoding/json"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// hxVals is what htmx adds to an element's request from hx-vals: the element's own and its
// ancestors', the nearest winning.
func hxVals(t *testing.T, s *goquery.Selection) map[string]string {
	t.Helper()
	got := map[string]string{}
	for e := s; e.Length() > 0; e = e.Parent() {
		raw, ok := e.Attr("hx-vals")
		if !ok {
			continue
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("hx-vals %q: %v", raw, err)
		}
		for k, v := range m {
			if _, set := got[k]; !set {
				got[k] = v
			}
		}
	}
	return got
}

// Every analyte link in the chart (tables, matrix, vitals strip) asks for the history with
// AnalyteOpenParam, from hx-vals so that its href (no JavaScript, a new tab) does not.
func TestAnalyteLinksSayOpened(t *testing.T) {
	cases := []struct {
		name string
		d    *goquery.Document
		sel  string
	}{
		{"labs table", doc(t, LabsFragment(fixtureLabs(false))), tid("labs-table") + " th a"},
		{"lab matrix", doc(t, LabsFragment(fixtureLabs(true))), tid("matrix-test") + " a"},
		{"vitals strip", doc(t, VitalsStripFragment(fixtureStrip())), tid("analyte-link")},
		{"vitals table", doc(t, ObsFragment(fixtureVitals())), tid("vitals-table") + " th a"},
	}
	for _, tt := range cases {
		links := tt.d.Find(tt.sel)
		if links.Length() == 0 {
			t.Fatalf("%s: no analyte link", tt.name)
		}
		links.Each(func(_ int, a *goquery.Selection) {
			if got := hxVals(t, a); got[AnalyteOpenParam] != "1" || got[AnalytePanelParam] != "" {
				t.Errorf("%s: %q sends %v, want %s=1 only", tt.name, a.Text(), got, AnalyteOpenParam)
			}
			if href := a.AttrOr("href", ""); href != a.AttrOr("hx-get", "") {
				t.Errorf("%s: href %q differs from hx-get %q", tt.name, href, a.AttrOr("hx-get", ""))
			}
		})
	}
}

// The chart's analyte panel (Closable) has Close, named for the panel, and marks its own controls'
// requests with AnalytePanelParam; when a link opened it (Focus) its heading takes the focus. The
// analyte's own page has neither.
func TestAnalytePanelClose(t *testing.T) {
	for _, tt := range []struct {
		name            string
		closable, focus bool
	}{
		{"analyte's page or its own refresh", false, false},
		{"panel refreshed", true, false},
		{"panel opened by a link", true, true},
	} {
		a := fixtureAnalyte()
		a.Closable, a.Focus = tt.closable, tt.focus
		d := doc(t, AnalyteFragment(a))
		closeCtl := d.Find(tid("close-panel"))
		if !tt.closable {
			if closeCtl.Length() != 0 {
				t.Errorf("%s: Close is shown", tt.name)
			}
		} else {
			if closeCtl.Length() != 1 || goquery.NodeName(closeCtl) != "button" || closeCtl.AttrOr("type", "") != "button" {
				t.Fatalf("%s: Close = %d elements %q, want one button", tt.name, closeCtl.Length(), goquery.NodeName(closeCtl))
			}
			if got := text(closeCtl); got != "Close Glucose history" {
				t.Errorf("%s: Close's accessible text = %q, want %q", tt.name, got, "Close Glucose history")
			}
			if text(closeCtl.Find(".visually-hidden")) != "Glucose history" {
				t.Errorf("%s: the panel's name in Close is not visually hidden", tt.name)
			}
			if c, _ := closeCtl.Attr("aria-controls"); c != AnalyteID {
				t.Errorf("%s: Close aria-controls = %q, want %q", tt.name, c, AnalyteID)
			}
		}
		for _, sel := range []string{tid("refresh"), tid("analyte-presets") + " a"} {
			d.Find(sel).Each(func(_ int, c *goquery.Selection) {
				want := ""
				if tt.closable {
					want = "1"
				}
				if got := hxVals(t, c)[AnalytePanelParam]; got != want {
					t.Errorf("%s: %q sends %s=%q, want %q", tt.name, text(c), AnalytePanelParam, got, want)
				}
				if got := hxVals(t, c)[AnalyteOpenParam]; got != "" {
					t.Errorf("%s: %q sends %s=%q: refreshing would take the focus", tt.name, text(c), AnalyteOpenParam, got)
				}
			})
		}
		h := d.Find("#" + AnalyteID + "-title")
		_, autofocus := h.Attr("autofocus")
		if autofocus != tt.focus || (h.AttrOr("tabindex", "") == "-1") != tt.focus {
			t.Errorf("%s: heading autofocus %v, tabindex %q; want both %v", tt.name, autofocus, h.AttrOr("tabindex", ""), tt.focus)
		}
		if n := d.Find("[autofocus]").Length(); n > 1 {
			t.Errorf("%s: %d elements with autofocus", tt.name, n)
		}
	}

	page := doc(t, AnalytePage(fixturePage(), fixtureBanner(), fixtureAnalyte()))
	if page.Find(tid("close-panel")+", [autofocus]").Length() != 0 {
		t.Error("the analyte's page has Close or autofocus")
	}
}
