package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic/sandbox"
)

// What Epic does on a bad day, one fault at a time, through the whole stack. For each: the section
// that needed Epic shows a specific message (or, where the client can ride the fault out, the data),
// the rest of the chart still renders, nothing the browser receives is a 500 or a stack trace, the
// audit trail says what happened, the request after recovery succeeds, and nothing is left running
// or holding a connection (checked when each test's environment shuts down).

var hxReq = map[string]string{"HX-Request": "true"}

// labsAll is the labs section of Camila's whole record fetched afresh (her captured labs are older
// than the default year, so "all" is the range with rows).
const labsAll = "/labs?range=all&refresh=1"

// stackTraceMarks are what a Go panic, a stack trace or a raw upstream or database error looks
// like. Each is long enough not to turn up by chance in a page's random sealed links: a bare "pgx"
// (three base64url letters) can, and failed one run of TestFaultsInOneSection with no database
// error in sight.
var stackTraceMarks = []string{"goroutine ", "panic", ".go:", "runtime.", "OperationOutcome", "epic: ", "Bearer", "sessions: ",
	"SQLSTATE", "pgconn", "pgxpool", "failed to connect to", "sqlite"}

// checkGraceful fails on a 500 or anything in the body that belongs in a log, not on a screen.
func checkGraceful(t *testing.T, what string, r reply) {
	t.Helper()
	if r.StatusCode == http.StatusInternalServerError {
		t.Errorf("%s: status 500", what)
	}
	for _, m := range stackTraceMarks {
		if strings.Contains(r.body, m) {
			t.Errorf("%s: the page contains %q (internal detail reached the browser)", what, m)
		}
	}
	if strings.Contains(r.body, "Something went wrong") {
		t.Errorf("%s: the generic \"Something went wrong\" message instead of a specific one", what)
	}
}

// alertIn is the text of the error alert inside the element with data-testid id ("" if none).
func alertIn(doc *goquery.Document, id string) string {
	return strings.TrimSpace(doc.Find(`[data-testid="` + id + `"] [data-testid="alert-error"]`).Text())
}

// labRows counts the rows of the labs table.
func labRows(doc *goquery.Document) int {
	return doc.Find(`[data-testid="labs-section"] [data-testid="obs-row"]`).Length()
}

// sectionFault is one Epic fault met by the labs section while the clinician has Camila's chart open.
type sectionFault struct {
	name string
	opt  faultEnvOptions
	arm  func(*faultEnv)
	// disarm ends the fault; nil when it used itself up.
	disarm func(*faultEnv)
	// want is in the text of the labs section's alert; empty when Chartside rides the fault out
	// and shows the data.
	want string
	// encountersAffected: the fault stops every Epic request (not only Observation searches), so
	// while it lasts only the banner, which needs no Epic request, is checked on the chart page.
	encountersAffected bool
	// upstream checks the Epic requests the failing request caused (before: stats before arming).
	upstream func(t *testing.T, before, after sandbox.Stats)
}

func observationRequests(want int64) func(*testing.T, sandbox.Stats, sandbox.Stats) {
	return func(t *testing.T, before, after sandbox.Stats) {
		t.Helper()
		if got := after.ByResource["Observation"] - before.ByResource["Observation"]; got != want {
			t.Errorf("Observation requests = %d, want %d", got, want)
		}
	}
}

