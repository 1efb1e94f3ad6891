package epic

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Client talks to one Epic FHIR R4 server. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base *url.URL
	now  func() time.Time // the clock; tests replace it

	breakerMu sync.Mutex
	breakers  map[string]*breaker // one per FHIR resource type (breakerFor)

	tokenGroup   singleflight.Group
	mu           sync.Mutex // guards the fields below
	token        string
	tokenUntil   time.Time // stop using the token after this (expiry minus a margin)
	tokenScope   string
	tokenErr     error         // the last token exchange's error, nil after a success
	tokenTried   time.Time     // when the last token exchange started (CheckToken's rate limit)
	tokenRunning chan struct{} // closed when the exchange in flight finishes; nil when none is
	tokenDone    bool          // a token exchange has finished, well or not
	tokenURL     string        // configured or discovered

	decoding chan struct{} // a slot per large body being decoded (decodeTurn)

	// stopping ends when Shutdown is called: token exchanges in flight are cancelled then, and
	// reported as cancelled rather than as Epic's answer.
	stopping context.Context
	stop     context.CancelFunc
}

// New validates cfg and returns a Client. It makes no request: the token URL is discovered and
// the first token fetched when first needed.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(cfg.FHIRBaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: FHIR base URL: %w", ErrConfig, err)
	}
	c := &Client{cfg: cfg, base: base, now: time.Now, tokenURL: cfg.TokenURL,
		decoding: make(chan struct{}, runtime.GOMAXPROCS(0)), breakers: map[string]*breaker{}}
	c.stopping, c.stop = context.WithCancel(context.Background())
	// Made now rather than on first use, so Breakers lists every resource type from the start and
	// a dashboard shows "closed" rather than nothing for a resource not yet asked for.
	for _, r := range breakerResources {
		c.breakerFor(r)
	}
	return c, nil
}

func (c *Client) clock() time.Time { return c.now() }

// breakerFor is the circuit breaker of one FHIR resource type ("Patient", "Encounter",
// "Observation"), made on first use. One breaker per type, not one for the client: Epic serves
// each resource from its own backend, and one resource failing (Observation searches timing out
// while Patient and Encounter answer) must not stop the others. With a single breaker, the
// retries of one chart's failing Observation searches opened it for every lookup, of every
// clinician, for the whole cooldown. Each breaker has the configured threshold and cooldown.
func (c *Client) breakerFor(resource string) *breaker {
	c.breakerMu.Lock()
	defer c.breakerMu.Unlock()
	b := c.breakers[resource]
	if b == nil {
		b = &breaker{threshold: c.cfg.BreakerThreshold, cooldown: c.cfg.BreakerCooldown, now: c.clock}
		c.breakers[resource] = b
	}
	return b
}

// Shutdown cancels the token exchange in flight, if any, and any started later; they are logged as
// cancelled by shutdown, not as failures. Call it when the server starts shutting down, before it
// stops listening, when the token endpoint depends on this process: in sandbox mode the sandbox
// fetches Chartside's JWK Set from Chartside's own listener, so an exchange still running when the
// listener closed was refused as invalid_client and logged with the causes of wrong credentials.
// Requests with a cached token carry on.
func (c *Client) Shutdown() { c.stop() }

// breakerResources are the FHIR resource types the client asks Epic for, each with its breaker.
var breakerResources = []string{"Patient", "Encounter", "Observation"}

// BreakerState is one resource type's circuit breaker, for metrics.
type BreakerState struct {
	Resource string // the FHIR resource type: "Patient", "Encounter", "Observation"
	// Open: recent requests for this resource kept failing, so Chartside has stopped asking Epic
	// for it (staff see "Epic is not responding"; the log says "… requests paused"). It stays open
	// until a request succeeds again: the one probe let through after the cooldown, which needs
	// someone to ask for that resource.
	Open   bool
	Opened uint64 // times it has opened since start
}

// Breakers reports every circuit breaker's state, sorted by resource type. It makes no request.
func (c *Client) Breakers() []BreakerState {
	c.breakerMu.Lock()
	defer c.breakerMu.Unlock()
	out := make([]BreakerState, 0, len(c.breakers))
	for r, b := range c.breakers {
		open, opened := b.state()
		out = append(out, BreakerState{Resource: r, Open: open, Opened: opened})
	}
	slices.SortFunc(out, func(a, b BreakerState) int { return strings.Compare(a.Resource, b.Resource) })
	return out
}

// signingKey is the key that signs: the last configured one.
func (c *Client) signingKey() *Key { return c.cfg.Keys[len(c.cfg.Keys)-1] }

// TokenStatus is nil unless the most recent token exchange failed; then it is that error. It
// makes no request, and so it is nil before the first exchange and stays failed until a request
// that needs a token exchanges again: health checks use CheckToken, which keeps it current.
func (c *Client) TokenStatus() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokenErr
}
