package soak

import (
	"context"
	"fmt"
	"time"

	"github.com/chartside/chartside/metrics"
)

// Sample is the server's own account of its process at one moment of the run.
type Sample struct {
	At         time.Duration // since the clients started (negative: before)
	RSS        int64         // process_resident_memory_bytes
	HeapInUse  int64         // go_memstats_heap_inuse_bytes: live heap, what RSS cannot show
	Goroutines int           // go_goroutines
	Requests   int           // requests the clients had completed by then
}

// scrape reads the server's /metrics (see metrics.Scrape).
func scrape(ctx context.Context, base string) (Sample, error) {
	p, err := metrics.Scrape(ctx, base)
	if err != nil {
		return Sample{}, fmt.Errorf("soak: %w", err)
	}
	return Sample{RSS: p.RSS, HeapInUse: p.HeapInUse, Goroutines: p.Goroutines}, nil
}
