package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ClientKeys is how a registered backend client proves its identity: a JWK Set URL that the sandbox
// fetches the way Epic does, or a static key set (the upload Epic no longer accepts for new apps,
// kept because tests find it convenient). When both are set, the URL wins and JWKS is ignored.
type ClientKeys struct {
	JWKSURL string
	JWKS    []byte
}

// maxKeyCache is Epic's documented default and maximum cache time for a client's JWK Set.
const maxKeyCache = 29 * time.Hour

type client struct {
	id     string
	jwkURL string

	mu      sync.Mutex
	keys    []publicKey
	fetched time.Time // zero: never fetched
	expires time.Time
	static  bool
}

// registry holds the registered clients.
type registry struct {
	mu      sync.RWMutex
	clients map[string]*client
	http    *http.Client
	now     func() time.Time
}

func (g *registry) register(id string, keys ClientKeys) error {
	c := &client{id: id, jwkURL: keys.JWKSURL}
	if keys.JWKSURL == "" {
		parsed, err := parseJWKS(keys.JWKS)
		if err != nil {
			return fmt.Errorf("sandbox: register client %q: %w", id, err)
		}
		c.keys, c.static = parsed, true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.clients[id] = c
	return nil
}

func (g *registry) lookup(id string) (*client, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	c, ok := g.clients[id]
	return c, ok
}

// cachedKeys returns the keys to try first and whether they came from a cache that may be stale
// (so a verification failure justifies one refetch). Expired or never-fetched keys are fetched now.
func (g *registry) cachedKeys(ctx context.Context, c *client) (keys []publicKey, refetchable bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.static {
		return c.keys, false, nil
	}
	if !c.fetched.IsZero() && g.now().Before(c.expires) {
		return c.keys, true, nil
	}
	if err := g.fetchLocked(ctx, c); err != nil {
		return nil, false, err
	}
	return c.keys, false, nil
}

// refetch fetches the client's JWK Set again. Epic checks the URL "at most once" per token request
// "and only if the cached keys are expired or did not verify your JWT"; the caller guarantees the
// at-most-once part.
func (g *registry) refetch(ctx context.Context, c *client) ([]publicKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := g.fetchLocked(ctx, c); err != nil {
		return nil, err
	}
	return c.keys, nil
}

func (g *registry) fetchLocked(ctx context.Context, c *client) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.jwkURL, nil)
	if err != nil {
		return fmt.Errorf("sandbox: jwks request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := g.http.Do(req)
	if err != nil {
		return fmt.Errorf("sandbox: fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sandbox: fetch jwks: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("sandbox: read jwks: %w", err)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return err
	}
	now := g.now()
	c.keys, c.fetched, c.expires = keys, now, now.Add(cacheLifetime(resp.Header.Get("Cache-Control")))
	return nil
}

// cacheLifetime applies Epic's rule: 29 hours by default and at most, shortened by the JWK Set
// response's Cache-Control (no-store / no-cache / max-age=N).
func cacheLifetime(cc string) time.Duration {
	life := maxKeyCache
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(strings.ToLower(d))
		switch {
		case d == "no-store" || d == "no-cache":
			return 0
		case strings.HasPrefix(d, "max-age="):
			n, err := strconv.Atoi(strings.TrimPrefix(d, "max-age="))
			if err == nil && n >= 0 && time.Duration(n)*time.Second < life {
				life = time.Duration(n) * time.Second
			}
		}
	}
	return life
}
