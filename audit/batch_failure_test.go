package audit_test

// Failed batches and ended contexts: each caller is told exactly what was stored.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
)

// holdAppendLock takes, from another handle, the lock every append needs, as
// another replica's transaction would, and returns the function that
// releases it. Appends started meanwhile wait in the database with their
// batch taken.
func holdAppendLock(t *testing.T, tg dbtest.Target) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := tg.Open(t).BeginTx(ctx, nil) // SQLite begins IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	if tg.Dialect == db.Postgres {
		if _, err := tx.ExecContext(ctx, "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if err := tx.Commit(); err != nil {
				t.Errorf("release append lock: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// startRecord runs Record in the background; the channel yields its error.
func startRecord(l *audit.Log, ctx context.Context, e audit.Entry) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- l.Record(ctx, e) }()
	return ch
}

// startWriter starts a Record that becomes the writer of its own batch and
// waits until that batch is taken, blocked behind holdAppendLock.
func startWriter(t *testing.T, l *audit.Log, ctx context.Context, e audit.Entry) <-chan error {
	t.Helper()
	ch := startRecord(l, ctx, e)
	waitFor(t, "the first caller's batch is taken", func() bool {
		queued, writing := l.QueueState()
		return writing && queued == 0
	})
	return ch
}

// startQueued starts a Record and waits until it is the queue's n-th entry.
func startQueued(t *testing.T, l *audit.Log, ctx context.Context, e audit.Entry, n int) <-chan error {
	t.Helper()
	ch := startRecord(l, ctx, e)
	waitFor(t, fmt.Sprintf("%d callers are queued", n), func() bool {
		queued, _ := l.QueueState()
		return queued == n
	})
	return ch
}

// poisonInserts makes the database refuse to insert any record whose detail
// is "poison", the way handlers' tests make the table unwritable.
func poisonInserts(t *testing.T, d *db.DB) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER audit_log_poison BEFORE INSERT ON audit_log
		WHEN NEW.detail = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned record'); END`}
	if d.Dialect == db.Postgres {
		stmts = []string{
			`CREATE FUNCTION audit_log_poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'poisoned record'; END; $$`,
			`CREATE TRIGGER audit_log_poison BEFORE INSERT ON audit_log FOR EACH ROW
			WHEN (NEW.detail = 'poison') EXECUTE FUNCTION audit_log_poison()`,
		}
	}
	for _, s := range stmts {
		if _, err := d.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
}

// A batch whose transaction fails fails every caller in it, including those
// whose own records were fine and those inserted before the failing one;
// none of it is stored, the chain head is left as it was, and later records
// chain onto it.
func TestFailedBatchFailsEveryCallerInIt(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t)
		l := audit.New(d, time.Now)
		for _, mrn := range []string{"old0", "old1"} {
			if err := l.Record(ctx, mrnEntry(mrn)); err != nil {
				t.Fatal(err)
			}
		}
		poisonInserts(t, d)

		release := holdAppendLock(t, tg)
		writer := startWriter(t, l, ctx, mrnEntry("writer"))
		// Queue the next batch one caller at a time, so the poisoned record
		// is known to sit in its middle.
		const batch = 9
		var followers []<-chan error
		for i := range batch {
			e := mrnEntry(fmt.Sprintf("f%d", i))
			if i == batch/2 {
				e.Detail = "poison"
			}
			followers = append(followers, startQueued(t, l, ctx, e, i+1))
		}
		commits := l.Commits()
		release()

		if err := <-writer; err != nil {
			t.Fatalf("the writer's own batch: %v", err)
		}
		for i, ch := range followers {
			if err := <-ch; err == nil || !strings.Contains(err.Error(), "poisoned record") {
				t.Errorf("follower %d: Record error = %v, want the batch's insert error", i, err)
			}
		}
		if got := l.Commits() - commits; got != 1 {
			t.Errorf("%d transactions committed, want 1 (the writer's)", got)
		}
		assertVerifies(t, l, 3)
		assertStored(t, l, []string{"old0", "old1", "writer"})

		for i, err := range recordAll([]*audit.Log{l}, 5, background) {
			if err != nil {
				t.Errorf("record %d after the failed batch: %v", i, err)
			}
		}
		assertVerifies(t, l, 8)
	})
}

// A caller whose context ends while its entry waits for a batch returns at
// once with the context's error, its entry is never written, and the callers
// around it are unaffected.
func TestCancelWhileQueuedLeavesTheEntryOut(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		l := audit.New(tg.Open(t), time.Now)
		release := holdAppendLock(t, tg)
		writer := startWriter(t, l, ctx, mrnEntry("writer"))
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		gaveUp := startQueued(t, l, cctx, mrnEntry("gave-up"), 1)
		after := startQueued(t, l, ctx, mrnEntry("after"), 2)

		cancel()
		select {
		case err := <-gaveUp:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled caller: Record error = %v, want context.Canceled", err)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("a cancelled caller still waits for the batch ahead of it")
		}
		if queued, _ := l.QueueState(); queued != 1 {
			t.Errorf("%d callers queued after the cancellation, want 1", queued)
		}
		release()
		for name, ch := range map[string]<-chan error{"writer": writer, "after": after} {
			if err := <-ch; err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		assertVerifies(t, l, 2)
		assertStored(t, l, []string{"writer", "after"})

		if err := l.Record(cctx, mrnEntry("too-late")); !errors.Is(err, context.Canceled) {
			t.Errorf("Record with an ended context: error = %v, want context.Canceled", err)
		}
		assertVerifies(t, l, 2)
	})
}

