// Whole pages: the chart page, the complete (print) chart, and the section pages that wrap each fragment.

package views

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func TestChartPage(t *testing.T) {
	html := renderHTML(t, Chart(fixtureChartPage()))
	d := doc(t, Chart(fixtureChartPage()))
	checkStrictCSP(t, d)
	if text(d.Find(tid("banner-name"))) != evilName || d.Find("img").Length() != 0 {
		t.Error("banner name not rendered as text")
	}
	slots := d.Find(`[hx-trigger="load"]`)
	if slots.Length() != 5 {
		t.Fatalf("lazy sections = %d, want 5", slots.Length())
	}
	slots.Each(func(_ int, s *goquery.Selection) {
		u, _ := s.Attr("hx-get")
		id, _ := s.Attr("id")
		// Parsers treat <noscript> content as text, so look for the link in it.
		if ns := s.Find("noscript").Text(); !strings.Contains(ns, `href="`+u+`"`) {
			t.Errorf("section %s: noscript %q lacks a link to %q", id, ns, u)
		}
		if sw, _ := s.Attr("hx-swap"); sw != "outerHTML" {
			t.Errorf("section %s swap = %q", id, sw)
		}
	})
	if d.Find("#"+AnalyteID).Length() != 1 {
		t.Error("analyte region missing: analyte links would have no target")
	}
	if !strings.Contains(d.Find("noscript").Text(), `href="/chart/h1/print"`) {
		t.Error("no noscript link to the complete chart")
	}
	if hist, _ := d.Find("body").Attr("hx-history"); hist != "false" {
		t.Error("patient page allows htmx history snapshots")
	}
	golden(t, "chart", html)
}

func TestPrintChart(t *testing.T) {
	html := renderHTML(t, PrintChart(fixturePrintPage()))
	d := doc(t, PrintChart(fixturePrintPage()))
	checkStrictCSP(t, d)
	for _, id := range []string{VitalsStripID, TimelineID, VitalsTableID, LabsID, SocialID} {
		if d.Find("#"+id).Length() != 1 {
			t.Errorf("section %s missing from the complete chart", id)
		}
	}
	if d.Find(`[hx-trigger="load"]`).Length() != 0 {
		t.Error("print page must not load sections lazily")
	}
	if text(d.Find(tid("print-footer"))) != "Printed by nurse1 on Apr 28, 2026 10:42" {
		t.Errorf("footer = %q", text(d.Find(tid("print-footer"))))
	}
	// Printed, main is a table whose header (the banner) and footer repeat on every page: both
	// must be main's own children, the footer its last.
	if d.Find("main > "+tid("banner")).Length() != 1 || d.Find("main > "+tid("print-footer")+":last-child").Length() != 1 {
		t.Error("the banner and the print footer must be children of main, the footer last, to repeat on every printed page")
	}
	golden(t, "print", html)
}

func TestSectionPagesContainTheirFragments(t *testing.T) {
	p, b := fixturePage(), fixtureBanner()
	b.ChartURL = "/chart/h1"
	tests := []struct {
		name string
		page templ.Component
		frag string
	}{
		{"vitals strip", VitalsStripPage(p, b, fixtureStrip()), "#" + VitalsStripID},
		{"timeline", TimelinePage(p, b, fixtureTimeline()), "#" + TimelineID},
		{"vitals", ObsPage(p, b, fixtureVitals()), "#" + VitalsTableID},
		{"labs", LabsPage(p, b, fixtureLabs(false)), "#" + LabsID},
		{"social history", SocialPage(p, b, fixtureSocialItems()), "#" + SocialID},
		{"analyte", AnalytePage(p, b, fixtureAnalyte()), "#" + AnalyteID},
		{"encounter", EncounterPage(p, b, EncounterDetail{Section: fixtureSection("encounter", "Encounter"), Row: fixtureTimeline().Groups[0].Entries[0],
			Details: []IDRow{{Label: "Status", Value: "unknown"}}, Observations: fixtureVitals()}), tid("encounter-detail")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := doc(t, tt.page)
			checkStrictCSP(t, d)
			if d.Find(tid("banner")).Length() != 1 || d.Find(tt.frag).Length() != 1 {
				t.Errorf("page lacks banner or fragment %s", tt.frag)
			}
			if href, _ := d.Find(tid("banner-chart-link")).Attr("href"); href != "/chart/h1" {
				t.Errorf("back-to-chart link = %q", href)
			}
		})
	}
}
