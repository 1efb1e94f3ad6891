package bench

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ProcessSample is what the server's /metrics says about its own process.
type ProcessSample struct {
	RSS        int64   // process_resident_memory_bytes
	Goroutines int     // go_goroutines
	CPUSeconds float64 // process_cpu_seconds_total
}

// scraper reads the server's /metrics without keeping a connection open, so the scrape itself
// leaves no server goroutine behind to be counted.
type scraper struct {
	url    string
	client *http.Client
}

func newScraper(base string) *scraper {
	return &scraper{url: base + "/metrics", client: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}}
}

func (s *scraper) sample(ctx context.Context) (ProcessSample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return ProcessSample{}, fmt.Errorf("bench: metrics: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return ProcessSample{}, fmt.Errorf("bench: metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ProcessSample{}, fmt.Errorf("bench: metrics: status %d", resp.StatusCode)
	}
	var out ProcessSample
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		switch name {
		case "process_resident_memory_bytes":
			f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				return ProcessSample{}, fmt.Errorf("bench: metrics: %s: %w", name, err)
			}
			out.RSS = int64(f)
			found++
		case "process_cpu_seconds_total":
			f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				return ProcessSample{}, fmt.Errorf("bench: metrics: %s: %w", name, err)
			}
			out.CPUSeconds = f
		case "go_goroutines":
			f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				return ProcessSample{}, fmt.Errorf("bench: metrics: %s: %w", name, err)
			}
			out.Goroutines = int(f)
			found++
		}
	}
	if err := sc.Err(); err != nil {
		return ProcessSample{}, fmt.Errorf("bench: metrics: %w", err)
	}
	if found != 2 {
		return ProcessSample{}, fmt.Errorf("bench: metrics: process_resident_memory_bytes or go_goroutines missing")
	}
	return out, nil
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
