package views

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestPatientBanner(t *testing.T) {
	d := doc(t, PatientBanner(fixtureBanner()))
	tests := []struct{ id, want string }{
		{"banner-name", evilName},
		{"banner-mrn", "203713"},
		{"banner-birthdate", "Sep 12, 1987 (38 y)"},
		{"banner-age", "(38 y)"},
		{"banner-sex", "Female"},
		{"banner-deceased", "Deceased Jan 2, 2026"},
		{"banner-ids", "CEID: FHRLBVD2TLZS69Z"},
		{"banner-address", "3268 W Johnson St Apt 117 GARLAND TX 75043"},
		{"banner-phone", "+1 469-888-8888 (work)"},
		{"banner-language", "English"},
		{"banner-pcp", "Not recorded"},
	}
	for _, tt := range tests {
		if got := text(d.Find(tid(tt.id))); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.id, got, tt.want)
		}
	}
	// The HTML-like name is text: no <img>, no <b> from it anywhere.
	if n := d.Find("img, b").Length(); n != 0 {
		t.Errorf("patient name became markup: %d elements", n)
	}
	if d.Find(tid("banner-pcp")+" .not-recorded").Length() != 1 {
		t.Error("Not recorded is not styled as missing")
	}
	if d.Find("#"+BannerID).Length() != 1 {
		t.Error("banner id missing")
	}
	if d.Find(tid("banner-preferred")).Length() != 0 {
		t.Error("preferred name shown for a patient without one")
	}
	alive := fixtureBanner()
	alive.Deceased, alive.Address, alive.OtherIDs = false, nil, nil
	alive.Preferred = "Ali Mychart"
	d = doc(t, PatientBanner(alive))
	if d.Find(tid("banner-deceased")).Length() != 0 {
		t.Error("deceased tag shown for a living patient")
	}
	// The preferred name is labelled and in the always-visible part, beside the legal name (which
	// stays the heading), not behind "More patient details".
	pref := d.Find(".banner-main " + tid("banner-preferred"))
	if got := text(pref); got != "Ali Mychart" {
		t.Errorf("preferred name = %q, want Ali Mychart", got)
	}
	if got := text(pref.Prev()); got != "Preferred name" {
		t.Errorf("preferred name label = %q", got)
	}
	if got := text(d.Find(tid("banner-name"))); got != evilName {
		t.Errorf("banner name with a preferred name = %q, want the legal name", got)
	}
	if got := text(d.Find(tid("banner-address"))); got != NotRecorded {
		t.Errorf("empty address = %q", got)
	}
}

func TestVitalsStrip(t *testing.T) {
	d := doc(t, VitalsStripFragment(fixtureStrip()))
	checkStrictCSP(t, d)
	tiles := d.Find(tid("vital-tile"))
	if tiles.Length() != 3 {
		t.Fatalf("tiles = %d, want 3", tiles.Length())
	}
	bp := tiles.Eq(0)
	if got := text(bp.Find(tid("vital-value"))); got != "182/96 mm[Hg]" {
		t.Errorf("BP value = %q", got)
	}
	if got := text(bp.Find(tid("flag"))); got != "▲ High" {
		t.Errorf("BP flag = %q (words and icon)", got)
	}
	if lvl, _ := bp.Find(tid("flag")).Attr("data-level"); lvl != "high" {
		t.Errorf("BP flag level = %q", lvl)
	}
	if href, _ := bp.Find(tid("analyte-link")).Attr("hx-get"); !strings.Contains(href, "85354-9") {
		t.Errorf("BP trend link = %q", href)
	}
	if got := text(tiles.Eq(1).Find(tid("vital-status"))); got != "preliminary" {
		t.Errorf("pulse status = %q", got)
	}
	if got := text(tiles.Eq(2).Find(tid("vital-value"))); got != NotRecorded {
		t.Errorf("SpO2 = %q", got)
	}
	if got := text(d.Find(tid("vitals-stale"))); got != "Vitals are 3 days old" {
		t.Errorf("stale notice = %q", got)
	}
	sec := d.Find("#" + VitalsStripID)
	if got := text(sec.Find(tid("as-of"))); got != "as of 10:42" {
		t.Errorf("as of = %q", got)
	}
	if u, _ := sec.Find(tid("refresh")).Attr("hx-get"); u != "/chart/h1/section-vitals-strip?refresh=1" {
		t.Errorf("refresh hx-get = %q", u)
	}
	if tg, _ := sec.Find(tid("refresh")).Attr("hx-target"); tg != "#"+VitalsStripID {
		t.Errorf("refresh target = %q", tg)
	}
}

