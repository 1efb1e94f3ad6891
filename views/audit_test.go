package views

import "testing"

// TestAuditTableScrollRegion checks the audit records' scroll container and column classes. At
// 1280 px the table is wider than the page: its scroller must be reachable from the keyboard and
// named (axe's scrollable-region-focusable flagged it as serious), and the identifier and Detail
// cells carry the classes app.css uses to let long ids wrap and keep Detail readable.
func TestAuditTableScrollRegion(t *testing.T) {
	page := AuditPage{
		Actions: []string{"chart_view"},
		Rows: []AuditRow{{
			Seq: "81", Date: "2026-11-23", Clock: "03:01:52 UTC", Username: "demo", Action: "encounter_view",
			PatientID: "erXuFYUfucBZaryVksYEcMg3", MRN: "203713", Outcome: "shown", ClientAddr: "127.0.0.1",
			RequestID: "b9280dabd27782d55c537ba4a1b2c3d4", Detail: "analyte urn:oid:1.2.840.114350.1.13.0.1.7.2.768282|3061 all",
		}},
	}
	d := doc(t, Audit(page))
	table := d.Find(`[data-testid="audit-table"]`)
	if table.Length() != 1 {
		t.Fatalf("audit tables = %d, want 1", table.Length())
	}
	scroller := table.Parent()
	for attr, want := range map[string]string{"class": "table-scroll", "tabindex": "0", "role": "region", "aria-label": "Audit records"} {
		if got, _ := scroller.Attr(attr); got != want {
			t.Errorf("audit table's scroller %s = %q, want %q", attr, got, want)
		}
	}
	if !table.HasClass("audit") {
		t.Errorf("audit table class = %q, want it to include audit", table.AttrOr("class", ""))
	}
	row := table.Find(`tbody tr`).First()
	for _, tc := range []struct{ sel, want string }{
		{`td.audit-detail[data-testid="audit-detail"]`, page.Rows[0].Detail},
		{`td.audit-request`, page.Rows[0].RequestID},
		{`td.audit-id[data-testid="audit-patient"]`, page.Rows[0].PatientID},
	} {
		if got := row.Find(tc.sel).Text(); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.sel, got, tc.want)
		}
	}
	if got := table.Find(`thead th.audit-detail`).Text(); got != "Detail" {
		t.Errorf("Detail heading with class audit-detail = %q, want Detail", got)
	}
}
