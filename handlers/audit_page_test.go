package handlers_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/handlers"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/static"
)

// auditEnv is the whole echo stack with sessions and the audit trail on a
// real SQLite database, serving the admin audit page over real HTTP. Every
// log line the server and the session manager write is kept in logs.
type auditEnv struct {
	t     *testing.T
	app   *httptest.Server
	trail *audit.Log
	logs  *logBuffer
}

// refusingTrail is the real trail whose appends fail, as when the audit
// table cannot be written; reads still work.
type refusingTrail struct{ *audit.Log }

func (refusingTrail) Record(context.Context, audit.Entry) error { return io.ErrUnexpectedEOF }

func newAuditEnv(t *testing.T, refuseAppends bool) *auditEnv {
	t.Helper()
	database := dbtest.New(t, db.SQLite)
	trail := audit.New(database, nil)
	logs := &logBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	mgr := sessions.New(sessions.NewSQLStore(database), sessions.Options{Logger: logger})
	var auditor handlers.Auditor = trail
	if refuseAppends {
		auditor = refusingTrail{trail}
	}
	srv := handlers.NewServer(handlers.Deps{
		Logger:   logger,
		Static:   static.FS(),
		Sessions: mgr,
		Audit:    auditor,
		Settings: handlers.Settings{Location: time.UTC},
	})
	e := srv.Routes()
	// Tests sign in through the session manager directly, as any role.
	e.GET("/__test/signin-as", func(c echo.Context) error {
		return mgr.SignIn(c.Request().Context(), 9, c.QueryParam("user"), c.QueryParam("role"))
	}, mgr.Middleware())
	app := httptest.NewServer(e)
	t.Cleanup(app.Close)
	return &auditEnv{t: t, app: app, trail: trail, logs: logs}
}

// seed records n chart views, one an hour from 2026-02-01 00:00 UTC,
// alternating alice and bob, patients p0..p4; every tenth is a lookup whose
// MRN is a spreadsheet formula.
func (env *auditEnv) seed(n int) {
	env.t.Helper()
	for i := 0; i < n; i++ {
		e := audit.Entry{
			Time:     time.Date(2026, 2, 1, i, 0, 0, 0, time.UTC),
			Username: []string{"alice", "bob"}[i%2], Action: audit.ActionChartView,
			PatientID: fmt.Sprintf("p%d", i%5), Outcome: audit.OutcomeShown, ClientAddr: "10.0.0.9",
		}
		if i%10 == 0 {
			e.Action, e.MRN, e.Outcome = audit.ActionLookup, `=HYPERLINK("http://evil.example")`, audit.OutcomeNotFound
		}
		if err := env.trail.Record(context.Background(), e); err != nil {
			env.t.Fatal(err)
		}
	}
}

// seedPatient records n chart views of one patient by carol, one a minute
// from 2026-03-01 00:00 UTC, each with the MRN the chart was opened with and
// a request id and detail as long as real ones.
func (env *auditEnv) seedPatient(n int, patientID, mrn string) {
	env.t.Helper()
	for i := 0; i < n; i++ {
		e := audit.Entry{
			Time:     time.Date(2026, 3, 1, 0, i, 0, 0, time.UTC),
			Username: "carol", Action: audit.ActionChartView, PatientID: patientID, MRN: mrn,
			Outcome: audit.OutcomeShown, ClientAddr: "2001:db8:85a3::8a2e:370:7334", RequestID: fmt.Sprintf("4f1c2b9e8d7a6f5e4d3c%04x", i),
			Detail: "encounters from the timeline window since Nov 23, 2025, class AMB",
		}
		if err := env.trail.Record(context.Background(), e); err != nil {
			env.t.Fatal(err)
		}
	}
}

// as returns an HTTP client signed in as user with role ("" = signed out).
func (env *auditEnv) as(user, role string) *http.Client {
	env.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if user != "" {
		resp, err := c.Get(env.app.URL + "/__test/signin-as?user=" + user + "&role=" + role)
		if err != nil {
			env.t.Fatal(err)
		}
		resp.Body.Close()
	}
	return c
}

type auditReply struct {
	status int
	header http.Header
	body   string
}

