package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/epic/sandbox"
	"github.com/chartside/chartside/present"
)

// The chart's sections as htmx partials: shapes, content, failures, empty years, Load earlier, drill-downs.

func TestChartSectionsShapes(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	b.get(chart, nil)

	// An encounter id and an analyte code from Camila's own chart.
	timeline := b.get(chart+"/encounters", map[string]string{"HX-Request": "true"}).doc(t)
	detailURL, ok := timeline.Find(`[data-testid="encounter-expand"]`).First().Attr("hx-get")
	if !ok {
		t.Fatal("the timeline has no expandable encounter")
	}
	// Camila's captured labs are from 2019 and 2023: outside the default year.
	labs := b.get(chart+"/labs?range=all", map[string]string{"HX-Request": "true"}).doc(t)
	analyteURL, ok := labs.Find(`[data-testid="labs-table"] th a`).First().Attr("hx-get")
	if !ok {
		t.Fatal("the labs table has no analyte link")
	}

	sections := []struct {
		path   string
		testid string // root of the section in both shapes
	}{
		{chart + "/vitals-strip", "vitals-strip"},
		{chart + "/encounters", "timeline"},
		{chart + "/encounters?class=&type=", "timeline"},
		{chart + "/vitals", "vitals-table-section"},
		{chart + "/labs", "labs-section"},
		{chart + "/labs?view=matrix&range=all", "labs-section"},
		{chart + "/social", "social-table-section"},
		{detailURL, "encounter-detail"},
		{analyteURL, "analyte"},
		{chart + "/vitals?refresh=1", "vitals-table-section"},
	}
	for _, sec := range sections {
		for _, shape := range htmxShapes {
			t.Run(strings.TrimPrefix(sec.path, chart)+"/"+shape.name, func(t *testing.T) {
				r := b.get(sec.path, shape.headers)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("status %d\n%s", r.StatusCode, r.body)
				}
				checkPHIHeaders(t, r)
				if r.ContentLength != int64(len(r.body)) { // -1: chunked
					t.Errorf("Content-Length %d for a %d-byte body", r.ContentLength, len(r.body))
				}
				isPage := strings.Contains(r.body, "<html")
				if isPage == shape.fragment {
					t.Fatalf("full page = %v, want %v", isPage, !shape.fragment)
				}
				doc := r.doc(t)
				if doc.Find(`[data-testid="`+sec.testid+`"]`).Length() == 0 {
					t.Errorf("no %s in the response\n%s", sec.testid, r.body)
				}
				if hasBanner := doc.Find(`[data-testid="banner"]`).Length() > 0; hasBanner != !shape.fragment {
					t.Errorf("banner present = %v, want %v", hasBanner, !shape.fragment)
				}
				if doc.Find(`[data-testid="alert-error"]`).Length() > 0 {
					t.Errorf("section shows an error:\n%s", doc.Find(`[data-testid="alert-error"]`).Text())
				}
			})
		}
	}
}

func TestChartSectionContent(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	b.get(chart, nil)
	hx := map[string]string{"HX-Request": "true"}

	strip := b.get(chart+"/vitals-strip", hx).doc(t)
	if strip.Find(`[data-testid="vital-tile"]`).Length() == 0 {
		t.Error("vitals strip has no tiles")
	}
	if n := strip.Find(`[data-testid="vitals-stale"]`); strings.Contains(n.Text(), "No vital signs") {
		t.Errorf("a patient with vital signs this year is told there are none: %q", n.Text())
	}
	if strip.Find(`[data-testid="as-of"]`).Length() != 1 || strip.Find(`[data-testid="refresh"]`).Length() != 1 {
		t.Error("vitals strip lacks its as-of time or Refresh control")
	}
	enc := b.get(chart+"/encounters", hx).doc(t)
	if enc.Find(`[data-testid="encounter"]`).Length() == 0 {
		t.Error("timeline has no encounters")
	}
	more, ok := enc.Find(`[data-testid="load-earlier"] a`).Attr("hx-get")
	if !ok || !strings.Contains(more, "before=") || !strings.Contains(more, "more=1") {
		t.Fatalf("no Load earlier link (got %q)", more)
	}
	// Load earlier answers the next window only (it replaces the button), not a whole section.
	next := b.get(more, hx)
	if next.StatusCode != http.StatusOK || strings.Contains(next.body, `data-testid="timeline"`) ||
		!strings.Contains(next.body, `data-testid="timeline-window"`) {
		t.Errorf("load earlier: status %d, body:\n%s", next.StatusCode, next.body)
	}
	// Without htmx, Load earlier is a page of its own with the full section.
	if page := b.get(more, nil); page.StatusCode != http.StatusOK || !strings.Contains(page.body, `data-testid="timeline"`) {
		t.Errorf("load earlier without htmx: status %d", page.StatusCode)
	}
	if b.get(chart+"/labs", hx).doc(t).Find(`[data-testid="labs-table-empty"]`).Length() != 1 {
		t.Error("labs of the last year: want the empty message (Camila's labs are older)")
	}
	labs := b.get(chart+"/labs?range=all", hx).doc(t)
	if labs.Find(`[data-testid="labs-table"] [data-testid="obs-row"]`).Length() == 0 {
		t.Error("labs table has no rows for Camila (her captures have labs)")
	}
	matrix := b.get(chart+"/labs?view=matrix&range=all", hx).doc(t)
	if matrix.Find(`[data-testid="lab-matrix"]`).Length() != 1 {
		t.Error("labs matrix view not shown")
	}
	for _, bad := range []string{"/labs?view=chart", "/labs?range=2y", "/encounters?before=yesterday", "/analyte", "/analyte?code=a,b"} {
		if r := b.get(chart+bad, hx); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, r.StatusCode)
		}
	}
}