func TestSectionFailureAndWarnings(t *testing.T) {
	s := fixtureStrip()
	s.Warnings = []Alert{{Level: AlertWarning, Title: "Some results are not shown", Detail: "Check Epic."}}
	d := doc(t, VitalsStripFragment(s))
	if got := text(d.Find(tid("section-warning"))); got != "Some results are not shownCheck Epic." {
		t.Errorf("warning = %q", got)
	}
	s.Failure = &Alert{Level: AlertError, Title: "Epic did not answer.", Detail: "Try again in a minute."}
	d = doc(t, VitalsStripFragment(s))
	if d.Find(tid("vital-tile")).Length() != 0 {
		t.Error("failed section still shows content")
	}
	if got := text(d.Find(tid("alert-error"))); got != "Epic did not answer.Try again in a minute." {
		t.Errorf("failure alert = %q", got)
	}
	retry := d.Find(tid("retry"))
	if u, _ := retry.Attr("hx-get"); u != s.RetryURL {
		t.Errorf("retry hx-get = %q, want %q", u, s.RetryURL)
	}
	if u, _ := retry.Attr("href"); u != s.URL {
		t.Errorf("retry href = %q, want %q", u, s.URL)
	}
	if sw, _ := retry.Attr("hx-swap"); sw != "outerHTML" {
		t.Errorf("retry swap = %q", sw)
	}
	if d.Find("#"+VitalsStripID).Length() != 1 {
		t.Error("failed section lost its id: htmx could not swap it in place")
	}
}