func (env *auditEnv) get(c *http.Client, path string, hx bool) auditReply {
	env.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.app.URL+path, nil)
	return env.send(c, req, hx)
}

// post sends a form as a browser would (the form body, nothing in the URL).
func (env *auditEnv) post(c *http.Client, path string, form url.Values, hx bool) auditReply {
	env.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return env.send(c, req, hx)
}

// send sends req, as htmx does when hx, and reads the whole answer.
func (env *auditEnv) send(c *http.Client, req *http.Request, hx bool) auditReply {
	env.t.Helper()
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := c.Do(req)
	if err != nil {
		env.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return auditReply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// filterURLPattern is the only shape a filtered audit page's address may take.
var filterURLPattern = regexp.MustCompile(`^/admin/audit\?f=[A-Za-z0-9_-]{22}$`)

// applyFilter submits the audit page's filter form as the signed-in admin
// c (with the CSRF token its page carries) and returns where the server sent
// the browser: /admin/audit?f=<handle>.
func (env *auditEnv) applyFilter(c *http.Client, filter url.Values) string {
	env.t.Helper()
	r := env.post(c, "/admin/audit", withCSRF(env.t, env.get(c, "/admin/audit", false), filter), false)
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !filterURLPattern.MatchString(loc) {
		env.t.Fatalf("apply filter: status %d, Location %q; want 303 to /admin/audit?f=<handle>\n%.500s", r.status, loc, r.body)
	}
	return loc
}

// withCSRF returns a copy of form with the CSRF token of the page r.
func withCSRF(t *testing.T, r auditReply, form url.Values) url.Values {
	t.Helper()
	tok, ok := r.doc(t).Find(`input[name="csrf_token"]`).First().Attr("value")
	if !ok || tok == "" {
		t.Fatalf("no CSRF token on the page (status %d)", r.status)
	}
	out := url.Values{"csrf_token": {tok}}
	for k, v := range form {
		out[k] = v
	}
	return out
}

func (r auditReply) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rows lists the table's rows as "seq:username:action:patient".
func rows(d *goquery.Document) []string {
	var out []string
	d.Find(`[data-testid="audit-row"]`).Each(func(_ int, s *goquery.Selection) {
		seq, _ := s.Attr("data-seq")
		out = append(out, seq+":"+s.Find(`[data-testid="audit-username"]`).Text()+":"+
			s.Find(`[data-testid="audit-action"]`).Text()+":"+s.Find(`[data-testid="audit-patient"]`).Text())
	})
	return out
}

func TestAuditPagePagingAndFragments(t *testing.T) {
	env := newAuditEnv(t, false)
	env.seed(60)
	admin := env.as("root", "admin")

	page := env.get(admin, "/admin/audit", false)
	if page.status != http.StatusOK {
		t.Fatalf("status %d: %s", page.status, page.body)
	}
	d := page.doc(t)
	if d.Find("html").Length() != 1 || d.Find(`[data-testid="audit-filters"]`).Length() != 1 {
		t.Error("plain GET did not get the whole page with the filter form")
	}
	got := rows(d)
	// The page's own view is recorded (seq 61) before the records are read.
	if len(got) != 50 || got[0] != "61:root:audit_view:" || got[1] != "60:bob:chart_view:p4" || got[49] != "12:bob:chart_view:p1" {
		t.Fatalf("first page: %d rows, first %q, last %q", len(got), got[:2], got[len(got)-1])
	}
	older, ok := d.Find(`[data-testid="audit-older"]`).Attr("href")
	if !ok || d.Find(`[data-testid="audit-newest"]`).Length() != 0 {
		t.Fatalf("first page pager: older %q (present %v), newest shown %v", older, ok, d.Find(`[data-testid="audit-newest"]`).Length())
	}
	if vary := strings.Join(page.header.Values("Vary"), ", "); !strings.Contains(vary, "HX-Request") {
		t.Errorf("Vary = %q, want HX-Request among them", vary)
	}

	// htmx follows the pager: a fragment only, continuing below seq 12.
	frag := env.get(admin, older, true)
	fd := frag.doc(t)
	if frag.status != http.StatusOK || strings.Contains(frag.body, "<html") || fd.Find("#"+"audit-results").Length() != 1 {
		t.Fatalf("older page with HX-Request: status %d, want the results fragment only:\n%s", frag.status, frag.body)
	}
	got = rows(fd)
	if len(got) != 11 || got[0] != "11:alice:lookup:p0" || got[10] != "1:alice:lookup:p0" {
		t.Errorf("older page rows: %q", got)
	}
	if fd.Find(`[data-testid="audit-older"]`).Length() != 0 || fd.Find(`[data-testid="audit-newest"]`).Length() != 1 {
		t.Error("last page: want only the Newest link")
	}
	// Boosted navigation and history restores get the whole page.
	for _, h := range []string{"HX-Boosted", "HX-History-Restore-Request"} {
		req, _ := http.NewRequest(http.MethodGet, env.app.URL+older, nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set(h, "true")
		resp, err := admin.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "<html") {
			t.Errorf("%s: want the whole page", h)
		}
	}
}

func TestAuditPageFilters(t *testing.T) {
	env := newAuditEnv(t, false)
	env.seed(30)
	admin := env.as("root", "admin")
	tests := []struct {
		name   string
		filter url.Values
		want   []string
	}{
		{"staff and patient", url.Values{"username": {"ALICE"}, "patient": {"p0"}}, nil},
		{"action", url.Values{"action": {"lookup"}}, nil},
		{"date range is whole days in the clinic zone", url.Values{"username": {"bob"}, "from": {"2026-02-01"}, "to": {"2026-02-01"}}, nil},
	}
	// Record n is hour n-1 of 1 Feb (n <= 24) or of 2 Feb; p0 records are
	// 1, 6, 11, …; alice has the odd ones; every tenth from 1 is a lookup.
	tests[0].want = []string{"21:alice:lookup:p0", "11:alice:lookup:p0", "1:alice:lookup:p0"}
	tests[1].want = []string{"21:alice:lookup:p0", "11:alice:lookup:p0", "1:alice:lookup:p0"}
	tests[2].want = []string{"24:bob:chart_view:p3", "22:bob:chart_view:p1", "20:bob:chart_view:p4", "18:bob:chart_view:p2",
		"16:bob:chart_view:p0", "14:bob:chart_view:p3", "12:bob:chart_view:p1", "10:bob:chart_view:p4", "8:bob:chart_view:p2",
		"6:bob:chart_view:p0", "4:bob:chart_view:p3", "2:bob:chart_view:p1"}
	for _, tt := range tests {
		r := env.get(admin, env.applyFilter(admin, tt.filter), true)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d", tt.name, r.status)
		}
		if got := rows(r.doc(t)); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: rows\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}

	r := env.post(admin, "/admin/audit", withCSRF(t, env.get(admin, "/admin/audit", false),
		url.Values{"from": {"01/02/2026"}, "action": {"peek"}}), false)
	d := r.doc(t)
	if r.status != http.StatusUnprocessableEntity || d.Find(`[data-testid="audit-error-from"]`).Length() != 1 ||
		d.Find(`[data-testid="audit-error-action"]`).Length() != 1 || len(rows(d)) != 0 {
		t.Errorf("invalid filters: status %d, want 422 with both field errors and no rows", r.status)
	}

	// Every view was itself recorded, with the filter used. (The unfiltered
	// pages fetched for their CSRF tokens say "all records".)
	all, err := env.trail.Query(context.Background(), audit.Filter{Action: audit.ActionAuditView})
	if err != nil {
		t.Fatal(err)
	}
	var views []audit.Record
	for _, r := range all {
		if r.Detail != "all records" {
			views = append(views, r)
		}
	}
	if len(views) != 3 || views[2].Username != "root" || views[2].PatientID != "p0" || !strings.Contains(views[2].Detail, "username=alice") {
		t.Errorf("audit_view records: %+v", views)
	}
}

func TestAuditExportDownload(t *testing.T) {
	env := newAuditEnv(t, false)
	env.seed(30)
	admin := env.as("root", "admin")

	filtered := env.applyFilter(admin, url.Values{"action": {"lookup"}})
	page := env.get(admin, filtered, false)
	link, ok := page.doc(t).Find(`[data-testid="audit-export"]`).Attr("href")
	if !ok || link != "/admin/audit/export?"+strings.TrimPrefix(filtered, "/admin/audit?") {
		t.Fatalf("export link %q does not carry the filter's handle (page %s)", link, filtered)
	}
	r := env.get(admin, link, false)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: status %d, headers %v", r.status, r.header)
	}
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 { // header + lookups 1, 11, 21, oldest first
		t.Fatalf("CSV rows = %d, want 4:\n%s", len(recs), r.body)
	}
	if recs[1][0] != "1" || recs[1][5] != `'=HYPERLINK("http://evil.example")` {
		t.Errorf("first CSV row = %q, want seq 1 with the MRN formula neutralised", recs[1])
	}
	exports, err := env.trail.Query(context.Background(), audit.Filter{Action: audit.ActionAuditExport})
	if err != nil || len(exports) != 1 || exports[0].Outcome != audit.OutcomeOK {
		t.Errorf("export records = %+v, %v; want one ok", exports, err)
	}
	if r := env.get(admin, "/admin/audit/export?format=xlsx", false); r.status != http.StatusBadRequest {
		t.Errorf("unknown format: status %d, want 400", r.status)
	}
}

