package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
)

// reviewerHash is audit/hash.go's scheme as anyone can read it: SHA-256 over length-prefixed
// fields, no secret.
func reviewerHash(r audit.Record, prev string) string {
	var b strings.Builder
	for _, f := range []string{"chartside-audit-v1", prev, strconv.FormatInt(r.Seq, 10), r.Time.UTC().Format("2006-01-02T15:04:05.000000Z"),
		r.Username, r.Action, r.PatientID, r.MRN, r.Outcome, r.ClientAddr, r.RequestID, r.Detail} {
		b.WriteString(strconv.Itoa(len(f)) + ":" + f + "\n")
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// TestAuditVerifyExpectCatchesRewrite is the hospital-IT reviewer's attack: lift the append-only
// guard, change record 3's username, recompute prev_hash and hash for every record from it on.
// Plain `web audit verify` still says OK (the limitation README states); with the line a verify
// printed before the rewrite, fed back as --expect or --anchors, it fails naming the record.
func TestAuditVerifyExpectCatchesRewrite(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t)
		trail := seedTrail(t, d, 14)
		before, err := runAuditCLI(t, trail, "verify")
		if err != nil || !strings.HasPrefix(before, "audit trail OK: 14 records, last hash ") {
			t.Fatalf("verify before: %q, %v", before, err)
		}
		lastHash := strings.TrimSpace(strings.TrimPrefix(before, "audit trail OK: 14 records, last hash "))
		anchorFile := filepath.Join(t.TempDir(), "anchors.txt")
		// What a daily cron job would have kept: dated output lines, a note, an earlier run.
		saved := "# chartside audit anchors\n2026-01-13 audit trail is empty\n2026-01-14 " + before
		if err := os.WriteFile(anchorFile, []byte(saved), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := runAuditCLI(t, trail, "verify", "--anchors", anchorFile); err != nil || !strings.Contains(out, "saved anchors: 1 checked, all match") {
			t.Errorf("verify --anchors before the rewrite: %q, %v", out, err)
		}

		lift := "DROP TRIGGER audit_log_no_update"
		if d.Dialect == db.Postgres {
			lift = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"
		}
		if _, err := d.Exec(lift); err != nil {
			t.Fatal(err)
		}
		recs, err := trail.Query(ctx, audit.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		prev := audit.GenesisHash
		for i := len(recs) - 1; i >= 0; i-- { // oldest first
			r := recs[i]
			if r.Seq < 3 {
				prev = r.Hash
				continue
			}
			if r.Seq == 3 {
				r.Username = "mallory"
			}
			h := reviewerHash(r, prev)
			if _, err := d.Exec(d.Rebind("UPDATE audit_log SET username = ?, prev_hash = ?, hash = ? WHERE seq = ?"), r.Username, prev, h, r.Seq); err != nil {
				t.Fatal(err)
			}
			prev = h
		}

		out, err := runAuditCLI(t, trail, "verify")
		if err != nil || !strings.HasPrefix(out, "audit trail OK: 14 records") {
			t.Fatalf("plain verify after a re-hashed rewrite = %q, %v; want OK (the chain alone cannot tell: if this fails, the test's attack is wrong)", out, err)
		}
		for _, args := range [][]string{{"verify", "--expect", "14:" + lastHash}, {"verify", "--anchors", anchorFile}} {
			out, err := runAuditCLI(t, trail, args...)
			if !errors.Is(err, audit.ErrChainBroken) || !strings.Contains(err.Error(), "record 14") {
				t.Errorf("%q after the rewrite: err %v, want ErrChainBroken naming record 14", args, err)
			}
			if !strings.HasPrefix(out, "audit trail BROKEN at record 14: hash differs from the saved anchor 14:"+lastHash) ||
				!strings.Contains(out, "somewhere in records 1 to 14") || !strings.Contains(out, "what to do") {
				t.Errorf("%q after the rewrite: out %q", args, out)
			}
		}
		// Records cut off the end: an anchor beyond the trail fails too.
		if _, err := runAuditCLI(t, trail, "verify", "--expect", "20:"+lastHash); !errors.Is(err, audit.ErrChainBroken) || !strings.Contains(err.Error(), "names record 20") {
			t.Errorf("verify --expect beyond the end: err %v, want ErrChainBroken naming record 20", err)
		}
	})
}

func TestAuditVerifyAnchorUsageErrors(t *testing.T) {
	trail := seedTrail(t, dbtest.New(t, db.SQLite), 2)
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	h := strings.Repeat("a", 64)
	for _, args := range [][]string{
		{"verify", "--expect", "14"},
		{"verify", "--expect", "x:" + h},
		{"verify", "--expect", "3:6f3b"},
		{"verify", "--anchors", filepath.Join(dir, "missing")},
		{"verify", "--anchors", file("none", "# nothing saved yet\n")},
		// An abbreviated hash copied from a ticket is refused, not skipped.
		{"verify", "--anchors", file("short", "audit trail OK: 14 records, last hash 6f3b…\n")},
	} {
		if _, err := runAuditCLI(t, trail, args...); !isUsage(err) {
			t.Errorf("audit %q: err = %v, want a usage error", args, err)
		}
	}
}