// Once a caller's batch transaction has begun, ending its context no longer
// withdraws the record: the caller, whether it writes the batch or waits on
// another caller writing it, gets the transaction's real outcome.
//
// PostgreSQL only: it grants a contended table lock in request order, which
// lets the test hold a batch with two callers in it behind a lock. SQLite's
// writers poll for the lock instead; TestDeadlinesNeverMisreportARecord
// covers this on both engines.
func TestCancelAfterBatchBegunGetsTheOutcome(t *testing.T) {
	ctx := context.Background()
	tg := dbtest.Postgres(t)
	l := audit.New(tg.Open(t), time.Now)
	admin := tg.Open(t)
	blockedBy := func(pid int) int {
		var n int
		if err := admin.QueryRowContext(ctx, "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// firstTx holds the lock; the writer's batch waits for it, and secondTx
	// queues behind the writer, so that the next batch (leader and follower)
	// waits too.
	firstTx, err := tg.Open(t).BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer firstTx.Rollback()
	var firstPID int
	if err := firstTx.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&firstPID); err != nil {
		t.Fatal(err)
	}
	if _, err := firstTx.ExecContext(ctx, "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	writerCtx, cancelWriter := context.WithCancel(ctx)
	defer cancelWriter()
	writer := startWriter(t, l, writerCtx, mrnEntry("writer"))
	waitFor(t, "the writer waits for the lock", func() bool { return blockedBy(firstPID) == 1 })
	secondTx, err := tg.Open(t).BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// If the test stops early, firstTx must go first: secondTx cannot roll
	// back while its LOCK statement waits.
	defer func() {
		_ = firstTx.Rollback()
		_ = secondTx.Rollback()
	}()
	secondLocked := make(chan error, 1)
	go func() {
		_, err := secondTx.ExecContext(ctx, "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
		secondLocked <- err
	}()
	waitFor(t, "the second holder queues behind the writer", func() bool { return blockedBy(firstPID) == 2 })

	leaderCtx, cancelLeader := context.WithCancel(ctx)
	defer cancelLeader()
	followerCtx, cancelFollower := context.WithCancel(ctx)
	defer cancelFollower()
	leader := startQueued(t, l, leaderCtx, mrnEntry("leader"), 1)
	follower := startQueued(t, l, followerCtx, mrnEntry("follower"), 2)

	cancelWriter()
	if err := firstTx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-writer; err != nil {
		t.Errorf("writer cancelled while its batch waited: Record error = %v, want nil (committed)", err)
	}
	waitFor(t, "the next batch is taken", func() bool {
		queued, writing := l.QueueState()
		return writing && queued == 0
	})
	cancelLeader()
	cancelFollower()
	select {
	case err := <-follower:
		t.Fatalf("Record returned %v while its batch was still waiting for the lock", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := <-secondLocked; err != nil {
		t.Fatal(err)
	}
	if err := secondTx.Commit(); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]<-chan error{"leader": leader, "follower": follower} {
		if err := <-ch; err != nil {
			t.Errorf("%s cancelled while its batch waited: Record error = %v, want nil (committed)", name, err)
		}
	}
	assertVerifies(t, l, 3)
	assertStored(t, l, []string{"writer", "leader", "follower"})
}

// Under callers whose deadlines end at every stage (before queueing, while
// queued, while handed the writer role, while their batch is written), a
// record is stored exactly when its Record returned nil.
func TestDeadlinesNeverMisreportARecord(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		const n = 300
		l := audit.New(tg.Open(t), time.Now)
		// A first record opens the connection, so that the deadlines below
		// race batches rather than the connection set-up.
		if err := l.Record(context.Background(), mrnEntry("first")); err != nil {
			t.Fatal(err)
		}
		ctxFor := func(i int) context.Context {
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%25)*2*time.Millisecond)
			t.Cleanup(cancel)
			return ctx
		}
		stored := []string{"first"}
		for i, err := range recordAll([]*audit.Log{l}, n, ctxFor) {
			switch {
			case err == nil:
				stored = append(stored, fmt.Sprintf("m%d", i))
			case !errors.Is(err, context.DeadlineExceeded):
				t.Errorf("record %d: %v, want nil or a deadline error", i, err)
			}
		}
		t.Logf("%d of %d recorded before their deadline", len(stored)-1, n)
		assertVerifies(t, l, int64(len(stored)))
		assertStored(t, l, stored)
	})
}
