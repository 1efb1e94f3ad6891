package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestVitalsEmptyYearSaysOlderExist: Tomas Lindqvist (400010) was last seen 18 months ago. His
// latest-vitals strip says its year is empty, and his vitals table must not look as if he had none: it says the year is empty, that older vital signs
// are on record, and links to every date, where they are (and stay, page after page). A patient
// without any vital signs is told there are none before the year either.
func TestVitalsEmptyYearSaysOlderExist(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("400010")
	b.get(chart, nil)

	// The strip above says its year is empty and where older ones would be.
	strip := b.get(chart+"/vitals-strip", hxReq).doc(t)
	// It is as definite as the table: Epic says older ones exist ("Older ones, if any" said the
	// strip, while the table said they were on record).
	const emptyYear = "No vital signs recorded in the last year. Older vital signs are on record, under Vitals."
	if got := strings.TrimSpace(strip.Find(`[data-testid="vitals-stale"]`).Text()); got != emptyYear {
		t.Errorf("strip notice = %q, want %q", got, emptyYear)
	}

	d := b.get(chart+"/vitals", hxReq).doc(t)
	if got := strings.TrimSpace(d.Find(`[data-testid="vitals-table-empty"]`).Text()); got != "No vital signs recorded in the last year." {
		t.Errorf("empty message = %q", got)
	}
	hint := d.Find(`[data-testid="vitals-table-older"]`)
	if got := strings.Join(strings.Fields(hint.Text()), " "); got != "Older vital signs are on record. Show all vital signs" {
		t.Errorf("older vital signs hint = %q", got)
	}
	all, _ := hint.Find(`[data-testid="vitals-table-older-link"]`).Attr("hx-get")
	if !strings.HasPrefix(all, chart+"/vitals?") || !strings.Contains(all, "range=all") {
		t.Fatalf("Show all links to %q", all)
	}

	d = b.get(all, hxReq).doc(t)
	if n := d.Find(`[data-testid="obs-row"]`).Length(); n == 0 {
		t.Fatal("all dates show no vital signs")
	}
	if got := d.Find(`[data-testid="vitals-table"] caption`).Text(); got != "Vital signs, all dates (newest first)" {
		t.Errorf("caption = %q", got)
	}
	if d.Find(`[data-testid="vitals-table-older"]`).Length() != 0 {
		t.Error("all dates still offer older vital signs")
	}
	// Three years of visits are more than one page: Show older stays on every date.
	older, ok := d.Find(`[data-testid="show-older"]`).Attr("hx-get")
	if !ok || !strings.Contains(older, "range=all") {
		t.Errorf("Show older = %q, want it to keep range=all", older)
	}
	if recs := env.auditRecords(); recs[len(recs)-1].Detail != "vitals all" {
		t.Errorf("all dates audited as %+v", recs[len(recs)-1].Entry)
	}

	none := b.openChart("400002") // no observations at all
	b.get(none, nil)
	// The strip says what the table says: none before either.
	if got, want := strings.TrimSpace(b.get(none+"/vitals-strip", hxReq).doc(t).Find(`[data-testid="vitals-stale"]`).Text()), "No vital signs recorded in the last year, and none before."; got != want {
		t.Errorf("patient without vital signs: strip notice = %q, want %q", got, want)
	}
	d = b.get(none+"/vitals", hxReq).doc(t)
	if got := strings.TrimSpace(d.Find(`[data-testid="vitals-table-empty"]`).Text()); got != "No vital signs recorded in the last year, and none before." {
		t.Errorf("patient without vital signs: %q", got)
	}
	if d.Find(`[data-testid="vitals-table-older"]`).Length() != 0 {
		t.Error("patient without vital signs is offered older ones")
	}
	if r := b.get(none+"/vitals?range=2y", hxReq); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown range: status %d, want 400", r.StatusCode)
	}
}

// TestStripTileSaysItsYear: Camila Lopez (203713) has vital signs this year, but her last
// temperature, weight and height are older (Epic's captures, 2021). Those tiles say they are not
// recorded in the strip's year, not "Not recorded" as if they never were, and keep the missing
// style; the tiles with a value have its time.
func TestStripTileSaysItsYear(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	strip := b.get(chart+"/vitals-strip", hxReq).doc(t)
	tiles := strip.Find(`[data-testid="vital-tile"]`)
	if tiles.Length() == 0 {
		t.Fatal("no vital tiles")
	}
	empty := 0
	tiles.Each(func(_ int, tile *goquery.Selection) {
		label := strings.TrimSpace(tile.Find(`[data-testid="vital-label"]`).Text())
		value := strings.Join(strings.Fields(tile.Find(`[data-testid="vital-value"]`).Text()), " ")
		switch {
		case value == "Not recorded in the last year":
			empty++
			if tile.Find(`[data-testid="vital-value"] .not-recorded`).Length() != 1 {
				t.Errorf("%s: %q is not styled as missing", label, value)
			}
		case strings.HasPrefix(value, "Not recorded"):
			t.Errorf("%s: %q does not say which year it looked in", label, value)
		case tile.Find(`[data-testid="vital-time"]`).Length() != 1:
			t.Errorf("%s: %q has no time", label, value)
		}
	})
	if empty == 0 || empty == tiles.Length() {
		t.Errorf("%d of %d tiles empty in the last year; want some (temperature, weight, height are from 2021) but not all", empty, tiles.Length())
	}
}
