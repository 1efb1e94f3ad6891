package audit_test

// Recording and the hash chain: Record's checks and benchmarks, concurrent appends,
// Verify on healthy and tampered chains; the helpers shared by the package's tests.

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

// clock is a settable time source for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)}
}

func entry(user, action, patient, outcome string) audit.Entry {
	return audit.Entry{Username: user, Action: action, PatientID: patient, Outcome: outcome,
		ClientAddr: "10.0.0.7", RequestID: "req-" + user}
}

func TestRecordAndQueryRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		l := audit.New(tg.Open(t), c.now)
		want := audit.Entry{
			Username: "alice", Action: audit.ActionLookup, MRN: "203713", Outcome: audit.OutcomeShown,
			PatientID: "erXuFYUfucBZaryVksYEcMg3", ClientAddr: "192.0.2.1", RequestID: "r1",
			Detail: "unicode ✓ and \"quotes\", commas",
		}
		if err := l.Record(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := l.Query(ctx, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("Query returned %d records, want 1", len(got))
		}
		want.Time = c.now().Truncate(time.Microsecond)
		if got[0].Entry != want {
			t.Errorf("stored entry\n got %+v\nwant %+v", got[0].Entry, want)
		}
		if got[0].Seq != 1 || got[0].PrevHash != audit.GenesisHash || len(got[0].Hash) != 64 {
			t.Errorf("chain fields: seq %d prev %q hash %q", got[0].Seq, got[0].PrevHash, got[0].Hash)
		}
	})
}

func TestRecordRejectsInvalidEntries(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	l := audit.New(d, time.Now)
	tests := []struct {
		name string
		e    audit.Entry
		want error
	}{
		{"no user", audit.Entry{Action: audit.ActionLookup, Outcome: audit.OutcomeShown}, audit.ErrMissingUser},
		{"bad action", audit.Entry{Username: "a", Action: "peek", Outcome: audit.OutcomeShown}, audit.ErrInvalidAction},
		{"bad outcome", audit.Entry{Username: "a", Action: audit.ActionLookup, Outcome: "meh"}, audit.ErrInvalidOutcome},
		{"long detail", audit.Entry{Username: "a", Action: audit.ActionLookup, Outcome: audit.OutcomeShown, Detail: strings.Repeat("x", 5000)}, audit.ErrFieldTooLong},
	}
	for _, tt := range tests {
		if err := l.Record(context.Background(), tt.e); !errors.Is(err, tt.want) {
			t.Errorf("%s: Record error = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// Bytes PostgreSQL cannot store are replaced, identically on both engines,
// so the chain still verifies.
func TestRecordSanitisesUnstorableBytes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		l := audit.New(tg.Open(t), time.Now)
		e := entry("bob", audit.ActionLookup, "", audit.OutcomeNotFound)
		e.MRN = "12\x0034\xff"
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, err := l.Query(ctx, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if want := "12\uFFFD34\uFFFD"; got[0].MRN != want {
			t.Errorf("MRN = %q, want %q", got[0].MRN, want)
		}
		assertVerifies(t, l, 1)
	})
}

func assertVerifies(t *testing.T, l *audit.Log, records int64) {
	t.Helper()
	res, err := l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Records != records || res.FirstBroken != 0 {
		t.Fatalf("Verify = %+v, want OK with %d records", res, records)
	}
}

func TestVerifyEmptyAndHealthyChains(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		l := audit.New(tg.Open(t), c.now)
		assertVerifies(t, l, 0)
		for i := 0; i < 25; i++ {
			c.advance(time.Second)
			if err := l.Record(ctx, entry(fmt.Sprintf("u%d", i%3), audit.ActionChartView, "p1", audit.OutcomeShown)); err != nil {
				t.Fatal(err)
			}
		}
		assertVerifies(t, l, 25)
	})
}

// tamper edits the database behind the Log's back, as someone with direct
// database access would: first lifting the append-only triggers.
func tamper(t *testing.T, d *db.DB, stmt string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if d.Dialect == db.Postgres {
		if _, err := d.ExecContext(ctx, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"); err != nil {
			t.Fatal(err)
		}
	} else {
		for _, trg := range []string{"audit_log_no_update", "audit_log_no_delete"} {
			if _, err := d.ExecContext(ctx, "DROP TRIGGER "+trg); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := d.ExecContext(ctx, d.Rebind(stmt), args...); err != nil {
		t.Fatalf("tamper %q: %v", stmt, err)
	}
}

func TestVerifyFindsFirstTamperedRecord(t *testing.T) {
	tests := []struct {
		name   string
		stmt   string
		args   []any
		broken int64
		reason string
	}{
		{"edit patient", "UPDATE audit_log SET patient_id = ? WHERE seq = ?", []any{"someone-else", 7}, 7, "content"},
		{"edit username", "UPDATE audit_log SET username = ? WHERE seq = ?", []any{"mallory", 3}, 3, "content"},
		{"delete middle", "DELETE FROM audit_log WHERE seq = ?", []any{5}, 6, "gap"},
		{"rehash one record", "UPDATE audit_log SET hash = ? WHERE seq = ?", []any{strings.Repeat("ab", 32), 4}, 4, "content"},
		{"edit first", "UPDATE audit_log SET outcome = ? WHERE seq = ?", []any{audit.OutcomeNotFound, 1}, 1, "content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
				ctx := context.Background()
				c := newClock()
				d := tg.Open(t)
				l := audit.New(d, c.now)
				for i := 0; i < 10; i++ {
					c.advance(time.Minute)
					if err := l.Record(ctx, entry("alice", audit.ActionChartView, fmt.Sprintf("p%d", i), audit.OutcomeShown)); err != nil {
						t.Fatal(err)
					}
				}
				tamper(t, d, tt.stmt, tt.args...)
				res, err := l.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if res.OK || res.FirstBroken != tt.broken || !strings.Contains(res.Reason, tt.reason) {
					t.Errorf("Verify = %+v, want broken at %d (%s)", res, tt.broken, tt.reason)
				}
			})
		})
	}
}