func TestChartSectionFailureIsContained(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	// The next Observation request fails: one of the three prefetches. Refresh each section so each
	// fetches now and exactly one (the first to ask) meets the fault.
	env.sb.Faults().FailNext(sandbox.FHIRBasePath+"/Observation", 1, sandbox.Fault{Kind: sandbox.FaultServerError})
	hx := map[string]string{"HX-Request": "true"}
	r := b.get(chart+"/labs?refresh=1", hx)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("failed section: status %d, want 200 so htmx swaps it in place", r.StatusCode)
	}
	doc := r.doc(t)
	if doc.Find(`[data-testid="labs-section"] [data-testid="alert-error"]`).Length() != 1 {
		t.Errorf("failed section has no error alert\n%s", r.body)
	}
	if retry, _ := doc.Find(`[data-testid="retry"]`).Attr("hx-get"); !strings.HasPrefix(retry, chart+"/labs") {
		t.Errorf("retry hx-get = %q", retry)
	}
	if strings.Contains(r.body, "OperationOutcome") {
		t.Error("the alert quotes Epic's response")
	}
	ok := b.get(chart+"/vitals?refresh=1", hx)
	if ok.doc(t).Find(`[data-testid="alert-error"]`).Length() != 0 {
		t.Error("a healthy section shows an error after another failed")
	}
	var outcomes []string
	for _, rec := range env.auditRecords() {
		outcomes = append(outcomes, rec.Action+"/"+rec.Outcome)
	}
	want := []string{"lookup/shown", "refresh/upstream_error", "refresh/shown"}
	if strings.Join(outcomes, " ") != strings.Join(want, " ") {
		t.Errorf("audit = %v, want %v", outcomes, want)
	}
}

func TestTimelineLoadEarlierOnlyWhenThereIsMore(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	hx := map[string]string{"HX-Request": "true"}
	none := b.openChart("400002") // no encounters at all
	b.get(none, nil)
	doc := b.get(none+"/encounters", hx).doc(t)
	if doc.Find(`[data-testid="load-earlier"]`).Length() != 0 {
		t.Error("Load earlier offered for a patient without encounters")
	}
	if doc.Find(`[data-testid="timeline-empty"]`).Length() != 1 {
		t.Error("no empty message for a patient without encounters")
	}

	// Follow Load earlier through a long history until it stops.
	long := b.openChart("400003")
	b.get(long, nil)
	doc = b.get(long+"/encounters", hx).doc(t)
	seen := doc.Find(`[data-testid="encounter"]`).Length()
	windows := 0
	for {
		next, ok := doc.Find(`[data-testid="load-earlier"] a`).Attr("hx-get")
		if !ok {
			break
		}
		windows++
		if windows > 60 {
			t.Fatal("Load earlier never stops")
		}
		doc = b.get(next, hx).doc(t)
		seen += doc.Find(`[data-testid="encounter"]`).Length()
	}
	if windows < 2 || seen < 100 {
		t.Errorf("long history: %d windows, %d encounters; want several windows and hundreds of encounters", windows, seen)
	}
}

