package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
)

// rewrite plays the reviewer's attack on a copy of the database: change record seq's username,
// then recompute prev_hash and hash for it and every later record with the public scheme, so the
// chain checks out again.
func rewrite(t *testing.T, d *db.DB, l *audit.Log, seq int64, username string) {
	t.Helper()
	recs, err := l.Query(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	tamper(t, d, "SELECT 1") // lifts the append-only guard
	prev := audit.GenesisHash
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		r := recs[i]
		if r.Seq < seq {
			prev = r.Hash
			continue
		}
		if r.Seq == seq {
			r.Username = username
		}
		hash := audit.ChainHash(r.Seq, r.Entry, prev)
		if _, err := d.Exec(d.Rebind("UPDATE audit_log SET username = ?, prev_hash = ?, hash = ? WHERE seq = ?"), r.Username, prev, hash, r.Seq); err != nil {
			t.Fatal(err)
		}
		prev = hash
	}
}

// TestVerifyAnchorsCatchRewrittenChain: a record rewritten with every later hash recomputed passes
// Verify on its own (the limitation README states); an anchor saved before the rewrite fails,
// naming the anchored record and the range the rewrite is in.
func TestVerifyAnchorsCatchRewrittenChain(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t)
		l := audit.New(d, newClock().now)
		for range 14 {
			if err := l.Record(ctx, entry("alice", audit.ActionSignIn, "", audit.OutcomeOK)); err != nil {
				t.Fatal(err)
			}
		}
		res, err := l.Verify(ctx)
		if err != nil || !res.OK {
			t.Fatalf("Verify = %+v, %v", res, err)
		}
		day1 := audit.Anchor{Seq: 2, Hash: mustHash(t, l, 2)}
		day2 := audit.Anchor{Seq: res.Records, Hash: res.LastHash}
		if res, err := l.Verify(ctx, day1, day2, day2); err != nil || !res.OK || res.Anchors != 2 {
			t.Fatalf("Verify with the right anchors = %+v, %v; want OK, 2 anchors", res, err)
		}

		rewrite(t, d, l, 3, "mallory")
		res, err = l.Verify(ctx)
		if err != nil || !res.OK || res.Records != 14 {
			t.Fatalf("re-hashed chain without anchors: Verify = %+v, %v; want OK (the chain alone cannot tell)", res, err)
		}
		res, err = l.Verify(ctx, day1, day2)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK || res.FirstBroken != 14 || !strings.Contains(res.Reason, "saved anchor 14:"+day2.Hash) ||
			!strings.Contains(res.Reason, "records 3 to 14 (record 2 still matches") {
			t.Errorf("Verify with anchors after the rewrite = %+v, want broken at 14, rewritten within records 3 to 14", res)
		}
	})
}

// TestVerifyAnchorsCatchTruncation: records cut off the end leave a valid chain; an anchor naming a
// record that is gone fails.
func TestVerifyAnchorsCatchTruncation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t)
		l := audit.New(d, newClock().now)
		for range 5 {
			if err := l.Record(ctx, entry("alice", audit.ActionSignIn, "", audit.OutcomeOK)); err != nil {
				t.Fatal(err)
			}
		}
		res, _ := l.Verify(ctx)
		saved := audit.Anchor{Seq: res.Records, Hash: res.LastHash}
		tamper(t, d, "DELETE FROM audit_log WHERE seq > 3")
		res, err := l.Verify(ctx, saved)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK || res.FirstBroken != 4 || !strings.Contains(res.Reason, "ends at record 3") || !strings.Contains(res.Reason, "names record 5") {
			t.Errorf("Verify after truncation = %+v, want broken at 4, naming record 5", res)
		}
	})
}

func TestVerifyRefusesBadAnchors(t *testing.T) {
	l := audit.New(dbtest.New(t, db.SQLite), newClock().now)
	h := strings.Repeat("a", 64)
	for _, anchors := range [][]audit.Anchor{
		{{Seq: 0, Hash: h}},
		{{Seq: 1, Hash: "abc"}},
		{{Seq: 1, Hash: h}, {Seq: 1, Hash: strings.Repeat("b", 64)}},
	} {
		if _, err := l.Verify(context.Background(), anchors...); err == nil {
			t.Errorf("Verify(%v) succeeded, want an error", anchors)
		}
	}
	for _, s := range []string{"", "3", "x:" + h, "0:" + h, "3:" + h[:63], "3:" + strings.Repeat("g", 64)} {
		if _, err := audit.ParseAnchor(s); err == nil {
			t.Errorf("ParseAnchor(%q) succeeded, want an error", s)
		}
	}
	if a, err := audit.ParseAnchor(" 14:" + strings.ToUpper(h) + "\n"); err != nil || a != (audit.Anchor{Seq: 14, Hash: h}) {
		t.Errorf("ParseAnchor = %v, %v", a, err)
	}
}

func mustHash(t *testing.T, l *audit.Log, seq int64) string {
	t.Helper()
	recs, err := l.Query(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Seq == seq {
			return r.Hash
		}
	}
	t.Fatalf("no record %d", seq)
	return ""
}