func TestTimeline(t *testing.T) {
	d := doc(t, TimelineFragment(fixtureTimeline()))
	checkStrictCSP(t, d)
	groups := d.Find(tid("month-group"))
	if groups.Length() != 2 || text(groups.Eq(0).Find("h3")) != "June 2023" {
		t.Fatalf("groups = %d, first %q", groups.Length(), text(groups.Eq(0).Find("h3")))
	}
	first := d.Find(tid("encounter")).First()
	for id, want := range map[string]string{
		"encounter-when":      "Jun 6, 2023 11:20 – 12:35 CDT",
		"encounter-type":      "Surgery",
		"encounter-class":     "Surgery Log",
		"encounter-status":    "unknown",
		"encounter-location":  "Location: EMH Operating Room",
		"encounter-clinician": "Clinician: Physician Family Medicine, MD",
	} {
		if got := text(first.Find(tid(id))); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if !first.Find(tid("encounter-status")).HasClass("tag") {
		t.Error("notable status not shown as a tag")
	}
	exp := first.Find(tid("encounter-expand"))
	if u, _ := exp.Attr("hx-get"); u != "/chart/h1/encounters/a" {
		t.Errorf("expand hx-get = %q", u)
	}
	if tg, _ := exp.Attr("hx-target"); tg != "#enc-a-detail" || d.Find("#enc-a-detail").Length() != 1 {
		t.Errorf("expand target %q must exist in the page", tg)
	}
	// The encounter without a detail URL has no expand control; its HTML-like type is text.
	third := d.Find(tid("encounter")).Eq(2)
	if third.Find(tid("encounter-expand")).Length() != 0 {
		t.Error("expand shown without a URL")
	}
	if got := text(third.Find(tid("encounter-type"))); got != evilName || d.Find("img").Length() != 0 {
		t.Errorf("type = %q (must be text)", got)
	}
	more := d.Find(tid("load-earlier") + " a")
	if u, _ := more.Attr("hx-get"); u != "/chart/h1/encounters?before=2022-07-01&more=1" {
		t.Errorf("load earlier = %q", u)
	}
	f := d.Find(tid("timeline-filters"))
	if sel := f.Find("#filter-class option[selected]"); text(sel) != "Surgery Log" {
		t.Errorf("selected class = %q", text(sel))
	}
	if f.Find(`label[for="filter-class"]`).Length() != 1 || f.Find(`label[for="filter-type"]`).Length() != 1 {
		t.Error("filter selects lack labels")
	}
	if v, _ := f.Find(`input[name="before"]`).Attr("value"); v != "2023-07-01" {
		t.Errorf("hidden before = %q", v)
	}

	m := doc(t, TimelineMoreFragment(TimelineMore{Window: "w", Empty: "No encounters in this period."}))
	if text(m.Find(tid("timeline-empty"))) != "No encounters in this period." || m.Find(tid("load-earlier")).Length() != 0 {
		t.Error("empty window without a next URL should say so and offer no button")
	}
}

func TestObsTable(t *testing.T) {
	d := doc(t, LabsFragment(fixtureLabs(false)))
	checkStrictCSP(t, d)
	table := d.Find(tid("labs-table"))
	if text(table.Find("caption")) != "Lab results (newest first)" {
		t.Errorf("caption = %q", text(table.Find("caption")))
	}
	if n := table.Find(`thead th[scope="col"]`).Length(); n != 7 {
		t.Errorf("column headers with scope = %d, want 7", n)
	}
	rows := table.Find(tid("obs-row"))
	if rows.Length() != 5 {
		t.Fatalf("rows = %d", rows.Length())
	}
	k := rows.Eq(0)
	for header, want := range map[string]string{
		"Name": "Potassium", "Value": "6.8", "Unit": "mmol/L", "Reference range": "3.5–5.0 mmol/L",
		"Flag": "‼ Critical high", "Date/time": "Apr 24, 2026 16:10 CDT", "Status": "final",
	} {
		if got := text(cellUnder(table, k, header)); got != want {
			t.Errorf("potassium %s = %q, want %q", header, got, want)
		}
	}
	if !cellUnder(table, k, "Value").HasClass("value-critical") {
		t.Error("critical value does not stand out")
	}
	if k.Find(`th[scope="row"]`).Length() != 1 {
		t.Error("row header missing")
	}
	if u, _ := k.Find(`th a`).Attr("hx-get"); u != "/chart/h1/analyte?code=http://loinc.org|2823-3" {
		t.Errorf("analyte link = %q", u)
	}
	// The analyte links take their target from the table body, rows appended later included.
	body := table.Find("tbody")
	if tg, _ := body.Attr("hx-target"); tg != "#"+AnalyteID {
		t.Errorf("table body hx-target = %q, want #%s for the analyte links", tg, AnalyteID)
	}
	if sw, _ := body.Attr("hx-swap"); sw != "outerHTML show:top" {
		t.Errorf("table body hx-swap = %q", sw)
	}
	if got := text(cellUnder(table, rows.Eq(1), "Value")); got != "7.20" {
		t.Errorf("A1C value = %q (digits as sent)", got)
	}
	if !cellUnder(table, rows.Eq(1), "Status").Find(".tag").Is("span") {
		t.Error("amended status not tagged")
	}
	unk := rows.Eq(2).Find(tid("flag"))
	if lvl, _ := unk.Attr("data-level"); lvl != "unknown" || text(unk) != "? (NONE)" {
		t.Errorf("unknown flag = %q level %q", text(unk), lvl)
	}
	if text(rows.Eq(2).Find(tid("obs-note"))) != "Test Comment" {
		t.Error("note missing")
	}
	if text(cellUnder(table, rows.Eq(3), "Value")) != "<5" || !rows.Eq(3).HasClass("row-error") {
		t.Errorf("comparator value %q / entered-in-error row class", text(cellUnder(table, rows.Eq(3), "Value")))
	}
	if cellUnder(table, rows.Eq(4), "Value").Find(".not-recorded").Length() != 1 {
		t.Error("data-absent value not styled as missing")
	}
	if cur := d.Find(tid("labs-views") + ` [aria-current="true"]`); text(cur) != "Table" {
		t.Errorf("current view = %q", text(cur))
	}

	empty := doc(t, SocialFragment(fixtureSocial()))
	if text(empty.Find(tid("social-table-empty"))) != "No social history recorded." || empty.Find("table").Length() != 0 {
		t.Error("empty table should be a message")
	}
}

func TestLabMatrix(t *testing.T) {
	d := doc(t, LabsFragment(fixtureLabs(true)))
	checkStrictCSP(t, d)
	m := d.Find(tid("lab-matrix"))
	if d.Find(tid("labs-table")).Length() != 0 || m.Length() != 1 {
		t.Fatal("matrix view must show the matrix only")
	}
	var dates []string
	m.Find(tid("matrix-date")).Each(func(_ int, s *goquery.Selection) { dates = append(dates, text(s)) })
	if strings.Join(dates, "|") != "Apr 24, 2026|Apr 20, 2026" {
		t.Errorf("dates = %q", dates)
	}
	rows := m.Find(tid("matrix-row"))
	if rows.Length() != 2 {
		t.Fatalf("rows = %d", rows.Length())
	}
	if got := text(rows.Eq(0).Find(tid("matrix-test"))); got != "Potassium (mmol/L) 3.5–5.0 mmol/L" {
		t.Errorf("test header = %q", got)
	}
	c := rows.Eq(0).Find(tid("matrix-cell"))
	if c.Length() != 2 || text(c.Eq(0)) != "6.8 ‼ Critical high" || text(c.Eq(1)) != "" {
		t.Errorf("cells = %q, %q", text(c.Eq(0)), text(c.Eq(1)))
	}
	if got := text(rows.Eq(1).Find(tid("matrix-test"))); !strings.HasPrefix(got, evilName) || d.Find("img").Length() != 0 {
		t.Errorf("HTML-like test name = %q", got)
	}
}

func TestTrendChart(t *testing.T) {
	d := doc(t, AnalyteFragment(fixtureAnalyte()))
	checkStrictCSP(t, d)
	svg := d.Find(tid("trend-svg"))
	if vb, _ := svg.Attr("viewBox"); vb != "0 0 720.0 260.0" {
		t.Errorf("viewBox = %q", vb)
	}
	if role, _ := svg.Attr("role"); role != "img" || text(svg.Find("title#trend-title")) != "Glucose trend" {
		t.Error("chart is not an accessible image with a title")
	}
	band := svg.Find(tid("chart-band"))
	if y, _ := band.Attr("y"); y != "120.0" || text(band.Find("title")) != "Reference range 70–100 mg/dL" {
		t.Errorf("band y=%q label=%q", y, text(band.Find("title")))
	}
	if p, _ := svg.Find(tid("chart-line")).Attr("d"); p != "M64.0 180.0 L380.0 150.0 L696.0 40.0" {
		t.Errorf("line = %q", p)
	}
	pts := svg.Find(tid("chart-point"))
	if pts.Length() != 3 {
		t.Fatalf("points = %d", pts.Length())
	}
	if pts.Eq(0).Find("circle").Length() != 1 || pts.Eq(2).Find("circle").Length() != 0 {
		t.Error("normal points are circles, abnormal ones are not")
	}
	if ab, _ := pts.Eq(2).Attr("data-abnormal"); ab != "true" || text(pts.Eq(2).Find(tid("chart-marker"))) != "H" {
		t.Error("abnormal point lacks its shape/label")
	}
	if d, _ := pts.Eq(2).Find("path").Attr("d"); d != "M696.0 34.0 L702.0 40.0 L696.0 46.0 L690.0 40.0 Z" {
		t.Errorf("abnormal marker path = %q", d)
	}
	if text(pts.Eq(2).Find("title")) != "150 mg/dL on Jan 3, High" {
		t.Error("point title missing")
	}
	if d.Find(tid("chart-ytick")).Length() != 2 || d.Find(tid("chart-xtick")).Length() != 2 {
		t.Error("ticks missing")
	}
	if !strings.HasPrefix(text(d.Find(tid("chart-note"))), "1 result listed below") {
		t.Error("chart note missing")
	}
	if d.Find(tid("analyte-table")).Length() != 1 {
		t.Error("analyte table missing")
	}
	if cur := d.Find(tid("analyte-presets") + ` [aria-current="true"]`); text(cur) != "All" {
		t.Errorf("current preset = %q", text(cur))
	}

	if d.Find(tid("chart-legend")).Length() != 0 {
		t.Error("legend drawn for a single series")
	}
	two := fixtureChart()
	two.Series = append(two.Series, ChartSeries{Label: "Diastolic", Path: "M64.0 200.0 L696.0 190.0", Dashed: true})
	d2 := doc(t, TrendChart(two))
	if lines := d2.Find(tid("chart-line")); lines.Length() != 2 {
		t.Errorf("lines = %d, want 2", lines.Length())
	} else if da, _ := lines.Eq(1).Attr("stroke-dasharray"); da == "" {
		t.Error("second series not dashed")
	}
	if lg := d2.Find(tid("chart-legend")); lg.Length() != 2 || text(lg.Eq(1)) != "Diastolic" {
		t.Errorf("legend = %d entries", lg.Length())
	}

	empty := doc(t, TrendChart(SVGChart{Empty: "No numeric results to draw for this period."}))
	if empty.Find("svg").Length() != 0 || text(empty.Find(tid("trend-empty"))) == "" {
		t.Error("empty chart should be a message, not an empty SVG")
	}
}

// Controls that replace the section they sit in keep stable ids, so htmx can put keyboard focus
// back on the same control in the new section; range presets also bring the new section's top
// into view.
func TestSwappedControlsKeepFocus(t *testing.T) {
	d := doc(t, LabsFragment(fixtureLabs(false)))
	seen := map[string]bool{}
	d.Find(".presets a").Each(func(i int, a *goquery.Selection) {
		id, _ := a.Attr("id")
		if id == "" || seen[id] {
			t.Errorf("preset %q has id %q: want a unique one", text(a), id)
		}
		seen[id] = true
		if sw, _ := a.Attr("hx-swap"); sw != "outerHTML show:top" {
			t.Errorf("preset %q hx-swap = %q", text(a), sw)
		}
	})
	if len(seen) != 4 {
		t.Errorf("%d presets, want 4", len(seen))
	}
	again := doc(t, LabsFragment(fixtureLabs(true)))
	for id := range seen {
		if again.Find("#"+id).Length() != 1 {
			t.Errorf("preset %s missing after switching to the matrix: focus would be lost", id)
		}
	}
	if d.Find("#"+LabsID+"-refresh"+tid("refresh")).Length() != 1 {
		t.Error("Refresh has no stable id")
	}
	if doc(t, TimelineFragment(fixtureTimeline())).Find("#filter-submit").Length() != 1 {
		t.Error("the timeline's Filter button has no stable id")
	}
}
