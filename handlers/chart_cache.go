package handlers

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
)

// Prefetching. The chart page starts every section's default Epic search the moment it is
// requested, in parallel, and the section requests htmx sends a few milliseconds later pick the
// results up here instead of each starting its own round trip. The patient found by a lookup is
// kept too, so the banner needs no second Epic request. Entries are short-lived and keyed by the
// session-scoped handle; handlers resolve the handle against the session before they look here, and
// an entry's data is only served once the chart view that started it has been audited.
const (
	// chartCacheTTL is how long prefetched results may be served: long enough for the page's
	// section requests to arrive (they follow the page within a second, even on a slow kiosk),
	// short enough that a later visit sees fresh data and memory is handed back quickly.
	chartCacheTTL = 10 * time.Second
	// chartCacheMax bounds memory under load; the oldest entries are dropped first. The soak run
	// held ~1,000 whole charts at 30 s / 1,000 entries and its heap reached 500–700 MiB.
	chartCacheMax = 256
	// prefetchTimeout bounds a background fetch nobody may be waiting for.
	prefetchTimeout = 30 * time.Second
)

// pending is one fetch, possibly still running.
type pending[T any] struct {
	done chan struct{}
	val  T
	err  error
	at   time.Time // when the fetch finished: the section's "as of"
}

func resolved[T any](v T, at time.Time) *pending[T] {
	p := &pending[T]{done: make(chan struct{}), val: v, at: at}
	close(p.done)
	return p
}

// wait returns the fetch's result, or ctx's error if the caller gives up first.
func (p *pending[T]) wait(ctx context.Context) (T, time.Time, error) {
	select {
	case <-p.done:
		return p.val, p.at, p.err
	case <-ctx.Done():
		var zero T
		return zero, time.Time{}, ctx.Err()
	}
}

// chartEntry is what one chart view prefetched for one patient.
type chartEntry struct {
	patientID string
	created   time.Time
	cancel    context.CancelFunc // stops the entry's fetches when nobody will read them
	audited   bool               // the chart view that started it was recorded; only then is it served
	// unread counts the section reads still expected (chartSectionReads at the start); the last one
	// releases the section results, so a shown chart's decoded Epic data is not held for the rest
	// of the TTL (under load that was one whole chart per client: BENCHMARKS.md). The section
	// fields are read and cleared under chartCache.mu.
	unread     int
	patient    *pending[fhir.Patient]
	encounters *pending[timelineData]
	vitals     *pending[epic.Result[fhir.Observation]]
	labs       *pending[epic.Result[fhir.Observation]]
	social     *pending[epic.Result[fhir.Observation]]
}

// chartCache holds chart entries by handle. It is safe for concurrent use.
type chartCache struct {
	now     func() time.Time
	wg      sync.WaitGroup // background fetches, so shutdown and tests can wait for them
	queue   *fetchQueue    // section prefetches
	mu      sync.Mutex
	entries map[string]*chartEntry
}

func newChartCache(now func() time.Time) *chartCache {
	return &chartCache{now: now, queue: newFetchQueue(prefetchWorkers), entries: map[string]*chartEntry{}}
}

// prefetchContext is the context of one chart's background fetches: detached from the request that
// started them (the section requests that will wait for them are other requests), bounded by
// prefetchTimeout, and cancelled early when the chart view is dropped.
func prefetchContext(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(parent), prefetchTimeout)
}

// goFetch runs fetch in the background, on a goroutine of its own, with ctx (see
// prefetchContext) and calls finished after. It is for what a page waits on (the banner's patient).
func goFetch[T any](cc *chartCache, ctx context.Context, fetch func(context.Context) (T, error), finished func()) *pending[T] {
	p, run := startFetch(cc, ctx, fetch, finished)
	go run()
	return p
}

// queueFetch is goFetch for section data: the fetch waits its turn in the cache's queue.
func queueFetch[T any](cc *chartCache, ctx context.Context, fetch func(context.Context) (T, error), finished func()) *pending[T] {
	p, run := startFetch(cc, ctx, fetch, finished)
	cc.queue.submit(run)
	return p
}

