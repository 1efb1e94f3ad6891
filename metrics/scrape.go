package metrics

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Process is what a Chartside server's /metrics says about its own process. The benchmark and
// soak drivers read it from the server they run as a child process.
type Process struct {
	RSS        int64   // process_resident_memory_bytes
	HeapInUse  int64   // go_memstats_heap_inuse_bytes: the live heap, which RSS cannot show
	Goroutines int     // go_goroutines
	CPUSeconds float64 // process_cpu_seconds_total
}

// Scrape reads baseURL's /metrics on a connection of its own that is not kept, so the scrape
// leaves no server goroutine behind to be counted.
func Scrape(ctx context.Context, baseURL string) (Process, error) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		return Process{}, fmt.Errorf("metrics: scrape: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return Process{}, fmt.Errorf("metrics: scrape: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Process{}, fmt.Errorf("metrics: scrape: status %d", resp.StatusCode)
	}
	var p Process
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		switch name {
		case "process_resident_memory_bytes", "go_memstats_heap_inuse_bytes", "go_goroutines", "process_cpu_seconds_total":
		default:
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return Process{}, fmt.Errorf("metrics: scrape: %s: %w", name, err)
		}
		switch name {
		case "process_resident_memory_bytes":
			p.RSS = int64(f)
			found++
		case "go_goroutines":
			p.Goroutines = int(f)
			found++
		case "go_memstats_heap_inuse_bytes":
			p.HeapInUse = int64(f)
		case "process_cpu_seconds_total":
			p.CPUSeconds = f
		}
	}
	if err := sc.Err(); err != nil {
		return Process{}, fmt.Errorf("metrics: scrape: %w", err)
	}
	if found != 2 {
		return Process{}, fmt.Errorf("metrics: scrape: process_resident_memory_bytes or go_goroutines missing")
	}
	return p, nil
}