func TestFaultsInOneSection(t *testing.T) {
	failNext := func(n int, f sandbox.Fault) func(*faultEnv) {
		return func(env *faultEnv) { env.sb.Faults().FailNext("Observation", n, f) }
	}
	cases := []sectionFault{
		{
			name: "503 burst shorter than the retries",
			arm:  failNext(2, sandbox.Fault{Kind: sandbox.FaultUnavailable}),
			// two 503s, then the data on the third attempt
			upstream: observationRequests(3),
		},
		{
			name:     "429 with a short Retry-After",
			arm:      failNext(1, sandbox.Fault{Kind: sandbox.FaultTooManyRequests, RetryAfter: time.Second}),
			upstream: observationRequests(2),
		},
		{
			name: "429 with a Retry-After too long to wait",
			arm:  failNext(1, sandbox.Fault{Kind: sandbox.FaultTooManyRequests, RetryAfter: 2 * time.Minute}),
			want: "Epic is busy",
			// no retry: the clinician is told at once instead of waiting two minutes
			upstream: observationRequests(1),
		},
		{
			name: "token endpoint down",
			arm: func(env *faultEnv) {
				env.sb.Faults().SetTokenDown(true)
				env.sb.Faults().RevokeAllTokens()
			},
			disarm:             func(env *faultEnv) { env.sb.Faults().SetTokenDown(false) },
			want:               "sign-in service is not answering",
			encountersAffected: true,
		},
		{
			name: "token revoked mid-session",
			arm:  failNext(1, sandbox.Fault{Kind: sandbox.FaultRevoked}),
			// one 401, a new token, the data
			upstream: func(t *testing.T, before, after sandbox.Stats) {
				t.Helper()
				observationRequests(2)(t, before, after)
				if got := after.TokenIssued - before.TokenIssued; got != 1 {
					t.Errorf("tokens issued = %d, want 1 (a fresh token after the 401)", got)
				}
			},
		},
		{
			name: "token revoked again after the refresh",
			arm:  failNext(2, sandbox.Fault{Kind: sandbox.FaultRevoked}),
			want: "Epic refused Chartside's access",
			// one refresh, not a loop
			upstream: observationRequests(2),
		},
		{
			name: "responses slower than the timeout",
			opt:  faultEnvOptions{requestTimeout: 400 * time.Millisecond},
			arm: func(env *faultEnv) {
				env.upstream.slow(isLabSearch, 10*time.Second)
			},
			disarm: func(env *faultEnv) { env.upstream.slow(nil, 0) },
			want:   "Epic took too long to answer",
		},
		{
			name:     "truncated JSON body",
			arm:      failNext(1, sandbox.Fault{Kind: sandbox.FaultTruncated}),
			want:     "Epic sent something Chartside could not read",
			upstream: observationRequests(1),
		},
		{
			name:     "HTML error page instead of FHIR",
			arm:      failNext(1, sandbox.Fault{Kind: sandbox.FaultHTMLError}),
			want:     "Epic could not answer",
			upstream: observationRequests(1),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newFaultEnv(t, tc.opt)
			runSectionFault(t, env, tc)
		})
	}
}

