package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chartside/chartside/audit"
)

// TestScriptedSessionLeavesExactlyTheExpectedAuditRecords walks a clinician's session — a miss, a
// shared MRN, a chart, a drill-down, an analyte, a refresh, a print — and checks the audit trail holds
// exactly one record per access to patient data, in order, with the right outcome, and a chain that
// verifies. Section loads right after the chart page are covered by its record and add none.
func TestScriptedSessionLeavesExactlyTheExpectedAuditRecords(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	hx := map[string]string{"HX-Request": "true"}
	const camila, camilaMRN = "erXuFYUfucBZaryVksYEcMg3", "203713"

	if r := b.lookup("999999"); r.StatusCode != http.StatusOK || !strings.Contains(r.body, "No patient found") {
		t.Fatalf("lookup of an unknown MRN: %d", r.StatusCode)
	}
	if r := b.lookup("400004"); r.StatusCode != http.StatusOK {
		t.Fatalf("lookup of a shared MRN: %d", r.StatusCode)
	}
	chart := b.openChart(camilaMRN)
	if r := b.get(chart, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("chart: %d", r.StatusCode)
	}
	timeline := b.get(chart+"/encounters", hx)
	href, ok := timeline.doc(t).Find(`[data-testid="encounter-expand"]`).First().Attr("hx-get")
	if !ok {
		t.Fatal("timeline has no encounter to expand")
	}
	if r := b.get(href, hx); r.StatusCode != http.StatusOK {
		t.Fatalf("encounter drill-down: %d", r.StatusCode)
	}
	if r := b.get(chart+"/analyte?code="+url.QueryEscape("http://loinc.org|718-7"), hx); r.StatusCode != http.StatusOK {
		t.Fatalf("analyte: %d", r.StatusCode)
	}
	if r := b.get(chart+"/labs?refresh=1", hx); r.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d", r.StatusCode)
	}
	if r := b.get(chart+"/print", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("print: %d", r.StatusCode)
	}

	type rec struct{ action, outcome, patient, mrn string }
	want := []rec{
		{audit.ActionLookup, audit.OutcomeNotFound, "", "999999"},
		{audit.ActionLookup, audit.OutcomeMultiple, "", "400004"},
		{audit.ActionLookup, audit.OutcomeShown, camila, camilaMRN},
		{audit.ActionChartView, audit.OutcomeShown, camila, camilaMRN},
		{audit.ActionEncounterView, audit.OutcomeShown, camila, camilaMRN},
		{audit.ActionAnalyteView, audit.OutcomeShown, camila, camilaMRN},
		{audit.ActionRefresh, audit.OutcomeShown, camila, camilaMRN},
		{audit.ActionPrint, audit.OutcomeShown, camila, camilaMRN},
	}
	got := env.auditRecords()
	if len(got) != len(want) {
		for _, r := range got {
			t.Logf("%d %s %s %s %s %q", r.Seq, r.Action, r.Outcome, r.PatientID, r.MRN, r.Detail)
		}
		t.Fatalf("audit trail has %d records, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if (rec{g.Action, g.Outcome, g.PatientID, g.MRN}) != w {
			t.Errorf("record %d = %s/%s patient %q MRN %q, want %s/%s patient %q MRN %q",
				i+1, g.Action, g.Outcome, g.PatientID, g.MRN, w.action, w.outcome, w.patient, w.mrn)
		}
		if g.Username != chartTestUser || g.RequestID == "" || g.ClientAddr == "" {
			t.Errorf("record %d: username %q, request id %q, client %q", i+1, g.Username, g.RequestID, g.ClientAddr)
		}
	}
	res, err := env.audit.Verify(context.Background())
	if err != nil || !res.OK {
		t.Fatalf("audit chain does not verify: %+v, %v", res, err)
	}
}

// TestUnwritableAuditTableWithholdsTheChart makes the real audit table refuse inserts (as a full
// disk or a revoked grant would) and checks that no patient data is shown and the user is told why.
func TestUnwritableAuditTableWithholdsTheChart(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	if _, err := env.db.ExecContext(context.Background(),
		`CREATE TRIGGER audit_log_unwritable BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit table is read-only'); END`); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{chart, chart + "/labs", chart + "/print"} {
		r := b.get(path, nil)
		if r.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503", path, r.StatusCode)
		}
		if strings.Contains(r.body, "Camila") || strings.Contains(r.body, "203713") {
			t.Errorf("%s: patient data shown although the access could not be recorded", path)
		}
		if !strings.Contains(r.body, "audit trail") {
			t.Errorf("%s: the page does not say why nothing is shown", path)
		}
	}
	if r := b.lookup("203711"); r.StatusCode == http.StatusSeeOther || strings.Contains(r.body, "Derrick") {
		t.Errorf("lookup with an unwritable audit table: status %d, patient revealed", r.StatusCode)
	}
}
