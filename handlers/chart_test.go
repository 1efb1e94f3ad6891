package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic/sandbox"
)

// htmxShapes are the request shapes every partial must answer: a fragment only for a plain htmx
// request, the full page otherwise (first visit, boosted navigation, history restore).
var htmxShapes = []struct {
	name     string
	headers  map[string]string
	fragment bool
}{
	{name: "plain", headers: nil, fragment: false},
	{name: "HX-Request", headers: map[string]string{"HX-Request": "true"}, fragment: true},
	{name: "HX-Boosted", headers: map[string]string{"HX-Request": "true", "HX-Boosted": "true"}, fragment: false},
	{name: "HX-History-Restore-Request", headers: map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"}, fragment: false},
}

func checkPHIHeaders(t *testing.T, r reply) {
	t.Helper()
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "HX-Request") {
		t.Errorf("Vary = %q, want HX-Request in it", r.Header.Values("Vary"))
	}
}

func TestChartPage(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	r := b.get(chart, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("chart: status %d\n%s", r.StatusCode, r.body)
	}
	checkPHIHeaders(t, r)
	doc := r.doc(t)
	if got := doc.Find(`[data-testid="banner-name"]`).Text(); !strings.Contains(got, "Camila") || !strings.Contains(got, "Lopez") {
		t.Errorf("banner name = %q, want Camila Lopez", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="banner-mrn"]`).Text()); got != "203713" {
		t.Errorf("banner MRN = %q, want 203713", got)
	}
	if strings.Contains(doc.Find("title").Text(), "Lopez") {
		t.Error("the page title names the patient (titles are kept in browser history)")
	}
	if v, _ := doc.Find("body").Attr("hx-history"); v != "false" {
		t.Errorf("body hx-history = %q, want false on a page with patient data", v)
	}
	if strings.Contains(chart, "203713") || strings.Contains(chart, "erXuFYUfucBZaryVksYEcMg3") {
		t.Errorf("chart URL %q carries the MRN or the FHIR id", chart)
	}
	wantSlots := []string{"/vitals-strip", "/encounters", "/vitals", "/labs", "/social"}
	slots := doc.Find(`[hx-trigger="load"]`)
	if slots.Length() != len(wantSlots) {
		t.Fatalf("section placeholders = %d, want %d", slots.Length(), len(wantSlots))
	}
	for i, want := range wantSlots {
		got, _ := slots.Eq(i).Attr("hx-get")
		if got != chart+want {
			t.Errorf("placeholder %d hx-get = %q, want %q", i, got, chart+want)
		}
		if slots.Eq(i).Find("noscript").Length() != 1 {
			t.Errorf("placeholder %d has no <noscript> link", i)
		}
	}
	recs := env.auditRecords()
	if len(recs) != 2 || recs[1].Action != audit.ActionChartView || recs[1].Outcome != audit.OutcomeShown ||
		recs[1].PatientID != "erXuFYUfucBZaryVksYEcMg3" || recs[1].MRN != "203713" {
		t.Errorf("audit = %+v, want lookup then chart_view/shown of Camila", recs)
	}
}

// TestChartUpstreamRequests checks the chart's cost in Epic requests: the lookup's Patient search
// serves the banner (no Patient read), the sections' searches start with the chart page and run in
// parallel (one per section, never one per encounter), and the partials use those results.
func TestChartUpstreamRequests(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	before := env.sb.Stats()
	b.get(chart, nil)
	var wg sync.WaitGroup
	for _, s := range []string{"/vitals-strip", "/encounters", "/vitals", "/labs", "/social"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := b.get(chart+s, map[string]string{"HX-Request": "true"})
			if r.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d", s, r.StatusCode)
			}
		}()
	}
	wg.Wait()
	after := env.sb.Stats()
	diff := func(res string) int64 { return after.ByResource[res] - before.ByResource[res] }
	if got := diff("Patient"); got != 0 {
		t.Errorf("Patient requests for the chart = %d, want 0 (the lookup found the patient)", got)
	}
	if got := diff("Encounter"); got != 2 {
		t.Errorf("Encounter requests = %d, want 2 (the window, and the probe for older ones, in parallel)", got)
	}
	// Camila's labs are all older than a year: the empty labs year asks Epic for one older result
	// (TestLabsEmptyYearSaysOlderResultsExist); a chart with labs in the year makes 3.
	if got := diff("Observation"); got != 4 {
		t.Errorf("Observation requests = %d, want 4 (vitals, labs, social history, older-labs probe)", got)
	}
	if got := after.TokenRequests - before.TokenRequests; got != 0 {
		t.Errorf("token requests for the chart = %d, want 0 (the token from the lookup is still valid)", got)
	}
	// The sections' default loads are covered by the chart view record: no extra entries.
	recs := env.auditRecords()
	if len(recs) != 2 {
		t.Errorf("audit records = %d, want 2 (lookup, chart view): %+v", len(recs), recs)
	}
}

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

func TestChartHandles(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	alice := env.signIn()
	chart := alice.openChart("203713")
	bob := env.signIn()
	for _, path := range []string{chart, chart + "/vitals", chart + "/print", "/chart/AAAAAAAAAAAAAAAAAAAAAA", "/chart/not-a-handle/labs"} {
		r := bob.get(path, nil)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("another session's %s: status %d, want 404", path, r.StatusCode)
		}
		if strings.Contains(r.body, "Camila") {
			t.Errorf("another session's %s shows the patient", path)
		}
	}
	// Looking the same patient up again keeps the handle, so open tabs keep working.
	if again := alice.openChart("203713"); again != chart {
		t.Errorf("second lookup handle %q, want the same %q", again, chart)
	}
	// Signed out: no chart at all.
	anon := &browser{env: env, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if r := anon.get(chart, nil); r.StatusCode == http.StatusOK {
		t.Errorf("signed-out chart request: status 200")
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

func TestChartPatientReadFailure(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	// Choosing among several matches keeps only the id, so the chart reads the patient.
	doc := b.lookup("400004").doc(t)
	choice, _ := doc.Find(`[data-testid="lookup-match"] input[name="patient"]`).First().Attr("value")
	loc := b.post("/lookup/choose", url.Values{"patient": {choice}}, nil).Header.Get("Location")
	env.sb.Faults().FailNext(sandbox.FHIRBasePath+"/Patient", 1, sandbox.Fault{Kind: sandbox.FaultHTMLError})
	r := b.get(loc, nil)
	if r.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", r.StatusCode)
	}
	if !strings.Contains(r.doc(t).Find(`[data-testid="error-page"] h1`).Text(), "Epic") {
		t.Errorf("page does not explain the failure:\n%s", r.body)
	}
	recs := env.auditRecords()
	if last := recs[len(recs)-1]; last.Action != audit.ActionChartView || last.Outcome != audit.OutcomeUpstreamError {
		t.Errorf("last audit = %+v, want chart_view/upstream_error", last.Entry)
	}
}

// failAfter records the first n entries and then fails, like an audit database that goes away
// mid-session.
type failAfter struct {
	mu    sync.Mutex
	n     int
	inner *audit.Log
}

func (f *failAfter) Record(ctx context.Context, e audit.Entry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n <= 0 {
		return context.DeadlineExceeded
	}
	f.n--
	return f.inner.Record(ctx, e)
}

func TestChartAuditFailureShowsNoPHI(t *testing.T) {
	fa := &failAfter{n: 1}
	env := newChartEnv(t, chartEnvOptions{auditor: fa})
	fa.inner = env.audit
	b := env.signIn()
	chart := b.openChart("203713") // the lookup is recorded; everything after fails
	for _, path := range []string{"", "/print", "/vitals", "/labs?range=all", "/vitals-strip?refresh=1", "/analyte?code=" + url.QueryEscape("http://loinc.org|718-7")} {
		for _, shape := range htmxShapes {
			r := b.get(chart+path, shape.headers)
			if r.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("%s (%s): status %d, want 503", path, shape.name, r.StatusCode)
			}
			if strings.Contains(r.body, "Camila") || strings.Contains(r.body, "203713") || strings.Contains(r.body, `data-testid="obs-row"`) {
				t.Errorf("%s (%s): patient data shown although the access was not audited", path, shape.name)
			}
			if !strings.Contains(r.body, "audit trail") {
				t.Errorf("%s (%s): the response does not say why nothing is shown", path, shape.name)
			}
		}
	}
}

func TestChartHTMLLikeNameIsText(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("400007")
	for _, path := range []string{chart, chart + "/print", chart + "/vitals"} {
		r := b.get(path, nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, r.StatusCode)
		}
		doc := r.doc(t)
		name := doc.Find(`[data-testid="banner-name"]`).Text()
		if !strings.Contains(name, "<script>alert(1)</script>") || !strings.Contains(name, `"><img src=x`) {
			t.Errorf("%s: banner name = %q, want the markup shown as text", path, name)
		}
		if doc.Find("img").Length() != 0 {
			t.Errorf("%s: an <img> element was injected", path)
		}
		for _, s := range doc.Find("script").Nodes {
			if s.FirstChild != nil && strings.Contains(s.FirstChild.Data, "alert") {
				t.Errorf("%s: a script element with the patient's name was injected", path)
			}
		}
	}
}

