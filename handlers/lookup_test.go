package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic/sandbox"
)

func TestLookupPage(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	r := b.get("/", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /: status %d", r.StatusCode)
	}
	doc := r.doc(t)
	in := doc.Find(`[data-testid="mrn-input"]`)
	if in.Length() != 1 {
		t.Fatalf("want one MRN input, got %d", in.Length())
	}
	if _, ok := in.Attr("autofocus"); !ok {
		t.Error("MRN input is not autofocused")
	}
	id, _ := in.Attr("id")
	if got := strings.TrimSpace(doc.Find(`label[for="` + id + `"]`).Text()); got != "MRN" {
		t.Errorf("label = %q, want MRN", got)
	}
	if m, _ := doc.Find(`[data-testid="lookup-form"]`).Attr("method"); m != "post" {
		t.Errorf("form method = %q, want post (the MRN must not go into a URL)", m)
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
}

func TestLookupPost(t *testing.T) {
	tests := []struct {
		name        string
		mrn         string
		wantStatus  int
		wantTestID  string // element that must be present
		wantText    string // text it must contain
		wantOutcome string // audit outcome; "" for no audit record
	}{
		{name: "one match", mrn: "203713", wantStatus: http.StatusSeeOther, wantOutcome: audit.OutcomeShown},
		{name: "one match, surrounding spaces", mrn: "  203713 \n", wantStatus: http.StatusSeeOther, wantOutcome: audit.OutcomeShown},
		{name: "empty", mrn: "   ", wantStatus: http.StatusUnprocessableEntity, wantTestID: "mrn-error", wantText: "Enter the MRN"},
		{name: "bad characters", mrn: "2037|13", wantStatus: http.StatusUnprocessableEntity, wantTestID: "mrn-error", wantText: "not a valid MRN"},
		{name: "too long", mrn: strings.Repeat("1", 21), wantStatus: http.StatusUnprocessableEntity, wantTestID: "mrn-error", wantText: "not a valid MRN"},
		{name: "no match", mrn: "999999", wantStatus: http.StatusOK, wantTestID: "lookup-not-found", wantText: "No patient found with MRN 999999", wantOutcome: audit.OutcomeNotFound},
		{name: "several patients share the MRN", mrn: "400004", wantStatus: http.StatusOK, wantTestID: "lookup-matches", wantText: "Jordan Lee", wantOutcome: audit.OutcomeMultiple},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newChartEnv(t, chartEnvOptions{})
			b := env.signIn()
			r := b.lookup(tt.mrn)
			if r.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d\n%s", r.StatusCode, tt.wantStatus, r.body)
			}
			if got := r.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if tt.wantTestID != "" {
				el := r.doc(t).Find(`[data-testid="` + tt.wantTestID + `"]`)
				if el.Length() == 0 {
					t.Fatalf("no %s in the page\n%s", tt.wantTestID, r.body)
				}
				if !strings.Contains(el.Text(), tt.wantText) {
					t.Errorf("%s = %q, want it to contain %q", tt.wantTestID, el.Text(), tt.wantText)
				}
				// The form is always there to try again.
				if r.doc(t).Find(`[data-testid="mrn-input"]`).Length() != 1 {
					t.Error("the MRN field is missing")
				}
			}
			recs := env.auditRecords()
			if tt.wantOutcome == "" {
				if len(recs) != 0 {
					t.Fatalf("an invalid form was audited: %+v", recs)
				}
				return
			}
			if len(recs) != 1 {
				t.Fatalf("audit records = %d, want 1: %+v", len(recs), recs)
			}
			got := recs[0]
			if got.Action != audit.ActionLookup || got.Outcome != tt.wantOutcome || got.MRN != strings.TrimSpace(tt.mrn) ||
				got.Username != chartTestUser || got.RequestID == "" || got.ClientAddr == "" {
				t.Errorf("audit record = %+v, want lookup/%s for MRN %q by %s with request id and address", got.Entry, tt.wantOutcome, tt.mrn, chartTestUser)
			}
		})
	}
}

