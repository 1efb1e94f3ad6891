package handlers

import (
	"sync"

	"github.com/chartside/chartside/epic"
)

// prefetchWorkers bounds how many section prefetches run at once. Epic gets no more than its
// client's connections anyway (epic.DefaultMaxConnsPerHost); a quarter of those stay free for what
// a clinician is waiting on right now: lookups and the patient of a chart's banner, which do not
// queue here. Under load the rest wait as queued functions rather than as goroutines blocked on a
// connection, each with its own stack (about 850 of them at 200 clients: BENCHMARKS.md).
const prefetchWorkers = epic.DefaultMaxConnsPerHost * 3 / 4

// fetchQueue runs jobs in arrival order on at most max goroutines, started as jobs arrive and
// ended when none are left. It is safe for concurrent use.
type fetchQueue struct {
	max     int
	mu      sync.Mutex
	running int
	jobs    []func() // waiting, oldest first
}

func newFetchQueue(max int) *fetchQueue { return &fetchQueue{max: max} }

// submit runs job on a free worker, or queues it until one is free.
func (q *fetchQueue) submit(job func()) {
	q.mu.Lock()
	if q.running < q.max {
		q.running++
		q.mu.Unlock()
		go q.work(job)
		return
	}
	q.jobs = append(q.jobs, job)
	q.mu.Unlock()
}

// work runs job, then queued jobs until there are none.
func (q *fetchQueue) work(job func()) {
	for job != nil {
		job()
		job = q.next()
	}
}

// next takes the oldest queued job, or retires the worker (nil) when there is none.
func (q *fetchQueue) next() func() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		q.running--
		q.jobs = nil // let a grown backlog's array go
		return nil
	}
	job := q.jobs[0]
	q.jobs[0] = nil
	q.jobs = q.jobs[1:]
	return job
}
