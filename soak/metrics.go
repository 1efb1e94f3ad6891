package soak

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sample is the server's own account of its process at one moment of the run.
type Sample struct {
	At         time.Duration // since the clients started (negative: before)
	RSS        int64         // process_resident_memory_bytes
	HeapInUse  int64         // go_memstats_heap_inuse_bytes: live heap, what RSS cannot show
	Goroutines int           // go_goroutines
	Requests   int           // requests the clients had completed by then
}

// scrape reads the server's /metrics on a connection of its own that is not kept, so the scrape
// leaves no server goroutine behind to be counted.
func scrape(ctx context.Context, base string) (Sample, error) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return Sample{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return Sample{}, fmt.Errorf("soak: metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Sample{}, fmt.Errorf("soak: metrics: status %d", resp.StatusCode)
	}
	var s Sample
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || (name != "process_resident_memory_bytes" && name != "go_goroutines" && name != "go_memstats_heap_inuse_bytes") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return Sample{}, fmt.Errorf("soak: metrics: %s: %w", name, err)
		}
		switch name {
		case "go_goroutines":
			s.Goroutines = int(f)
			found++
		case "process_resident_memory_bytes":
			s.RSS = int64(f)
			found++
		default:
			s.HeapInUse = int64(f)
		}
	}
	if err := sc.Err(); err != nil {
		return Sample{}, fmt.Errorf("soak: metrics: %w", err)
	}
	if found != 2 {
		return Sample{}, fmt.Errorf("soak: metrics: process_resident_memory_bytes or go_goroutines missing")
	}
	return s, nil
}
