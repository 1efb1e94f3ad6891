package audit_test

// Group commit: concurrent callers share transactions and build one chain.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db/dbtest"
)

// mrnEntry is a lookup whose MRN tells the records apart.
func mrnEntry(mrn string) audit.Entry {
	e := entry("alice", audit.ActionLookup, "", audit.OutcomeShown)
	e.MRN = mrn
	return e
}

// recordAll makes n Record calls at once, released together, spread
// round-robin over logs (replicas). Call i records MRN "m<i>" under ctxFor(i).
// It returns each call's error, by i.
func recordAll(logs []*audit.Log, n int, ctxFor func(i int) context.Context) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = logs[i%len(logs)].Record(ctxFor(i), mrnEntry(fmt.Sprintf("m%d", i)))
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func background(int) context.Context { return context.Background() }

// assertStored checks that the trail holds exactly the records with these
// MRNs, each once.
func assertStored(t *testing.T, l *audit.Log, mrns []string) {
	t.Helper()
	recs, err := l.Query(context.Background(), audit.Filter{Limit: audit.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.MRN)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(mrns))
	if !slices.Equal(got, want) {
		t.Errorf("stored MRNs %v, want %v", got, want)
	}
}

func mrnRange(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("m%d", i))
	}
	return out
}

// Many callers at once: every record is stored once, in one contiguous valid
// chain that exports whole, and far fewer transactions than records were
// needed.
func TestConcurrentRecordsShareTransactions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		const n = 500
		l := audit.New(tg.Open(t), time.Now)
		for i, err := range recordAll([]*audit.Log{l}, n, background) {
			if err != nil {
				t.Errorf("record %d: %v", i, err)
			}
		}
		assertVerifies(t, l, n)
		assertStored(t, l, mrnRange(n))
		var buf bytes.Buffer
		if err := l.Export(context.Background(), &buf, audit.Filter{}, audit.FormatCSV); err != nil {
			t.Fatal(err)
		}
		if rows, err := csv.NewReader(&buf).ReadAll(); err != nil || len(rows) != n+1 {
			t.Errorf("CSV export: %d rows (err %v), want header + %d", len(rows), err, n)
		}
		commits := l.Commits()
		t.Logf("%d records in %d transactions", n, commits)
		if commits > n/5 {
			t.Errorf("%d records took %d transactions, want them grouped (at most %d)", n, commits, n/5)
		}
	})
}

// Two replicas batching their own callers still build one chain: the batches
// are serialised by the database lock, not by either process.
func TestConcurrentBatchesFromTwoReplicasFormOneChain(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		const n = 500
		replicas := []*audit.Log{audit.New(tg.Open(t), time.Now), audit.New(tg.Open(t), time.Now)}
		for i, err := range recordAll(replicas, n, background) {
			if err != nil {
				t.Errorf("record %d (replica %d): %v", i, i%2, err)
			}
		}
		assertVerifies(t, replicas[0], n)
		assertVerifies(t, replicas[1], n)
		assertStored(t, replicas[0], mrnRange(n))
		t.Logf("replica transactions: %d and %d", replicas[0].Commits(), replicas[1].Commits())
	})
}
