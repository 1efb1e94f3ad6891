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

// TestPrintSaysOlderResultsExist: Camila Lopez's labs are from 2019 and 2023, none in the printed
// year. Her printout said only "No lab results in the last year.", which on paper reads as no labs
// at all (the screen's "Show all" is not printed): it now says older ones are on record, as the
// screen does. A patient with no results at all is told there are none before either.
func TestPrintSaysOlderResultsExist(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	for _, tt := range []struct {
		mrn, section, want string
	}{
		{"203713", "labs-section", "No lab results in the last year. Older lab results are on record."},
		{"400010", "vitals-table-section", "No vital signs recorded in the last year. Older vital signs are on record."},
		{"400002", "labs-section", "No lab results in the last year, and none before."},
		{"400002", "vitals-table-section", "No vital signs recorded in the last year, and none before."},
	} {
		doc := b.get(b.openChart(tt.mrn)+"/print", nil).doc(t)
		sec := doc.Find(`[data-testid="` + tt.section + `"]`)
		sec.Find(`header, nav, a.button`).Remove() // controls are not printed (app.css)
		if got := strings.Join(strings.Fields(sec.Text()), " "); !strings.Contains(got, tt.want) {
			t.Errorf("%s printout, %s: %q, want it to say %q", tt.mrn, tt.section, got, tt.want)
		}
	}
}
