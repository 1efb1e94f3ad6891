package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/chartside/chartside/metrics"
)

// ProcessSample is what the server's /metrics says about its own process.
type ProcessSample struct {
	RSS        int64   // process_resident_memory_bytes
	Goroutines int     // go_goroutines
	CPUSeconds float64 // process_cpu_seconds_total
}

// scraper reads the server's /metrics (see metrics.Scrape).
type scraper struct{ base string }

func newScraper(base string) *scraper { return &scraper{base: base} }

func (s *scraper) sample(ctx context.Context) (ProcessSample, error) {
	p, err := metrics.Scrape(ctx, s.base)
	if err != nil {
		return ProcessSample{}, fmt.Errorf("bench: %w", err)
	}
	return ProcessSample{RSS: p.RSS, Goroutines: p.Goroutines, CPUSeconds: p.CPUSeconds}, nil
}

// peakSampler samples every interval until stopped and keeps the peaks.
type peakSampler struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	peak ProcessSample
	err  error
}

func (s *scraper) watch(ctx context.Context, every time.Duration) *peakSampler {
	p := &peakSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			smp, err := s.sample(ctx)
			p.mu.Lock()
			if err != nil && p.err == nil {
				p.err = err
			}
			p.peak.RSS = max(p.peak.RSS, smp.RSS)
			p.peak.Goroutines = max(p.peak.Goroutines, smp.Goroutines)
			p.mu.Unlock()
			select {
			case <-p.stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// finish stops sampling and returns the peaks seen.
func (p *peakSampler) finish() (ProcessSample, error) {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak, p.err
}
