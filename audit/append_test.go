package audit_test

// The one-statement append: a replica that knows the chain head appends
// without the table lock, and falls back to it when another replica wrote.

import (
	"context"
	"testing"
	"time"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db/dbtest"
)

// On PostgreSQL a running replica's appends take no table lock: with another
// transaction holding ROW EXCLUSIVE (as any insert does), which conflicts
// with the append lock but not with inserts, a Log that has already written
// appends at once, while a Log that has not yet read the chain head waits
// for the lock as before.
func TestRunningReplicaAppendsWithoutTheTableLock(t *testing.T) {
	ctx := context.Background()
	tg := dbtest.Postgres(t)
	running := audit.New(tg.Open(t), time.Now)
	if err := running.Record(ctx, mrnEntry("first")); err != nil {
		t.Fatal(err)
	}

	tx, err := tg.Open(t).BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "LOCK TABLE audit_log IN ROW EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}

	quick, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := running.Record(quick, mrnEntry("second")); err != nil {
		t.Fatalf("a running replica's append waited for the table lock: %v", err)
	}

	fresh := audit.New(tg.Open(t), time.Now)
	started := startRecord(fresh, ctx, mrnEntry("third"))
	select {
	case err := <-started:
		t.Fatalf("a replica that never read the chain head appended without the lock (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	assertVerifies(t, running, 3)
	assertStored(t, running, []string{"first", "second", "third"})
}

// Replicas taking turns: each one's chain head is stale every time it
// writes, so on PostgreSQL every append after the first finds its seq taken
// and is appended again after the true head. Every record is stored once,
// in the order written, in one valid chain.
func TestAppendsAfterAnotherReplicaWrote(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		replicas := []*audit.Log{audit.New(tg.Open(t), time.Now), audit.New(tg.Open(t), time.Now)}
		want := []string{"a1", "b1", "a2", "b2", "a3", "b3"}
		for i, mrn := range want {
			if err := replicas[i%2].Record(ctx, mrnEntry(mrn)); err != nil {
				t.Fatalf("record %s: %v", mrn, err)
			}
		}
		assertVerifies(t, replicas[0], int64(len(want)))
		recs, err := replicas[1].Query(ctx, audit.Filter{Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for _, r := range recs {
			got[r.Seq] = r.MRN
		}
		for i, mrn := range want {
			if got[int64(i+1)] != mrn {
				t.Errorf("seq %d holds %q, want %q", i+1, got[int64(i+1)], mrn)
			}
		}
	})
}
