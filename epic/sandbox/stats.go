package sandbox

import (
	"maps"
	"sync"
)

// Stats counts the requests the sandbox has received. Benchmarks and tests use it to count upstream
// calls (for example, to prove a token is cached or a page is not fetched twice).
type Stats struct {
	TokenRequests int64            // every request to TokenPath, accepted or not
	TokenIssued   int64            // access tokens actually issued
	FHIRRequests  int64            // every request under FHIRBasePath, metadata included
	ByResource    map[string]int64 // FHIR requests by first path segment ("Patient", "metadata", …)
}

type counters struct {
	mu sync.Mutex
	s  Stats
}

func (c *counters) token() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.TokenRequests++
}

func (c *counters) issued() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.TokenIssued++
}

func (c *counters) fhir(resource string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.FHIRRequests++
	if c.s.ByResource == nil {
		c.s.ByResource = map[string]int64{}
	}
	c.s.ByResource[resource]++
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.s
	out.ByResource = maps.Clone(c.s.ByResource)
	if out.ByResource == nil {
		out.ByResource = map[string]int64{}
	}
	return out
}
