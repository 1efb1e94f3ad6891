package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
)

func runAuditCLI(t *testing.T, trail *audit.Log, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runAudit(context.Background(), trail, args, &out, &errOut)
	return out.String(), err
}

// seedTrail records one chart view per day from 2026-01-01 at 09:00 UTC.
func seedTrail(t *testing.T, d *db.DB, days int) *audit.Log {
	t.Helper()
	trail := audit.New(d, time.Now)
	for i := 0; i < days; i++ {
		e := audit.Entry{
			Time:     time.Date(2026, 1, 1+i, 9, 0, 0, 0, time.UTC),
			Username: "alice", Action: audit.ActionChartView, PatientID: fmt.Sprintf("p%d", i),
			Outcome: audit.OutcomeShown, ClientAddr: "10.1.1.1", RequestID: fmt.Sprintf("r%d", i),
		}
		if i == 1 {
			e.Action, e.MRN, e.Outcome = audit.ActionLookup, "=HYPERLINK(\"http://x\")", audit.OutcomeNotFound
		}
		if err := trail.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	return trail
}

func TestAuditVerifyCLI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		d := tg.Open(t)
		trail := audit.New(d, time.Now)
		out, err := runAuditCLI(t, trail, "verify")
		if err != nil || !strings.Contains(out, "empty") {
			t.Errorf("verify empty: out %q, err %v", out, err)
		}
		seedTrail(t, d, 6)
		out, err = runAuditCLI(t, trail, "verify")
		if err != nil || !strings.Contains(out, "OK: 6 records") {
			t.Errorf("verify healthy: out %q, err %v", out, err)
		}

		// Someone with database rights lifts the append-only guard and edits record 4.
		lift := "DROP TRIGGER audit_log_no_update"
		if d.Dialect == db.Postgres {
			lift = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"
		}
		if _, err := d.Exec(lift); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec("UPDATE audit_log SET username = 'bob' WHERE seq = 4"); err != nil {
			t.Fatal(err)
		}
		out, err = runAuditCLI(t, trail, "verify")
		if !errors.Is(err, audit.ErrChainBroken) || !strings.Contains(err.Error(), "record 4") {
			t.Errorf("verify tampered: err = %v, want ErrChainBroken naming record 4", err)
		}
		if !strings.Contains(out, "BROKEN at record 4") {
			t.Errorf("verify tampered: out %q", out)
		}
		// It says what to do next, not only that something is wrong.
		for _, want := range []string{"what to do", "change nothing in the database", "latest audit export", "security or privacy officer"} {
			if !strings.Contains(out, want) {
				t.Errorf("verify tampered: out %q lacks %q", out, want)
			}
		}
	})
}

func TestAuditExportCLI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		trail := seedTrail(t, tg.Open(t), 6)

		// --until as a date includes that whole day.
		out, err := runAuditCLI(t, trail, "export", "--since", "2026-01-02", "--until", "2026-01-04")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v\n%s", err, out)
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[0]+"/"+r[4]+"/"+r[5])
		}
		want := []string{`2/p1/'=HYPERLINK("http://x")`, "3/p2/", "4/p3/"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("csv rows (seq/patient/mrn) = %q, want %q", got, want)
		}

		out, err = runAuditCLI(t, trail, "export", "--since", "2026-01-05T00:00:00Z", "--format", "jsonl", "--username", "alice")
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int64
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var rec struct {
				Seq    int64  `json:"seq"`
				Action string `json:"action"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("jsonl line %q: %v", line, err)
			}
			seqs = append(seqs, rec.Seq)
		}
		// Days 5 and 6; the first export (seq 7) is recorded by "cli", not alice.
		if fmt.Sprint(seqs) != "[5 6]" {
			t.Errorf("jsonl seqs = %v, want [5 6]", seqs)
		}

		// --mrn, as the admin page's filter: only that MRN's records, and the export is recorded
		// with the MRN it was for.
		out, err = runAuditCLI(t, trail, "export", "--since", "2026-01-01", "--mrn", `=HYPERLINK("http://x")`, "--format", "jsonl")
		if err != nil {
			t.Fatal(err)
		}
		// The export is recorded before it runs, so it lists itself after the lookup.
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.Contains(lines[0], `"seq":2,`) || !strings.Contains(lines[1], `"action":"audit_export"`) {
			t.Errorf("--mrn export = %q, want record 2 and the export's own record", out)
		}

		exports, err := trail.Query(context.Background(), audit.Filter{Action: audit.ActionAuditExport})
		if err != nil {
			t.Fatal(err)
		}
		if len(exports) != 3 || exports[2].Username != "cli" || !strings.Contains(exports[2].Detail, "since=2026-01-02T00:00:00Z until=2026-01-05T00:00:00Z") {
			t.Errorf("export records = %+v", exports)
		}
		if exports[0].MRN != `=HYPERLINK("http://x")` || !strings.Contains(exports[0].Detail, "mrn=") {
			t.Errorf("the --mrn export's record = %+v, want the MRN recorded", exports[0])
		}
		if res, err := trail.Verify(context.Background()); err != nil || !res.OK {
			t.Errorf("chain after exports: %+v, %v", res, err)
		}
	})
}

func TestAuditCLIUsageErrors(t *testing.T) {
	trail := audit.New(dbtest.New(t, db.SQLite), time.Now)
	tests := [][]string{
		nil,
		{"rewrite"},
		{"export"},
		{"export", "--since", "yesterday"},
		{"export", "--since", "2026-01-02", "--until", "2026-01-01"},
		{"export", "--since", "2026-01-02", "--format", "xlsx"},
		{"export", "--since", "2026-01-02", "--action", "peek"},
		{"verify", "now"},
	}
	for _, args := range tests {
		if _, err := runAuditCLI(t, trail, args...); !isUsage(err) {
			t.Errorf("audit %q: err = %v, want a usage error", args, err)
		}
	}
	// Refused exports are not recorded as exports.
	if recs, _ := trail.Query(context.Background(), audit.Filter{}); len(recs) != 0 {
		t.Errorf("records after usage errors: %d, want 0", len(recs))
	}
}