func TestAnalyteAndEncounterDrillDown(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203710")
	b.get(chart, nil)
	hx := map[string]string{"HX-Request": "true"}

	strip := b.get(chart+"/vitals-strip", hx).doc(t)
	link, ok := strip.Find(`[data-testid="vital-tile"] [data-testid="analyte-link"]`).First().Attr("hx-get")
	if !ok {
		t.Fatal("no analyte link in the vitals strip")
	}
	a := b.get(link, hx)
	doc := a.doc(t)
	if id, _ := doc.Find(`[data-testid="analyte"]`).Attr("id"); id != "section-analyte" {
		t.Errorf("analyte fragment id = %q, want section-analyte (the region analyte links target)", id)
	}
	if doc.Find(`[data-testid="analyte"] svg[data-testid="trend-svg"]`).Length() != 1 || doc.Find(`[data-testid="analyte-table"] [data-testid="obs-row"]`).Length() == 0 {
		t.Errorf("analyte fragment lacks its SVG chart or its table\n%s", a.body)
	}
	presets := doc.Find(`[data-testid="analyte-presets"] a`)
	if presets.Length() != 5 {
		t.Errorf("analyte presets = %d, want 5 (1 week, 1 month, 6 months, 1 year, all)", presets.Length())
	}

	enc := b.get(chart+"/encounters", hx).doc(t)
	detail, _ := enc.Find(`[data-testid="encounter-expand"]`).First().Attr("hx-get")
	d := b.get(detail, hx).doc(t)
	if d.Find(`[data-testid="encounter-observations"] [data-testid="obs-row"]`).Length() == 0 {
		t.Error("the encounter's observations are not listed (its vitals reference it)")
	}
	if r := b.get(chart+"/encounters/eNoSuchEncounter123", hx); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown encounter: status %d, want 404", r.StatusCode)
	}

	var got []string
	for _, rec := range env.auditRecords() {
		got = append(got, rec.Action+"/"+rec.Outcome)
	}
	want := "lookup/shown chart_view/shown analyte_view/shown encounter_view/shown"
	if strings.Join(got, " ") != want {
		t.Errorf("audit = %v, want %s", got, want)
	}
}

// TestEncounterDrillDownOutsideThePrefetch opens an encounter from an older window of a long
// record: the link carries the encounter's day (sealed, with its id), so one narrow Encounter
// search finds it instead of a walk through every page of the record.
func TestEncounterDrillDownOutsideThePrefetch(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	hx := map[string]string{"HX-Request": "true"}
	chart := b.openChart("400003")
	b.get(chart, nil)
	first := b.get(chart+"/encounters", hx).doc(t)
	more, _ := first.Find(`[data-testid="load-earlier"] a`).Attr("hx-get")
	older := b.get(more, hx).doc(t)
	detail, ok := older.Find(`[data-testid="encounter-expand"]`).First().Attr("hx-get")
	if !ok || strings.Contains(detail, "?") {
		t.Fatalf("drill-down link %q: want one, with no query", detail)
	}
	before := env.sb.Stats()
	r := b.get(detail, hx)
	if r.StatusCode != http.StatusOK || r.doc(t).Find(`[data-testid="encounter-detail"]`).Length() != 1 {
		t.Fatalf("drill-down: status %d\n%s", r.StatusCode, r.body)
	}
	if got := env.sb.Stats().ByResource["Encounter"] - before.ByResource["Encounter"]; got != 1 {
		t.Errorf("Encounter requests for the drill-down = %d, want 1", got)
	}
	if r := b.get(chart+"/encounters/x?on=soon", hx); r.StatusCode != http.StatusNotFound {
		t.Errorf("an encounter named in the URL: status %d, want 404", r.StatusCode)
	}
}

// TestEncounterDetailsDisclosure: every encounter's Details control, in the timeline fragment and
// in every full page that holds it, is a collapsed disclosure of the slot its details load into
// (app.js turns it into Hide details once they are there).
func TestEncounterDetailsDisclosure(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	for _, shape := range htmxShapes {
		doc := b.get(chart+"/encounters", shape.headers).doc(t)
		controls := doc.Find(`[data-testid="encounter-expand"]`)
		if controls.Length() == 0 {
			t.Fatalf("%s: no Details control", shape.name)
		}
		controls.Each(func(_ int, c *goquery.Selection) {
			expanded, _ := c.Attr("aria-expanded")
			slot, _ := c.Attr("aria-controls")
			target, _ := c.Attr("hx-target")
			if expanded != "false" || slot == "" || target != "#"+slot || doc.Find("#"+slot).Length() != 1 {
				t.Errorf("%s: Details aria-expanded=%q aria-controls=%q hx-target=%q; want a collapsed control of the slot it loads into",
					shape.name, expanded, slot, target)
			}
		})
	}
}

