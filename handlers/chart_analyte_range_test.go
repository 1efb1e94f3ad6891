package handlers_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// rowText is a table row's text, spaces collapsed: the labs table and an analyte's history render a
// result the same way, its name linked in the one and not in the other.
func rowText(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// TestAnalyteLinkOpensTheTableRange: a result's name opens its history over the range its table
// shows, widened when the result is older than that (present.LinkRange), so the result pressed is
// always in the history, named after it. Camila Lopez's labs are from 2019 and 2023: with Labs on
// All, every lab's link used to open the last year, an empty panel titled "Results history". The
// matrix's test links hold every result of their row; Tomas Lindqvist, last seen 18 months ago,
// has an encounter's results (no range shown: the analyte's default year, widened) and vitals
// (Vitals on All) checked the same way; a recent result in a table on the default year keeps a
// link without a range.
func TestAnalyteLinkOpensTheTableRange(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	hx := map[string]string{"HX-Request": "true"}

	// opens follows link as htmx does and checks that the panel is named after name, lists want
	// (a row's text; "" for none), and shows range (a preset's label; "" for any).
	opens := func(t *testing.T, what string, link *goquery.Selection, name, want, rng string) *goquery.Document {
		t.Helper()
		r := b.get(htmxGet(t, link), hx)
		if r.StatusCode != 200 {
			t.Fatalf("%s: status %d", what, r.StatusCode)
		}
		p := r.doc(t)
		if got := rowText(p.Find("#section-analyte-title")); got != name+" history" {
			t.Errorf("%s: panel titled %q, want %q", what, got, name+" history")
		}
		if want != "" {
			found := false
			p.Find(`[data-testid="analyte-table"] [data-testid="obs-row"]`).Each(func(_ int, s *goquery.Selection) {
				found = found || rowText(s) == want
			})
			if !found {
				t.Errorf("%s: the panel does not list the result pressed (%q); it lists %d results (%s)", what, want,
					p.Find(`[data-testid="analyte-table"] [data-testid="obs-row"]`).Length(), rowText(p.Find(`[data-testid="analyte-table-empty"]`)))
			}
		}
		if got := rowText(p.Find(`[data-testid="analyte-presets"] [aria-current]`)); rng != "" && got != rng {
			t.Errorf("%s: the panel shows %q, want %q", what, got, rng)
		}
		return p
	}
	eachRow := func(t *testing.T, d *goquery.Document, table string, f func(name, row string, link *goquery.Selection)) {
		t.Helper()
		rows := d.Find(`[data-testid="` + table + `"] [data-testid="obs-row"]`)
		if rows.Length() == 0 {
			t.Fatalf("%s has no rows", table)
		}
		rows.Each(func(_ int, s *goquery.Selection) {
			link := s.Find("th a")
			if link.Length() != 1 {
				t.Fatalf("%s: row %q has no analyte link", table, rowText(s))
			}
			f(rowText(link), rowText(s), link)
		})
	}

	chart := b.openChart("203713")
	t.Run("labs table on All", func(t *testing.T) {
		labs := b.get(chart+"/labs?range=all", hx).doc(t)
		eachRow(t, labs, "labs-table", func(name, row string, link *goquery.Selection) {
			// All holds every result: the link opens the range the table shows.
			opens(t, name, link, name, row, "All")
		})
	})
	t.Run("lab matrix on All", func(t *testing.T) {
		matrix := b.get(chart+"/labs?range=all&view=matrix", hx).doc(t)
		rows := matrix.Find(`[data-testid="matrix-row"]`)
		if rows.Length() == 0 {
			t.Fatal("the matrix has no rows")
		}
		rows.Each(func(_ int, s *goquery.Selection) {
			link := s.Find(`[data-testid="matrix-test"] a`)
			name := rowText(link)
			cells := 0
			s.Find(`[data-testid="matrix-cell"]`).Each(func(_ int, c *goquery.Selection) {
				if rowText(c) != "" {
					cells++
				}
			})
			p := opens(t, name, link, name, "", "All")
			if n := p.Find(`[data-testid="analyte-table"] [data-testid="obs-row"]`).Length(); n < cells {
				t.Errorf("%s: the panel lists %d results, the matrix row %d", name, n, cells)
			}
		})
	})
	tomas := b.openChart("400010") // last seen 18 months ago
	t.Run("encounter results", func(t *testing.T) {
		// His encounter's results are older than the analyte's default year: the links widen.
		enc := b.get(tomas+"/encounters", hx).doc(t)
		seen := 0
		enc.Find(`[data-testid="encounter-expand"]`).Each(func(_ int, c *goquery.Selection) {
			d := b.get(c.AttrOr("hx-get", ""), hx).doc(t)
			if d.Find(`[data-testid="encounter-observations"]`).Length() == 0 {
				return
			}
			eachRow(t, d, "encounter-observations", func(name, row string, link *goquery.Selection) {
				seen++
				opens(t, "encounter's "+name, link, name, row, "")
			})
		})
		if seen == 0 {
			t.Fatal("no encounter lists a result")
		}
	})

	t.Run("vitals table on All", func(t *testing.T) {
		vitals := b.get(tomas+"/vitals?range=all", hx).doc(t)
		rows := vitals.Find(`[data-testid="vitals-table"] [data-testid="obs-row"]`)
		if rows.Length() < 2 {
			t.Fatalf("%d vital signs on every date", rows.Length())
		}
		// His newest and the oldest on the table's first page.
		for _, row := range []*goquery.Selection{rows.First(), rows.Last()} {
			link := row.Find("th a")
			opens(t, rowText(link), link, rowText(link), rowText(row), "All")
		}
	})

	// A table on the default year keeps its links as they were: no range named (rows repeat it).
	t.Run("default year", func(t *testing.T) {
		morgan := b.openChart("400009")
		labs := b.get(morgan+"/labs", hx).doc(t)
		link := labs.Find(`[data-testid="labs-table"] th a`).First()
		u, err := url.Parse(link.AttrOr("href", ""))
		if err != nil || u.Query().Has("range") {
			t.Errorf("a recent result's link in the year's table = %q, want no range", link.AttrOr("href", ""))
		}
		opens(t, rowText(link), link, rowText(link), rowText(link.Closest("tr")), "1 year")
	})
}

// TestAnalyteEmptyRangeNamesTheAnalyte: a range without any result of the analyte is still titled
// with its name (from the older result Epic returned), says it is empty in words that name it, and
// offers all its results, which the link then lists (in the chart's panel, Close kept). An analyte
// Epic has no result of at all is named by its code, never "Results history", and is not offered
// older results.
func TestAnalyteEmptyRangeNamesTheAnalyte(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	hx := map[string]string{"HX-Request": "true"}

	// Camila's Platelets are from May 2019.
	platelets := chart + "/analyte?" + url.Values{"code": {"http://loinc.org|777-3"}, "range": {"1w"}, "panel": {"1"}}.Encode()
	p := b.get(platelets, hx).doc(t)
	if got := rowText(p.Find("#section-analyte-title")); got != "Platelets history" {
		t.Errorf("empty week titled %q, want %q", got, "Platelets history")
	}
	if got := p.Find(`[data-testid="analyte-presets"]`).AttrOr("aria-label", ""); got != "Platelets history time range" {
		t.Errorf("its time ranges are named %q", got)
	}
	if got := rowText(p.Find(`[data-testid="analyte-table-empty"]`)); got != "No Platelets results in the last week." {
		t.Errorf("empty message = %q", got)
	}
	hint := p.Find(`[data-testid="analyte-older"]`)
	if got := rowText(hint); got != "Older Platelets results are on record. Show all Platelets results" {
		t.Errorf("older results hint = %q", got)
	}
	all := hint.Find(`[data-testid="analyte-older-link"]`)
	if all.AttrOr("hx-target", "") != "#section-analyte" {
		t.Errorf("Show all targets %q, want the panel", all.AttrOr("hx-target", ""))
	}
	if u, err := url.Parse(all.AttrOr("hx-get", "")); err != nil || u.Query().Get("range") != "all" || u.Query().Get("code") != "http://loinc.org|777-3" {
		t.Errorf("Show all links to %q", all.AttrOr("hx-get", ""))
	}
	shown := b.get(htmxGet(t, all), hx).doc(t)
	if n := shown.Find(`[data-testid="analyte-table"] [data-testid="obs-row"]`).Length(); n == 0 {
		t.Error("Show all lists no Platelets result")
	}
	if shown.Find(`[data-testid="close-panel"]`).Length() != 1 || shown.Find(`[data-testid="analyte-older"]`).Length() != 0 {
		t.Error("Show all's answer is not the panel with Close, without the hint")
	}

	// An analyte without any result on record: named by its code; nothing older to offer.
	for _, rng := range []string{"1w", "all"} {
		none := chart + "/analyte?" + url.Values{"code": {"http://loinc.org|2823-3"}, "range": {rng}}.Encode()
		p := b.get(none, hx).doc(t)
		if got := rowText(p.Find("#section-analyte-title")); got != "LOINC 2823-3 history" {
			t.Errorf("%s: an analyte without results is titled %q", rng, got)
		}
		want := map[string]string{"1w": "No LOINC 2823-3 results in the last week, and none before.", "all": "No LOINC 2823-3 results on record."}[rng]
		if got := rowText(p.Find(`[data-testid="analyte-table-empty"]`)); got != want {
			t.Errorf("%s: empty message = %q, want %q", rng, got, want)
		}
		if p.Find(`[data-testid="analyte-older"]`).Length() != 0 {
			t.Errorf("%s: offers older results of an analyte without any", rng)
		}
	}
}

// TestEncounterResultRegionsNamedApart: an encounter's results table is a named region, and
// several encounters' details can be open at once in the timeline: each region's name says which
// encounter it is (axe's landmark-unique). On Camila Lopez's chart two encounters list results.
func TestEncounterResultRegionsNamedApart(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	hx := map[string]string{"HX-Request": "true"}
	names := map[string]int{}
	b.get(chart+"/encounters", hx).doc(t).Find(`[data-testid="encounter-expand"]`).Each(func(_ int, c *goquery.Selection) {
		b.get(c.AttrOr("hx-get", ""), hx).doc(t).Find(`[role="region"]`).Each(func(_ int, r *goquery.Selection) {
			names[r.AttrOr("aria-label", "")]++
		})
	})
	if len(names) < 2 {
		t.Fatalf("regions in the encounters' details: %v; want at least two encounters with results", names)
	}
	for name, n := range names {
		if n > 1 || !strings.HasPrefix(name, "Observations recorded in this encounter (") {
			t.Errorf("region %q named %d times", name, n)
		}
	}
}