func TestAuditPageAdminsOnly(t *testing.T) {
	env := newAuditEnv(t, false)
	env.seed(3)
	tests := []struct {
		name, user, role string
		want             int
	}{
		{"signed out", "", "", http.StatusSeeOther}, // to the sign-in page
		{"clinician", "nurse", "clinician", http.StatusForbidden},
	}
	for _, tt := range tests {
		c := env.as(tt.user, tt.role)
		for _, path := range []string{"/admin/audit", "/admin/audit/export"} {
			r := env.get(c, path, false)
			// The seeded rows' client address, not a patient id: "p1" turned up in a random token
			// of a refusal page once.
			if r.status != tt.want || strings.Contains(r.body, "10.0.0.9") || strings.Contains(r.body, "HYPERLINK") {
				t.Errorf("%s %s: status %d (want %d) or audit data leaked", tt.name, path, r.status, tt.want)
			}
			// Reloading will not help a clinician here: the page says whom it is for.
			if tt.want == http.StatusForbidden && !strings.Contains(r.body, "Chartside administrators only") {
				t.Errorf("%s %s: the refusal does not say the page is for administrators:\n%s", tt.name, path, r.body)
			}
		}
		// The filter form, posted with the session's own CSRF token (the signed-in refusal page
		// carries it in its Sign out form), is refused the same way.
		form := url.Values{"mrn": {"203713"}}
		if tt.user != "" {
			form = withCSRF(t, env.get(c, "/admin/audit", false), form)
		}
		r := env.post(c, "/admin/audit", form, false)
		if r.status != tt.want || r.header.Get("Location") != "" && !strings.HasPrefix(r.header.Get("Location"), "/signin") ||
			strings.Contains(r.body, "10.0.0.9") {
			t.Errorf("%s POST /admin/audit: status %d to %q (want %d) or audit data leaked", tt.name, r.status, r.header.Get("Location"), tt.want)
		}
		if tt.want == http.StatusForbidden && !strings.Contains(r.body, "Chartside administrators only") {
			t.Errorf("%s POST /admin/audit: the refusal does not say the page is for administrators", tt.name)
		}
	}
	if recs, err := env.trail.Query(context.Background(), audit.Filter{}); err != nil || len(recs) != 3 {
		t.Errorf("records after refused requests: %d, %v; want only the 3 seeded", len(recs), err)
	}
}

// Fail closed: when the view cannot be recorded, no record is shown.
func TestAuditPageFailsClosed(t *testing.T) {
	env := newAuditEnv(t, true)
	env.seed(5)
	admin := env.as("root", "admin")
	for _, path := range []string{"/admin/audit", "/admin/audit/export"} {
		r := env.get(admin, path, false)
		if r.status < 500 || strings.Contains(r.body, "HYPERLINK") || strings.Contains(r.body, `data-testid="audit-row"`) {
			t.Errorf("%s with audit appends failing: status %d, want 5xx without records", path, r.status)
		}
	}
}