// TestLabsEmptyYearSaysOlderResultsExist: Camila Lopez's labs are from 2019 and 2023. Her labs
// section must not look as if she had none: it says the year is empty, that older results are on
// record, and links to all dates, in the table and the matrix alike. A patient without any labs
// is told there are none before the year either.
func TestLabsEmptyYearSaysOlderResultsExist(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	b.get(chart, nil)
	for _, path := range []string{"/labs", "/labs?view=matrix"} {
		d := b.get(chart+path, hxReq).doc(t)
		empty := d.Find(`[data-testid="labs-table-empty"], [data-testid="lab-matrix-empty"]`)
		if got := strings.TrimSpace(empty.Text()); got != "No lab results in the last year." {
			t.Errorf("%s: empty message = %q", path, got)
		}
		hint := d.Find(`[data-testid="labs-older"]`)
		if got := strings.Join(strings.Fields(hint.Text()), " "); got != "Older lab results are on record. Show all lab results" {
			t.Errorf("%s: older results hint = %q", path, got)
		}
		all, _ := hint.Find("a").Attr("hx-get")
		if !strings.Contains(all, "range=all") || strings.Contains(path, "matrix") != strings.Contains(all, "view=matrix") {
			t.Errorf("%s: Show all links to %q", path, all)
		}
		// The link leads to her results.
		if n := b.get(all, hxReq).doc(t).Find(`[data-testid="obs-row"], [data-testid="matrix-row"]`).Length(); n == 0 {
			t.Errorf("%s: all dates show no results", path)
		}
	}

	none := b.openChart("400002") // no observations at all
	b.get(none, nil)
	d := b.get(none+"/labs", hxReq).doc(t)
	if got := strings.TrimSpace(d.Find(`[data-testid="labs-table-empty"]`).Text()); got != "No lab results in the last year, and none before." {
		t.Errorf("patient without labs: %q", got)
	}
	if d.Find(`[data-testid="labs-older"]`).Length() != 0 {
		t.Error("patient without labs is offered older results")
	}
}

// TestLabsLastWeek: the 1 week preset shows exactly Epic's lab results of the last seven days, in
// the table and by date in the matrix, and says which range it shows.
func TestLabsLastWeek(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	const mrn = longHistoryMRN // labs days ago, and others earlier in the month
	chart := b.openChart(mrn)
	b.get(chart, nil)
	hx := map[string]string{"HX-Request": "true"}
	labs := []string{fhir.CategoryLaboratory}
	week := env.epicTruth(mrn, epic.ObservationQuery{Categories: labs, From: time.Now().AddDate(0, 0, -7)})
	month := env.epicTruth(mrn, epic.ObservationQuery{Categories: labs, From: time.Now().AddDate(0, -1, 0)})
	if len(week) == 0 || len(week) >= len(month) {
		t.Fatalf("patient %s has %d lab results in the last week and %d in the last month: the test needs both, and more in the month", mrn, len(week), len(month))
	}

	doc := b.get(chart+"/labs?range=1w", hx).doc(t)
	got := rowKeys(doc.Find(`[data-testid="labs-table"] [data-testid="obs-row"]`))
	if want := wantKeys(week); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("1 week table rows:\n%s\nwant Epic's results of the last seven days:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if cur := strings.TrimSpace(doc.Find(`[data-testid="labs-ranges"] [aria-current="true"]`).Text()); cur != "1 week" {
		t.Errorf("current range preset = %q, want 1 week", cur)
	}
	if caption := doc.Find(`[data-testid="labs-table"] caption`).Text(); !strings.Contains(caption, "last 1 week") {
		t.Errorf("caption = %q, want it to name the week", caption)
	}

	matrix := b.get(chart+"/labs?view=matrix&range=1w", hx).doc(t)
	want := present.LabMatrix(week, time.UTC, present.Links{})
	var dates []string
	matrix.Find(`[data-testid="matrix-date"]`).Each(func(_ int, d *goquery.Selection) { dates = append(dates, d.Text()) })
	if rows := matrix.Find(`[data-testid="matrix-row"]`).Length(); rows != len(want.Rows) || strings.Join(dates, ",") != strings.Join(want.Dates, ",") {
		t.Errorf("1 week matrix: %d tests on %v, want Epic's week: %d tests on %v", rows, dates, len(want.Rows), want.Dates)
	}
	if cur := strings.TrimSpace(matrix.Find(`[data-testid="labs-ranges"] [aria-current="true"]`).Text()); cur != "1 week" {
		t.Errorf("matrix: current range preset = %q, want 1 week", cur)
	}
}
