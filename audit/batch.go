package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Group commit.
//
// Each append costs a transaction that holds the database's write lock for
// several round trips and an fsync, so one transaction per record capped chart
// pages at ~75/s on PostgreSQL under load, the pages queueing behind each
// other's appends (BENCHMARKS.md). Concurrent Record calls therefore share
// transactions:
//
//   - a caller queues its entry and waits;
//   - the caller that finds nobody writing takes the writer role, takes
//     every queued entry (up to maxBatch), appends them in one transaction,
//     and answers each of their callers with its outcome;
//   - meanwhile newcomers queue; when the writer is done it hands the role to
//     the caller at the head of the queue rather than writing on, so each
//     caller writes at most one batch, the one that holds its own entry, and
//     no page waits for other people's records beyond that;
//   - a caller whose context ends while still queued leaves the queue and is
//     never written; once taken into a batch it waits for that batch's
//     outcome (see abandon).
//
// No goroutine is started: the writer is always one of the callers, and an
// idle Log holds nothing.

// maxBatch caps the records in one transaction, so one transaction's lock
// time and statement size stay bounded however long the queue grows.
const maxBatch = 256

// batchTimeout bounds one batch transaction. It is not taken from any
// caller's context: the transaction holds other callers' records too, and one
// caller giving up must not fail them.
const batchTimeout = 30 * time.Second

// errBatchAborted is what the callers in a batch get if writing it ended
// without an outcome (a panic in the writer).
var errBatchAborted = errors.New("batch write aborted")

// pending is one queued Record call. taken, and the queue itself, are guarded
// by Log.mu.
type pending struct {
	ctx   context.Context
	entry Entry
	done  chan error    // receives the outcome once; buffered so the writer never waits
	lead  chan struct{} // receives once when this caller is handed the writer role
	taken bool          // removed from the queue by a writer: the outcome is or will be on done
}

// enqueueAndWait queues e and returns the outcome of the transaction that
// wrote it, writing that transaction itself if handed the writer role.
func (l *Log) enqueueAndWait(ctx context.Context, e Entry) error {
	p := &pending{ctx: ctx, entry: e, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	l.mu.Lock()
	l.queue = append(l.queue, p)
	if !l.writing {
		l.writing = true
		p.lead <- struct{}{}
	}
	l.mu.Unlock()
	for {
		select {
		case err := <-p.done:
			return err
		case <-p.lead:
			l.writeBatch()
		case <-ctx.Done():
			return l.abandon(p)
		}
	}
}

// abandon handles p's caller giving up. Still queued, the entry is removed
// and never written. Already taken, its transaction has begun and may commit,
// so the caller waits for the real outcome instead (at most batchTimeout)
// rather than being told "not recorded" about a record that is.
func (l *Log) abandon(p *pending) error {
	l.mu.Lock()
	if p.taken {
		l.mu.Unlock()
		return <-p.done
	}
	if i := slices.Index(l.queue, p); i >= 0 {
		l.queue = slices.Delete(l.queue, i, i+1)
	}
	select {
	case <-p.lead:
		// Handed the writer role at the moment it gave up: pass it on.
		l.handOff()
	default:
	}
	l.mu.Unlock()
	return fmt.Errorf("not written: %w", p.ctx.Err())
}

// writeBatch writes the entries at the head of the queue in one transaction
// and answers their callers, then hands the writer role on. The caller holds
// the writer role.
func (l *Log) writeBatch() {
	batch := l.takeBatch()
	err := errBatchAborted
	defer func() {
		for _, p := range batch {
			p.done <- err
		}
		l.mu.Lock()
		l.handOff()
		l.mu.Unlock()
	}()
	if len(batch) == 0 {
		return
	}
	entries := make([]Entry, len(batch))
	for i, p := range batch {
		entries[i] = p.entry
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	err = l.appendBatch(ctx, entries)
}

// takeBatch removes up to maxBatch entries from the head of the queue, in
// queue order. Callers whose context has already ended are answered at once
// and left out: they are still deciding not to wait, and nothing of theirs
// has been written.
func (l *Log) takeBatch() []*pending {
	l.mu.Lock()
	defer l.mu.Unlock()
	var batch []*pending
	n := 0
	for n < len(l.queue) && len(batch) < maxBatch {
		p := l.queue[n]
		n++
		p.taken = true
		if err := p.ctx.Err(); err != nil {
			p.done <- fmt.Errorf("not written: %w", err)
			continue
		}
		batch = append(batch, p)
	}
	clear(l.queue[:n]) // let answered callers' entries be collected
	l.queue = l.queue[n:]
	return batch
}

// handOff gives the writer role to the caller at the head of the queue, or
// releases it when nobody is waiting. l.mu must be held.
func (l *Log) handOff() {
	if len(l.queue) == 0 {
		l.writing = false
		return
	}
	l.queue[0].lead <- struct{}{}
}