// SQLite keeps a record's time as text, so an edit can leave one that is not a
// time at all. Verify names that record as broken instead of failing to read
// the trail (which named no record). PostgreSQL's timestamptz column cannot
// hold such a value.
func TestVerifyNamesRecordWithUnreadableTime(t *testing.T) {
	for _, bad := range []string{"garbage", "", "2026-13-45T99:00:00Z"} {
		t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			d := dbtest.New(t, db.SQLite)
			l := audit.New(d, c.now)
			for i := 0; i < 5; i++ {
				c.advance(time.Minute)
				if err := l.Record(ctx, entry("alice", audit.ActionChartView, fmt.Sprintf("p%d", i), audit.OutcomeShown)); err != nil {
					t.Fatal(err)
				}
			}
			tamper(t, d, "UPDATE audit_log SET at = ? WHERE seq = ?", bad, 3)
			res, err := l.Verify(ctx)
			if err != nil {
				t.Fatalf("Verify: %v, want a broken chain naming record 3", err)
			}
			if res.OK || res.FirstBroken != 3 || !strings.Contains(res.Reason, "not a valid timestamp") || !strings.Contains(res.Reason, fmt.Sprintf("%q", bad)) {
				t.Errorf("Verify = %+v, want broken at 3 (time %q not a valid timestamp)", res, bad)
			}
		})
	}
}

// An attacker who edits a record and recomputes its hash with the public
// algorithm still breaks the link to the next record.
func TestVerifyCatchesRecomputedHash(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t)
		l := audit.New(d, newClock().now)
		for i := 0; i < 3; i++ {
			if err := l.Record(ctx, entry("alice", audit.ActionChartView, "p", audit.OutcomeShown)); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := l.Query(ctx, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		r2 := recs[1] // newest first: 3, 2, 1
		r2.PatientID = "someone-else"
		forged := audit.ChainHash(r2.Seq, r2.Entry, r2.PrevHash)
		tamper(t, d, "UPDATE audit_log SET patient_id = ?, hash = ? WHERE seq = 2", r2.PatientID, forged)
		res, err := l.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK || res.FirstBroken != 3 || !strings.Contains(res.Reason, "previous-hash") {
			t.Errorf("Verify = %+v, want broken at 3 (previous-hash link)", res)
		}
	})
}

func TestAppendOnlyTriggers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t)
		l := audit.New(d, time.Now)
		if err := l.Record(ctx, entry("alice", audit.ActionSignIn, "", audit.OutcomeOK)); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{"UPDATE audit_log SET username = 'x'", "DELETE FROM audit_log"} {
			if _, err := d.ExecContext(ctx, stmt); err == nil {
				t.Errorf("%q succeeded, want append-only error", stmt)
			}
		}
		assertVerifies(t, l, 1)
	})
}

// Many goroutines on each of two handles to the same database (two
// replicas) append at once; the result must be one contiguous valid chain
// holding every record.
func TestConcurrentAppendsFromTwoReplicas(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		replicas := []*audit.Log{audit.New(tg.Open(t), time.Now), audit.New(tg.Open(t), time.Now)}
		const workers, each = 4, 15
		var wg sync.WaitGroup
		errs := make(chan error, len(replicas)*workers*each)
		for r, l := range replicas {
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < each; i++ {
						e := entry(fmt.Sprintf("r%dw%d", r, w), audit.ActionLookup, "", audit.OutcomeShown)
						e.MRN = fmt.Sprint(i)
						if err := l.Record(ctx, e); err != nil {
							errs <- err
						}
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		total := int64(len(replicas) * workers * each)
		assertVerifies(t, replicas[0], total)
		assertVerifies(t, replicas[1], total)
	})
}

// Callers fail closed: when the table cannot be written, Record errors.
func TestRecordFailsWhenTableUnwritable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t)
		l := audit.New(d, time.Now)
		if _, err := d.ExecContext(ctx, "DROP TABLE audit_log"); err != nil {
			t.Fatal(err)
		}
		if err := l.Record(ctx, entry("alice", audit.ActionChartView, "p", audit.OutcomeShown)); err == nil {
			t.Fatal("Record succeeded without an audit table, want error")
		}
	})
}

// BenchmarkRecord measures appends from one caller on each engine: every
// append is a transaction of its own, holding the database write lock for
// one read and one insert.
func BenchmarkRecord(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(dialect.String(), func(b *testing.B) {
			l := audit.New(dbtest.New(b, dialect), time.Now)
			ctx := context.Background()
			e := entry("alice", audit.ActionChartView, "p", audit.OutcomeShown)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := l.Record(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecordParallel measures appends from 25 callers per CPU at once,
// as chart views arrive under load, where concurrent appends share
// transactions; records/s is the figure to compare.
func BenchmarkRecordParallel(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(dialect.String(), func(b *testing.B) {
			l := audit.New(dbtest.New(b, dialect), time.Now)
			ctx := context.Background()
			e := entry("alice", audit.ActionChartView, "p", audit.OutcomeShown)
			b.SetParallelism(25)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := l.Record(ctx, e); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