func TestLookupMultipleMatchesChoose(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	r := b.lookup("400004")
	doc := r.doc(t)
	rows := doc.Find(`[data-testid="lookup-match"]`)
	if rows.Length() != 2 {
		t.Fatalf("matches = %d, want 2 (never auto-selected)\n%s", rows.Length(), r.body)
	}
	choice, ok := rows.First().Find(`input[name="patient"]`).Attr("value")
	if !ok || choice == "" {
		t.Fatal("match has no choice value")
	}
	// Both are Jordan Lee: a screen reader must hear which is which.
	names := map[string]bool{}
	rows.Find(`[data-testid="match-choose"]`).Each(func(_ int, s *goquery.Selection) {
		names[strings.Join(strings.Fields(s.Text()), " ")] = true
	})
	if !names["Open chart of Jordan Lee, born May 20, 1985"] || !names["Open chart of Jordan Lee, born Oct 2, 1991"] {
		t.Errorf("Open chart buttons are named %v: the two Jordan Lees must be told apart by birth date", names)
	}

	// A patient id that was not offered is refused, even a real one.
	other := b.post("/lookup/choose", url.Values{"patient": {"erXuFYUfucBZaryVksYEcMg3"}}, nil)
	if other.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("choosing an id not offered: status %d, want 422", other.StatusCode)
	}

	chosen := b.post("/lookup/choose", url.Values{"patient": {choice}}, nil)
	if chosen.StatusCode != http.StatusSeeOther || !strings.HasPrefix(chosen.Header.Get("Location"), "/chart/") {
		t.Fatalf("choose: status %d location %q", chosen.StatusCode, chosen.Header.Get("Location"))
	}
	chart := b.get(chosen.Header.Get("Location"), nil)
	if chart.StatusCode != http.StatusOK {
		t.Fatalf("chart of the chosen patient: status %d", chart.StatusCode)
	}
	// The chart keeps saying the MRN is shared, so whoever comes back to it checks who this is.
	const sharedNote = "shared by 2 patients: check name and birth date"
	if got := strings.TrimSpace(chart.doc(t).Find(`[data-testid="banner-mrn-shared"]`).Text()); got != sharedNote {
		t.Errorf("banner's shared-MRN note = %q, want %q", got, sharedNote)
	}
	recs := env.auditRecords()
	last := recs[len(recs)-1]
	if last.Action != audit.ActionChartView || last.PatientID != choice || last.MRN != "400004" {
		t.Errorf("chart view audit = %+v, want the chosen patient with the MRN searched", last.Entry)
	}

	// The choice is used up: posting it again is refused.
	again := b.post("/lookup/choose", url.Values{"patient": {choice}}, nil)
	if again.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("reusing a choice: status %d, want 422", again.StatusCode)
	}
	if got := b.get(chosen.Header.Get("Location")+"/print", nil).doc(t).Find(`[data-testid="banner-mrn-shared"]`).Text(); got != sharedNote {
		t.Errorf("printable chart's shared-MRN note = %q, want %q", got, sharedNote)
	}
	if n := b.get(b.openChart("400001"), nil).doc(t).Find(`[data-testid="banner-mrn-shared"]`).Length(); n != 0 {
		t.Error("a patient whose MRN is theirs alone is said to share it")
	}
}

func TestLookupHTMXRedirect(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	r := b.post("/lookup", url.Values{"mrn": {"203713"}}, map[string]string{"HX-Request": "true"})
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("HX-Redirect"), "/chart/") {
		t.Fatalf("htmx lookup: status %d, HX-Redirect %q", r.StatusCode, r.Header.Get("HX-Redirect"))
	}
}

func TestLookupUpstreamError(t *testing.T) {
	tests := []struct {
		name      string
		fault     sandbox.Fault
		tokenDown bool
		wantTitle string
	}{
		{name: "epic 500", fault: sandbox.Fault{Kind: sandbox.FaultServerError}, wantTitle: "Epic could not answer"},
		{name: "epic 503 html page", fault: sandbox.Fault{Kind: sandbox.FaultUnavailable}, wantTitle: "Epic"},
		{name: "epic rate limit", fault: sandbox.Fault{Kind: sandbox.FaultTooManyRequests}, wantTitle: "Epic is busy"},
		{name: "token endpoint down", tokenDown: true, wantTitle: "Chartside cannot sign in to Epic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newChartEnv(t, chartEnvOptions{})
			b := env.signIn()
			if tt.tokenDown {
				env.sb.Faults().SetTokenDown(true)
			} else {
				env.sb.Faults().FailNext(sandbox.FHIRBasePath+"/Patient", 1, tt.fault)
			}
			r := b.lookup("203713")
			if r.StatusCode < 500 {
				t.Errorf("status = %d, want a 5xx", r.StatusCode)
			}
			doc := r.doc(t)
			alert := doc.Find(`[data-testid="lookup-upstream-error"]`)
			if !strings.Contains(alert.Text(), tt.wantTitle) {
				t.Errorf("alert = %q, want it to contain %q", alert.Text(), tt.wantTitle)
			}
			if doc.Find(`[data-testid="mrn-input"]`).Length() != 1 {
				t.Error("the form is not usable after an Epic failure")
			}
			if strings.Contains(r.body, "OperationOutcome") || strings.Contains(r.body, "<html><body>") {
				t.Error("the page quotes Epic's response")
			}
			recs := env.auditRecords()
			if len(recs) != 1 || recs[0].Outcome != audit.OutcomeUpstreamError || recs[0].MRN != "203713" {
				t.Errorf("audit = %+v, want one upstream_error lookup of 203713", recs)
			}
		})
	}
}

func TestLookupAuditFailureShowsNothing(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{auditor: failingAuditor{}})
	b := env.signIn()
	for _, mrn := range []string{"203713", "400004", "999999"} {
		r := b.lookup(mrn)
		if r.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("MRN %s: status %d, want 503", mrn, r.StatusCode)
		}
		if strings.Contains(r.body, "Jordan") || strings.Contains(r.body, "/chart/") || r.Header.Get("Location") != "" {
			t.Errorf("MRN %s: patient data or a chart link shown although the access was not audited", mrn)
		}
		if !strings.Contains(r.body, "audit trail") {
			t.Errorf("MRN %s: the page does not say why nothing is shown", mrn)
		}
	}
}
