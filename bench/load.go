package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/chartside/chartside/epic"
)

// LoadRow is one load level: Clients signed-in browsers loading charts back to back for Duration.
type LoadRow struct {
	Clients  int
	Duration time.Duration // measured wall time of the level
	Charts   int64         // complete chart loads (page and every section)
	Requests int64         // HTTP requests
	Errors   int64         // failed requests (transport error or unexpected status)

	ChartsPerSec, RequestsPerSec float64
	// Latency of the chart page request (what "chart pages/s" and the p99 target count).
	PageP50, PageP95, PageP99 time.Duration
	// Latency of a complete chart (page, then every section in parallel).
	ChartP50, ChartP95, ChartP99 time.Duration

	ServerCPU         time.Duration // the server process's CPU time during the level
	PeakRSS           int64         // bytes, highest process_resident_memory_bytes seen during the level
	GoroutinesBefore  int
	PeakGoroutines    int
	GoroutinesAfter   int // once the clients closed their connections and the server settled
	FirstErrorExample string
}

// loadClient is a signed-in browser with its patient's chart already looked up.
type loadClient struct {
	br    *Browser
	chart string
}

// prepareClients signs in n browsers and has each look up one of mrns (round robin), one at a time:
// sign-in runs argon2id and the point is the chart load, not a sign-in storm (which, on PostgreSQL,
// also trips a race in the sign-in throttle: see BENCHMARKS.md).
func prepareClients(ctx context.Context, base, user string, n int, mrns []string) ([]*loadClient, error) {
	out := make([]*loadClient, n)
	sem := make(chan struct{}, 1)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := newLoadClient(ctx, base, user, mrns[i%len(mrns)])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("client %d: %w", i, err))
				return
			}
			out[i] = c
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("bench: sign in load clients: %w", err)
	}
	return out, nil
}

func newLoadClient(ctx context.Context, base, user, mrn string) (*loadClient, error) {
	br, err := NewBrowser(base)
	if err != nil {
		return nil, err
	}
	if err := br.SignIn(ctx, user, benchPassword); err != nil {
		return nil, err
	}
	chart, err := br.Lookup(ctx, mrn)
	if err != nil {
		return nil, err
	}
	return &loadClient{br: br, chart: chart}, nil
}

// runLoad has the first n clients load their charts again and again until d has passed, and
// samples the server's memory and goroutines meanwhile. Requests in flight when d ends are
// completed and counted; nothing new starts after it. Every client's idle connections are closed
// before and after, so the goroutine counts compare like with like.
func runLoad(ctx context.Context, sc *scraper, all []*loadClient, n int, d, settle time.Duration) (LoadRow, error) {
	clients := all[:n]
	row := LoadRow{Clients: n}
	closeAll(all)
	before, err := settledGoroutines(ctx, sc, -1, settle)
	if err != nil {
		return row, err
	}
	row.GoroutinesBefore = before

	var (
		mu           sync.Mutex
		pages, whole []time.Duration
		wg           sync.WaitGroup
	)
	cpuBefore, err := sc.sample(ctx)
	if err != nil {
		return row, err
	}
	watch := sc.watch(ctx, 200*time.Millisecond)
	start := time.Now()
	deadline := start.Add(d)
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				ch, err := c.br.LoadChart(ctx, c.chart)
				mu.Lock()
				row.Requests += int64(ch.Requests)
				if err != nil {
					row.Errors++ // a chart with a failed request counts once
					if row.FirstErrorExample == "" {
						row.FirstErrorExample = err.Error()
					}
				} else {
					row.Charts++
					pages = append(pages, ch.FirstByte)
					whole = append(whole, ch.Complete)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	row.Duration = time.Since(start)
	peak, err := watch.finish()
	if err != nil {
		return row, err
	}
	row.PeakRSS, row.PeakGoroutines = peak.RSS, peak.Goroutines
	cpuAfter, err := sc.sample(ctx)
	if err != nil {
		return row, err
	}
	row.ServerCPU = time.Duration((cpuAfter.CPUSeconds - cpuBefore.CPUSeconds) * float64(time.Second))

	secs := row.Duration.Seconds()
	row.ChartsPerSec, row.RequestsPerSec = float64(row.Charts)/secs, float64(row.Requests)/secs
	slices.Sort(pages)
	slices.Sort(whole)
	row.PageP50, row.PageP95, row.PageP99 = percentile(pages, 50), percentile(pages, 95), percentile(pages, 99)
	row.ChartP50, row.ChartP95, row.ChartP99 = percentile(whole, 50), percentile(whole, 95), percentile(whole, 99)

	closeAll(all)
	after, err := settledGoroutines(ctx, sc, row.GoroutinesBefore+EpicIdlePoolGoroutines, settle)
	if err != nil {
		return row, err
	}
	row.GoroutinesAfter = after
	return row, nil
}

// EpicIdlePoolGoroutines is how many goroutines the server may keep after a load level beyond its
// count before it: the connections to Epic its HTTP client keeps idle for the next requests (two
// goroutines each, for the transport's idle timeout). Anything that grows with the load, such as a
// goroutine left per request, is far more.
const EpicIdlePoolGoroutines = 2 * epic.DefaultMaxIdleConnsPerHost

// closeAll closes every client's idle connections, as closing the browser tabs would.
func closeAll(clients []*loadClient) {
	for _, c := range clients {
		c.br.CloseIdleConnections()
	}
}

// settledGoroutines polls the server's goroutine count until it reaches target (or, with target
// < 0, has not changed for a second) or settle passes, and returns the last count. Connections the
// clients just closed take a moment to be noticed by the server.
func settledGoroutines(ctx context.Context, sc *scraper, target int, settle time.Duration) (int, error) {
	const every, steadyFor = 100 * time.Millisecond, 10
	end := time.Now().Add(settle)
	last, steady := -1, 0
	for {
		s, err := sc.sample(ctx)
		if err != nil {
			return 0, err
		}
		if s.Goroutines == last {
			steady++
		} else {
			last, steady = s.Goroutines, 0
		}
		if (target >= 0 && s.Goroutines <= target) || (target < 0 && steady >= steadyFor) || time.Now().After(end) {
			return s.Goroutines, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(every):
		}
	}
}