func TestChartPrintAndRefreshAudit(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	r := b.get(chart+"/print", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("print: status %d", r.StatusCode)
	}
	checkPHIHeaders(t, r)
	doc := r.doc(t)
	for _, id := range []string{"banner", "vitals-strip", "timeline", "vitals-table-section", "labs-section", "social-table-section"} {
		if doc.Find(`[data-testid="`+id+`"]`).Length() == 0 {
			t.Errorf("print page lacks %s", id)
		}
	}
	if got := doc.Find(`[data-testid="print-footer"]`).Text(); !strings.Contains(got, "Printed by "+chartTestUser) {
		t.Errorf("print footer = %q", got)
	}
	b.get(chart+"/social?refresh=1", map[string]string{"HX-Request": "true"})
	b.get(chart+"/social", nil) // a section on its own page is a new view with the banner
	var got []string
	for _, rec := range env.auditRecords() {
		got = append(got, rec.Action+"/"+rec.Outcome+"/"+rec.Detail)
	}
	want := []string{"lookup/shown/", "print/shown/complete chart", "refresh/shown/social history", "chart_view/shown/social history"}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("audit =\n%v\nwant\n%v", got, want)
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
	if doc.Find(`[data-testid="analyte"] svg`).Length() != 1 || doc.Find(`[data-testid="analyte-table"] [data-testid="obs-row"]`).Length() == 0 {
		t.Errorf("analyte fragment lacks its SVG chart or its table\n%s", a.body)
	}
	presets := doc.Find(`[data-testid="analyte-presets"] a`)
	if presets.Length() != 4 {
		t.Errorf("analyte presets = %d, want 4 (1 month, 6 months, 1 year, all)", presets.Length())
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
// record: the link carries the encounter's day, so one narrow Encounter search finds it instead of
// a walk through every page of the record.
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
	if !ok || !strings.Contains(detail, "?on=") {
		t.Fatalf("drill-down link %q carries no day", detail)
	}
	before := env.sb.Stats()
	r := b.get(detail, hx)
	if r.StatusCode != http.StatusOK || r.doc(t).Find(`[data-testid="encounter-detail"]`).Length() != 1 {
		t.Fatalf("drill-down: status %d\n%s", r.StatusCode, r.body)
	}
	if got := env.sb.Stats().ByResource["Encounter"] - before.ByResource["Encounter"]; got != 1 {
		t.Errorf("Encounter requests for the drill-down = %d, want 1", got)
	}
	if r := b.get(chart+"/encounters/x?on=soon", hx); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad day: status %d, want 400", r.StatusCode)
	}
}