func runSectionFault(t *testing.T, env *faultEnv, tc sectionFault) {
	b := env.signIn()
	chart := b.openChart("203713")
	if r := b.get(chart, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("chart before the fault: status %d", r.StatusCode)
	}
	for _, s := range []string{"/vitals-strip", "/encounters", "/vitals", "/labs", "/social"} {
		if r := b.get(chart+s, hxReq); r.StatusCode != http.StatusOK || strings.Contains(r.body, `data-testid="alert-error"`) {
			t.Fatalf("%s before the fault: status %d\n%s", s, r.StatusCode, r.body)
		}
	}
	skip := env.auditCount()

	before := env.sb.Stats()
	tc.arm(env)
	r := b.get(chart+labsAll, hxReq)
	after := env.sb.Stats()
	checkGraceful(t, "failing section", r)
	if r.StatusCode != http.StatusOK {
		t.Errorf("failing section: status %d, want 200 so htmx swaps it in place", r.StatusCode)
	}
	doc := r.doc(t)
	got := alertIn(doc, "labs-section")
	switch {
	case tc.want == "" && got != "":
		t.Errorf("the section shows %q; want the data (the client rides this fault out)", got)
	case tc.want == "" && labRows(doc) == 0:
		t.Errorf("no lab rows after the fault was ridden out\n%s", r.body)
	case tc.want != "" && !strings.Contains(got, tc.want):
		t.Errorf("section alert = %q, want %q\n%s", got, tc.want, r.body)
	case tc.want != "" && labRows(doc) != 0:
		t.Error("the failed section shows rows")
	case tc.want != "" && doc.Find(`[data-testid="labs-section"] [data-testid="retry"]`).Length() != 1:
		t.Error("the failed section offers no Retry")
	}
	if tc.upstream != nil {
		tc.upstream(t, before, after)
	}

	// While the fault lasts, the rest of the chart still renders.
	page := b.get(chart, nil)
	checkGraceful(t, "chart page during the fault", page)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.doc(t).Find(`[data-testid="banner-name"]`).Text(), "Camila") {
		t.Errorf("chart page during the fault: status %d, no banner\n%s", page.StatusCode, page.body)
	}
	if !tc.encountersAffected {
		enc := b.get(chart+"/encounters", hxReq)
		checkGraceful(t, "encounters during the fault", enc)
		d := enc.doc(t)
		if a := alertIn(d, "timeline"); a != "" || d.Find(`[data-testid="encounter"]`).Length() == 0 {
			t.Errorf("encounters during the fault: alert %q, %d encounters", a, d.Find(`[data-testid="encounter"]`).Length())
		}
	}

	if tc.disarm != nil {
		tc.disarm(env)
	}
	env.waitBreaker()
	again := b.get(chart+labsAll, hxReq)
	checkGraceful(t, "after recovery", again)
	if d := again.doc(t); again.StatusCode != http.StatusOK || alertIn(d, "labs-section") != "" || labRows(d) == 0 {
		t.Errorf("after recovery: status %d, alert %q, %d rows", again.StatusCode, alertIn(d, "labs-section"), labRows(d))
	}

	trail := env.faultTrail(skip)
	wantFirst := "refresh/" + audit.OutcomeUpstreamError + "/labs table all"
	if tc.want == "" {
		wantFirst = "refresh/" + audit.OutcomeShown + "/labs table all"
	}
	wantLast := "refresh/" + audit.OutcomeShown + "/labs table all"
	if len(trail) < 3 || trail[0] != wantFirst || trail[len(trail)-1] != wantLast || !containsString(trail, "chart_view/shown/chart") {
		t.Errorf("audit trail = %q\nwant %q first, the chart view, %q last", trail, wantFirst, wantLast)
	}
	env.verifyAudit()
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestFaultEpicOutage: Epic answers every Observation search with 503 for a while. The first
// section spends the retries, the circuit breaker then opens and the next sections fail at once
// (no request reaches Epic, nobody waits for timeouts); each says so in its own alert; the banner
// and the page still render, and the encounters and patient lookups, which Epic still answers, are
// not paused with the Observation searches; once Epic is back and the breaker has cooled down, the next request
// succeeds.
func TestFaultEpicOutage(t *testing.T) {
	env := newFaultEnv(t, faultEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	b.get(chart, nil)
	skip := env.auditCount()

	env.sb.Faults().FailNext("Observation", 1000, sandbox.Fault{Kind: sandbox.FaultUnavailable})
	outage := []string{"Epic could not answer", "Epic is not responding"}
	for _, s := range []string{labsAll, "/vitals?refresh=1", "/social?refresh=1", "/vitals-strip?refresh=1"} {
		r := b.get(chart+s, hxReq)
		checkGraceful(t, s, r)
		a := alertIn(r.doc(t), strings.SplitN(sectionTestID(s), "?", 2)[0])
		if r.StatusCode != http.StatusOK || (!strings.Contains(a, outage[0]) && !strings.Contains(a, outage[1])) {
			t.Errorf("%s during the outage: status %d, alert %q", s, r.StatusCode, a)
		}
	}
	// The breaker is open now: a section fails without asking Epic.
	before := env.sb.Stats()
	r := b.get(chart+"/vitals?refresh=1", hxReq)
	if a := alertIn(r.doc(t), "vitals-table-section"); !strings.Contains(a, outage[1]) {
		t.Errorf("with the breaker open: alert %q, want %q", a, outage[1])
	}
	if got := env.sb.Stats().FHIRRequests - before.FHIRRequests; got != 0 {
		t.Errorf("with the breaker open, %d requests still reached Epic", got)
	}
	// Only Observation requests are paused: the encounters and another patient's lookup still reach
	// Epic and are shown (with one breaker for every Epic call, both were "Epic is not responding").
	before = env.sb.Stats()
	enc := b.get(chart+"/encounters?refresh=1", hxReq)
	checkGraceful(t, "encounters during the outage", enc)
	if d := enc.doc(t); alertIn(d, "timeline") != "" || d.Find(`[data-testid="encounter"]`).Length() == 0 {
		t.Errorf("encounters during the Observation outage: alert %q, %d encounters", alertIn(d, "timeline"), d.Find(`[data-testid="encounter"]`).Length())
	}
	if r := b.lookup("203711"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/chart/") {
		checkGraceful(t, "lookup during the outage", r)
		t.Errorf("lookup of another patient during the Observation outage: status %d, want 303 to the chart\n%s", r.StatusCode, r.body)
	}
	after := env.sb.Stats()
	if after.ByResource["Encounter"] == before.ByResource["Encounter"] || after.ByResource["Patient"] == before.ByResource["Patient"] {
		t.Errorf("during the Observation outage no Encounter or Patient request reached Epic (Encounter %d, Patient %d)",
			after.ByResource["Encounter"]-before.ByResource["Encounter"], after.ByResource["Patient"]-before.ByResource["Patient"])
	}
	page := b.get(chart, nil)
	checkGraceful(t, "chart page during the outage", page)
	if page.StatusCode != http.StatusOK || page.doc(t).Find(`[data-testid="banner"]`).Length() != 1 {
		t.Errorf("chart page during the outage: status %d", page.StatusCode)
	}

	env.sb.Faults().Reset()
	env.waitBreaker()
	again := b.get(chart+labsAll, hxReq)
	if d := again.doc(t); alertIn(d, "labs-section") != "" || labRows(d) == 0 {
		t.Errorf("after Epic recovered: alert %q, %d rows", alertIn(d, "labs-section"), labRows(d))
	}
	trail := env.faultTrail(skip)
	upstreamErrors := 0
	for _, e := range trail {
		if strings.HasPrefix(e, "refresh/"+audit.OutcomeUpstreamError+"/") {
			upstreamErrors++
		}
	}
	if upstreamErrors != 5 || trail[len(trail)-1] != "refresh/shown/labs table all" {
		t.Errorf("audit trail = %q, want 5 refresh/upstream_error and a final refresh/shown", trail)
	}
	env.verifyAudit()
}

// sectionTestID maps a section path to the data-testid of its root.
func sectionTestID(path string) string {
	switch {
	case strings.HasPrefix(path, "/labs"):
		return "labs-section"
	case strings.HasPrefix(path, "/vitals-strip"):
		return "vitals-strip"
	case strings.HasPrefix(path, "/vitals"):
		return "vitals-table-section"
	case strings.HasPrefix(path, "/social"):
		return "social-table-section"
	case strings.HasPrefix(path, "/encounters"):
		return "timeline"
	}
	return path
}

// TestFaultPagingSessionExpired drives the long-history patient's whole lab record, which Epic
// returns over several pages, while Epic's paging session expires between two pages (4113, "Session
// ID for cached search results has expired"). Epic's advice is to search again: once is ridden
// out with the complete data; a session that keeps expiring ends in the section's message.
func TestFaultPagingSessionExpired(t *testing.T) {
	env := newFaultEnv(t, faultEnvOptions{})
	b := env.signIn()
	chart := b.openChart("400003")
	b.get(chart, nil)

	before := env.sb.Stats()
	full := b.get(chart+labsAll, hxReq)
	pages := env.sb.Stats().ByResource["Observation"] - before.ByResource["Observation"]
	rows := labRows(full.doc(t))
	if pages < 2 || rows == 0 {
		t.Fatalf("the long-history labs took %d Observation requests (%d rows); the test needs several pages", pages, rows)
	}
	skip := env.auditCount()

	// Expires once: the search runs again from the start and the section is complete.
	env.upstream.expirePages.Store(1)
	r := b.get(chart+labsAll, hxReq)
	checkGraceful(t, "expired once", r)
	if d := r.doc(t); alertIn(d, "labs-section") != "" || labRows(d) != rows {
		t.Errorf("paging session expired once: alert %q, %d rows, want the %d rows of the full record", alertIn(d, "labs-section"), labRows(d), rows)
	}
	if env.upstream.expired.Load() != 1 {
		t.Fatalf("next links answered after expiry = %d, want 1 (the test did not expire a session)", env.upstream.expired.Load())
	}

	// Keeps expiring: a clear message, not a partial list.
	env.upstream.expirePages.Store(-1)
	r = b.get(chart+labsAll, hxReq)
	checkGraceful(t, "expires every time", r)
	d := r.doc(t)
	if a := alertIn(d, "labs-section"); !strings.Contains(a, "Epic") || labRows(d) != 0 {
		t.Errorf("paging session always expired: alert %q, %d rows (want a message and no partial list)", a, labRows(d))
	}

	env.upstream.expirePages.Store(0)
	again := b.get(chart+labsAll, hxReq)
	if d := again.doc(t); alertIn(d, "labs-section") != "" || labRows(d) != rows {
		t.Errorf("after recovery: alert %q, %d rows, want %d", alertIn(d, "labs-section"), labRows(d), rows)
	}
	want := []string{"refresh/shown/labs table all", "refresh/upstream_error/labs table all", "refresh/shown/labs table all"}
	if got := env.faultTrail(skip); strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("audit trail = %q, want %q", got, want)
	}
	env.verifyAudit()
}
