package main

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// testRedisAddr is the machine's Redis (TEST_REDIS_URL, as in the sessions tests) as host:port.
func testRedisAddr(t *testing.T) string {
	t.Helper()
	raw := os.Getenv("TEST_REDIS_URL")
	if raw == "skip" {
		t.Skip("TEST_REDIS_URL=skip")
	}
	if raw == "" {
		raw = "redis://127.0.0.1:6379/0"
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	return u.Host
}

// portProxy forwards a loopback port to a backend. Taken down, it closes its port and every
// forwarded connection, so Chartside's connections to Redis break and new ones are refused, as
// when Redis stops; brought back, it listens on the same port again.
type portProxy struct {
	t       *testing.T
	addr    string
	backend string
	mu      sync.Mutex
	ln      net.Listener
	conns   []net.Conn
	wg      sync.WaitGroup
}

func newPortProxy(t *testing.T, backend string) *portProxy {
	t.Helper()
	p := &portProxy{t: t, addr: "127.0.0.1:0", backend: backend}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *portProxy) up() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.backend)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
}

func (p *portProxy) down() {
	p.mu.Lock()
	if p.ln != nil {
		if err := p.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			p.t.Errorf("proxy: %v", err)
		}
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

// TestRedisDownIsNamed: with sessions in Redis and Redis stopped, /readyz fails and names the
// session store (the balancer takes the replica out and monitoring turns red, instead of "ready"
// while nobody can sign in), and a clinician's page says the session store, not the database, is
// unreachable, in a fraction of a second rather than after seconds of redialling; the log says it is Redis. When
// Redis is back, the same browser session carries on.
func TestRedisDownIsNamed(t *testing.T) {
	redis := newPortProxy(t, testRedisAddr(t))
	base, logs, _ := startServer(t, testEnv(t, map[string]string{"SESSION_STORE": "redis://" + redis.addr + "/0", "SANDBOX": "true"}))
	waitHealthy(t, base)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("X-Request-ID")
	}
	tok := formToken(t, c, base+"/signin")
	resp, err := c.PostForm(base+"/signin", url.Values{"username": {"demo"}, "password": {"chartside-demo"}, "csrf_token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in answered %d, want 303", resp.StatusCode)
	}
	if status, body, _ := get("/readyz"); status != http.StatusOK || !strings.Contains(body, "session store: ok") {
		t.Fatalf("/readyz with Redis up: %d\n%s", status, body)
	}

	redis.down()
	status, body, _ := get("/readyz")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "session store: redis: ") || !strings.Contains(body, "database: ok") {
		t.Errorf("/readyz with Redis down: %d, want 503 naming the session store (and the database ok)\n%s", status, body)
	}
	start := time.Now()
	status, body, id := get("/")
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("the page took %v with Redis down, want a fast failure", took)
	}
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "cannot reach its session store") || strings.Contains(body, "database") {
		t.Errorf("page with Redis down: %d, want 503 saying the session store (not the database) is unreachable\n%s", status, body)
	}
	var logged bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["request_id"] == id && rec["msg"] == "request failed" {
			logged = strings.Contains(rec["error"].(string), "session store unavailable: load: redis: ")
		}
	}
	if !logged {
		t.Errorf("no log line for request %s saying Redis failed\n%s", id, logs.String())
	}

	redis.up()
	if status, body, _ := get("/"); status != http.StatusOK || !strings.Contains(body, "Sign out") {
		t.Errorf("first page after Redis is back: %d, want the signed-in page\n%s", status, body)
	}
	if status, body, _ := get("/readyz"); status != http.StatusOK {
		t.Errorf("/readyz after Redis is back: %d\n%s", status, body)
	}
}