// startFetch returns the pending result of fetch and the function that fills it in.
func startFetch[T any](cc *chartCache, ctx context.Context, fetch func(context.Context) (T, error), finished func()) (*pending[T], func()) {
	p := &pending[T]{done: make(chan struct{})}
	cc.wg.Add(1)
	return p, func() {
		defer cc.wg.Done()
		p.val, p.err = fetch(ctx)
		p.at = cc.now()
		close(p.done)
		finished()
	}
}

// countdown returns a func that runs f on its n-th call.
func countdown(n int32, f func()) func() {
	var left atomic.Int32
	left.Store(n)
	return func() {
		if left.Add(-1) == 0 {
			f()
		}
	}
}

// rememberPatient keeps the patient a lookup just found, so the chart page right after it needs
// no Patient read.
func (cc *chartCache) rememberPatient(handle string, p fhir.Patient) {
	now := cc.now()
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.sweepLocked(now)
	cc.entries[handle] = &chartEntry{patientID: p.ID, created: now, patient: resolved(p, now)}
}

// prefetched returns the patient a recent lookup found for handle, if any.
func (cc *chartCache) prefetchedPatient(handle, patientID string) *pending[fhir.Patient] {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.freshLocked(handle, patientID)
	if e == nil {
		return nil
	}
	return e.patient
}

// store puts a new entry for handle (replacing any older one) and returns it.
func (cc *chartCache) store(handle string, e *chartEntry) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.sweepLocked(e.created)
	cc.entries[handle] = e
}

// markAudited allows e's data to be served to section requests.
func (cc *chartCache) markAudited(handle string, e *chartEntry) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.entries[handle] == e {
		e.audited = true
	}
}

// drop forgets e (the chart view failed or was not recorded) and stops its fetches.
func (cc *chartCache) drop(handle string, e *chartEntry) {
	if e.cancel != nil {
		e.cancel()
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.entries[handle] == e {
		delete(cc.entries, handle)
	}
}

// audited returns the audited, fresh entry for handle and patientID, or nil.
func (cc *chartCache) audited(handle, patientID string) *chartEntry {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.freshLocked(handle, patientID)
	if e == nil || !e.audited {
		return nil
	}
	return e
}

// takePrefetched returns pick(e) for a section request and counts the read; after the last
// expected read the entry lets go of the section results (the patient stays for the banner of
// later pages). Requests after that fetch from Epic again.
func takePrefetched[T any](cc *chartCache, e *chartEntry, pick func(*chartEntry) *pending[T]) *pending[T] {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	p := pick(e)
	if p == nil {
		return nil
	}
	if e.unread--; e.unread <= 0 {
		e.encounters, e.vitals, e.labs, e.social = nil, nil, nil, nil
	}
	return p
}

func (cc *chartCache) freshLocked(handle, patientID string) *chartEntry {
	e := cc.entries[handle]
	if e == nil || e.patientID != patientID || cc.now().Sub(e.created) > chartCacheTTL {
		return nil
	}
	return e
}

// sweepLocked drops expired entries and, over the cap, the oldest ones.
func (cc *chartCache) sweepLocked(now time.Time) {
	for h, e := range cc.entries {
		if now.Sub(e.created) > chartCacheTTL {
			delete(cc.entries, h)
		}
	}
	for len(cc.entries) >= chartCacheMax {
		var oldestH string
		var oldest time.Time
		for h, e := range cc.entries {
			if oldestH == "" || e.created.Before(oldest) {
				oldestH, oldest = h, e.created
			}
		}
		delete(cc.entries, oldestH)
	}
}

// Wait blocks until background Epic fetches started by chart pages have finished. cmd/web calls it
// after the HTTP server has shut down; tests call it to prove nothing is left running.
func (s *Server) Wait() { s.charts.wg.Wait() }
