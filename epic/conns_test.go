package epic

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDefaultClientBoundsConnections: 150 searches at once through the default HTTP client open
// at most DefaultMaxConnsPerHost connections to Epic; the rest wait for one, and all succeed.
func TestDefaultClientBoundsConnections(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.HTTPClient = nil })
	var open, peak atomic.Int32
	tr := env.client.cfg.HTTPClient.Transport.(*http.Transport) // the default client's; no request yet
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		n := open.Add(1)
		for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
		}
		return &countedConn{Conn: c, open: &open}, nil
	}
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond)
		serveCapture(t, w, "observation-search-laboratory-sandbox-camila-lopez.json", 200)
	})
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 150 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := env.client.SearchObservations(context.Background(), "p1", ObservationQuery{Categories: []string{"laboratory"}}); err != nil {
				failed.Add(1)
				t.Log(err)
			}
		}()
	}
	wg.Wait()
	env.client.cfg.HTTPClient.CloseIdleConnections()
	if failed.Load() > 0 {
		t.Fatalf("%d searches failed", failed.Load())
	}
	// +1: the token request's connection.
	if p := peak.Load(); p > DefaultMaxConnsPerHost+1 || p < 10 {
		t.Errorf("peak connections to Epic = %d, want at most %d (and parallel use of them)", p, DefaultMaxConnsPerHost+1)
	}
}

// TestDefaultClientReusesConnections: the second of two chart-sized bursts of searches (6 at once,
// as a chart view sends them) opens no new connection to Epic: the first burst's connections are
// kept idle for it. With Go's default of 2 idle connections per host it opened 4 new ones, each a
// TLS handshake against a real Epic.
func TestDefaultClientReusesConnections(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.HTTPClient = nil })
	var dialed atomic.Int32
	tr := env.client.cfg.HTTPClient.Transport.(*http.Transport)
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed.Add(1)
		return d.DialContext(ctx, network, addr)
	}
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond) // the six are in flight together
		serveCapture(t, w, "observation-search-laboratory-sandbox-camila-lopez.json", 200)
	})
	burst := func() {
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := env.client.SearchObservations(context.Background(), "p1", ObservationQuery{Categories: []string{"laboratory"}}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	burst()
	first := dialed.Load()
	if first < 6 {
		t.Fatalf("the first burst opened %d connections, want the six searches in parallel", first)
	}
	burst()
	if n := dialed.Load() - first; n != 0 {
		t.Errorf("the second burst opened %d new connections to Epic, want 0 (the first burst's kept idle)", n)
	}
	env.client.cfg.HTTPClient.CloseIdleConnections()
}

// countedConn decrements open when closed.
type countedConn struct {
	net.Conn
	open *atomic.Int32
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}
