package handlers

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// TestFetchQueue: never more than max jobs at once (and max when there are that many), queued
// jobs in arrival order, and no worker left once the queue is empty (nothing keeps running
// between charts).
func TestFetchQueue(t *testing.T) {
	for _, limit := range []int{1, 3} {
		const n = 20
		q := newFetchQueue(limit)
		var (
			mu            sync.Mutex
			started       []int
			running, most int
			release       = make(chan struct{})
			done          sync.WaitGroup
		)
		for i := range n {
			done.Add(1)
			q.submit(func() {
				defer done.Done()
				mu.Lock()
				started = append(started, i)
				running++
				most = max(most, running)
				mu.Unlock()
				<-release
				mu.Lock()
				running--
				mu.Unlock()
			})
		}
		waitUntil(t, func() bool { mu.Lock(); defer mu.Unlock(); return running == limit })
		q.mu.Lock()
		queued := len(q.jobs)
		q.mu.Unlock()
		if queued != n-limit {
			t.Errorf("max %d: %d jobs queued, want %d", limit, queued, n-limit)
		}
		close(release)
		done.Wait()
		if most != limit {
			t.Errorf("max %d: %d jobs ran at once", limit, most)
		}
		if limit == 1 && !slices.IsSorted(started) {
			t.Errorf("one worker ran jobs in order %v, want arrival order", started)
		}
		waitUntil(t, func() bool {
			q.mu.Lock()
			defer q.mu.Unlock()
			return q.running == 0 && q.jobs == nil
		})
	}
}

// waitUntil polls cond for up to five seconds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
	}
}
