package soak

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chartside/chartside/epic"
)

// Results are everything one soak run measured.
type Results struct {
	Config     Config
	Elapsed    time.Duration // load phase: first iteration to last
	Iterations int
	Views      views // PHI views the clients completed
	Rows       []LatencyRow
	Samples    []Sample // baseline, one per interval, and the settled state after the clients left
	Injected   int64    // Epic failures injected
	Messages   int      // responses that showed an Epic failure as a message
	Errors     map[string]int
	Audit      AuditCounts
	Upstream   int64 // requests the sandbox answered (token and FHIR)
}

// Throughput is completed requests (sign-ins excluded) per second of the load phase.
func (r *Results) Throughput() float64 {
	n := 0
	for _, row := range r.Rows {
		if row.Kind != kindSignIn && row.Kind != "all (sign-in excluded)" {
			n += row.Requests
		}
	}
	return float64(n) / r.Elapsed.Seconds()
}

// kindOrder is the report's row order.
var kindOrder = []string{kindSignIn, kindLookup, kindChart, kindSection, kindEncounter, kindAnalyte}

// signInParallelism bounds concurrent sign-ins: each one hashes a password with argon2id at its
// production cost, which is memory-hard by design.
const signInParallelism = 4

// Run performs one soak run. ctx cancels it early (the clients finish their iteration first).
func Run(ctx context.Context, cfg Config) (*Results, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	up, err := startUpstream(cfg.Patients, cfg.Latency, cfg.FailRate, cfg.Seed)
	if err != nil {
		return nil, err
	}
	defer up.close(context.Background())
	env, err := serverEnv(up, cfg.Dir)
	if err != nil {
		return nil, err
	}
	if cfg.DatabaseURL != "" {
		env["DATABASE_URL"] = cfg.DatabaseURL
	}
	if err := addStaff(ctx, cfg.Web, env); err != nil {
		return nil, err
	}
	logs := cfg.ServerLog
	if logs == nil {
		f, err := os.Create(filepath.Join(cfg.Dir, "server.log"))
		if err != nil {
			return nil, fmt.Errorf("soak: %w", err)
		}
		defer f.Close()
		logs = f
	}
	srv, err := startServer(ctx, cfg.Web, env, logs)
	if err != nil {
		return nil, err
	}
	running := true
	defer func() {
		if running {
			_ = srv.stop()
		}
	}()

	res := &Results{Config: cfg}
	rec := newRecorder()
	clients := make([]*client, cfg.Clients)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(signInParallelism)
	for i := range clients {
		g.Go(func() error {
			c, err := newClient(srv.url, rec)
			if err != nil {
				return err
			}
			clients[i] = c
			return c.signIn(gctx)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("soak: sign in: %w", err)
	}
	base, err := scrape(ctx, srv.url)
	if err != nil {
		return nil, err
	}
	base.At = 0
	res.Samples = append(res.Samples, base)
	progress(cfg.Progress, base)

	start := time.Now()
	var deadline time.Time
	if cfg.Duration > 0 {
		deadline = start.Add(cfg.Duration)
	}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
			for n := 0; cfg.MaxIterations == 0 || n < cfg.MaxIterations; n++ {
				if ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline)) {
					return
				}
				mrn := strconv.Itoa(300001 + rnd.IntN(cfg.Patients))
				// The iteration is never cut short: a view the server audited is a view the
				// client counted, so the audit trail can be reconciled exactly.
				v, _ := c.iteration(context.Background(), mrn)
				mu.Lock()
				res.Iterations++
				res.Views.lookups += v.lookups
				res.Views.charts += v.charts
				res.Views.encounters += v.encounters
				res.Views.analytes += v.analytes
				mu.Unlock()
				if cfg.Think > 0 {
					pause(ctx, time.Duration(rnd.Int64N(int64(2*cfg.Think)+1)))
				}
			}
		}()
	}
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(cfg.SampleEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s, err := scrape(context.Background(), srv.url)
				if err != nil {
					rec.note("metrics", err.Error())
					continue
				}
				s.At, s.Requests = time.Since(start), rec.total("", true)
				mu.Lock()
				res.Samples = append(res.Samples, s)
				mu.Unlock()
				progress(cfg.Progress, s)
			}
		}
	}()
	wg.Wait()
	res.Elapsed = time.Since(start)
	close(done)
	<-sampled

	// The clients leave: their connections close, and the server should come back to where it was.
	for _, c := range clients {
		c.close()
	}
	settled := settle(srv.url, base.Goroutines)
	settled.At, settled.Requests = time.Since(start), rec.total("", true)
	res.Samples = append(res.Samples, settled)
	progress(cfg.Progress, settled)

	running = false
	if err := srv.stop(); err != nil {
		return nil, err
	}
	res.Audit, err = readAudit(context.Background(), cfg.DatabaseURL, srv.dataDir)
	if err != nil {
		return nil, err
	}
	res.Rows = rec.rows(kindOrder)
	res.Injected = up.injected.Load()
	res.Messages = rec.total(outcomeMessage, true)
	res.Errors = rec.errorReasons()
	st := up.sb.Stats()
	res.Upstream = st.TokenRequests + st.FHIRRequests
	return res, nil
}

// settleSlack is how far above the baseline the server's goroutines may stay once the clients
// have gone: a little background work plus the connections to Epic its HTTP client keeps idle
// (two goroutines each, for the transport's idle timeout). A leak grows with the load: thousands.
const settleSlack = 5 + 2*epic.DefaultMaxIdleConnsPerHost

// settle samples the server until its goroutines are back near the baseline (background work
// finished, connections closed) or 30 seconds have passed, and returns the last sample.
func settle(base string, baseline int) Sample {
	var last Sample
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		s, err := scrape(context.Background(), base)
		if err == nil {
			last = s
			if s.Goroutines <= baseline+settleSlack {
				return s
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	return last
}

func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func progress(w io.Writer, s Sample) {
	if w == nil {
		return
	}
	fmt.Fprintf(w, "soak: %6.1fs  RSS %6.1f MiB  heap %6.1f MiB  goroutines %5d  requests %d\n", s.At.Seconds(), float64(s.RSS)/(1<<20), float64(s.HeapInUse)/(1<<20), s.Goroutines, s.Requests)
}
