//go:build cluster

package deploy_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
)

// mrns are sandbox patients with exactly one match (see epic/sandbox/README.md).
var mrns = []string{"203713", "203711", "203714", "203709", "400001", "400005", "300001", "300002", "300003"}

// TestCluster runs the deploy/ example with sessions in PostgreSQL and with sessions in Redis.
func TestCluster(t *testing.T) {
	for _, mode := range []string{"sessions-in-postgres", "sessions-in-redis"} {
		t.Run(mode, func(t *testing.T) {
			tg := dbtest.Postgres(t)
			store := ""
			if mode == "sessions-in-redis" {
				store = redisURL(t)
			}
			c := startCluster(t, tg.URL, store)
			checkProbesNotPublic(t, c)
			runScenario(t, c)
			checkSessionStore(t, c, tg, store)
		})
	}
}

// runScenario is the scenario: sign in through the balancer, requests spread over every
// replica, one replica crashes mid-session and work continues without signing in again, thousands
// of concurrent lookups through the two survivors, then every response's audit record is in the
// one chain and `web audit verify` passes.
func runScenario(t *testing.T, c *cluster) {
	failed := checkSharedThrottle(t, c)

	b := newBrowser(t, c)
	if err := b.signIn(); err != nil {
		t.Fatal(err)
	}

	// Before the crash: a few lookups with their charts reach all three replicas (round robin).
	for _, mrn := range mrns[:4] {
		chart, err := b.lookup(mrn)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.chart(chart); err != nil {
			t.Fatal(err)
		}
		if err := b.section(chart, "vitals-strip"); err != nil {
			t.Fatal(err)
		}
	}
	before := replicas(b.served())
	if want := []string{"web1", "web2", "web3"}; !slices.Equal(before, want) {
		t.Fatalf("before the crash, replicas serving requests = %v, want %v", before, want)
	}

	// web2 crashes. The very next requests must go on without a sign-in page or an error: HAProxy
	// redispatches a refused connection to another replica, and the session is in the shared store.
	c.kill("web2")
	crashAt := len(b.served())
	for _, mrn := range mrns[4:] {
		if err := b.home(); err != nil {
			t.Fatalf("after killing web2: %v", err)
		}
		chart, err := b.lookup(mrn)
		if err != nil {
			t.Fatalf("after killing web2: %v", err)
		}
		if err := b.chart(chart); err != nil {
			t.Fatalf("after killing web2: %v", err)
		}
	}
	c.waitStatus("web2", "DOWN")
	after := replicas(b.served()[crashAt:])
	if want := []string{"web1", "web3"}; !slices.Equal(after, want) {
		t.Errorf("after the crash, replicas serving requests = %v, want %v", after, want)
	}

	// Thousands of concurrent appends to the audit chain from the two surviving replicas: lookups by
	// several signed-in staff at once.
	bulk := bulkLookups(t, c, *lookups, 8)

	// Every audited response, from all three replicas (web2's records survive its crash), is in the
	// trail with its request id and the real client address; the chain verifies.
	all := slices.Concat(failed, b.served(), bulk)
	checkAuditTrail(t, c, all)
}

// checkProbesNotPublic: the balancer refuses /readyz (whose failure text can name the database's
// user, name, host and port) and /metrics to browsers, however the path is spelled, while HAProxy's
// own health checks on /readyz keep every replica UP.
func checkProbesNotPublic(t *testing.T, c *cluster) {
	t.Helper()
	b := newBrowser(t, c)
	for _, path := range []string{"/readyz", "/metrics", "/ready%7a", "//metrics", "/readyz/", "/metrics?name=x"} {
		resp, err := b.http.Get(c.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s through the balancer: status %d, want 403", path, resp.StatusCode)
		}
	}
	for _, name := range []string{"web1", "web2", "web3"} {
		c.waitStatus(name, "UP")
	}
}

// checkSharedThrottle proves the sign-in throttle counts failures across replicas: round robin
// spreads the attempts, so no single replica sees enough of them to refuse the next one on its own.
func checkSharedThrottle(t *testing.T, c *cluster) []served {
	t.Helper()
	b := newBrowser(t, c)
	const user, free = "nosuchuser", 5 // staff.DefaultAccountPolicy().FreeFailures
	for i := range free {
		status, _, err := b.failSignIn(user)
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: status %d, want 401", i+1, status)
		}
	}
	status, retry, err := b.failSignIn(user)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusTooManyRequests || retry == "" {
		t.Errorf("sign-in after %d failures: status %d, Retry-After %q; want 429 with Retry-After", free, status, retry)
	}
	var posts []served
	for _, s := range b.served() {
		if s.Action != "" {
			posts = append(posts, s)
		}
	}
	// The replica that refused the sixth attempt saw fewer than five of the failures itself: only
	// a shared counter can have refused it.
	refusedBy, seen := posts[len(posts)-1].Replica, 0
	for _, s := range posts[:len(posts)-1] {
		if s.Replica == refusedBy {
			seen++
		}
	}
	if seen >= free {
		t.Errorf("the refusing replica %s served %d of the %d failures itself; the test proves nothing (replicas %v)", refusedBy, seen, free, replicas(posts))
	}
	return b.served()
}

// bulkLookups sends n lookups from `workers` browsers at once and returns what was served.
func bulkLookups(t *testing.T, c *cluster, n, workers int) []served {
	t.Helper()
	browsers := make([]*browser, workers)
	for i := range browsers {
		browsers[i] = newBrowser(t, c)
		if err := browsers[i].signIn(); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w, b := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if _, err := b.lookup(mrns[i%len(mrns)]); err != nil {
					errs <- fmt.Errorf("bulk lookup %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	var out []served
	perReplica := map[string]int{}
	for _, b := range browsers {
		for _, s := range b.served() {
			out = append(out, s)
			if s.Action == "lookup" {
				perReplica[s.Replica]++
			}
		}
	}
	t.Logf("bulk: %d lookups from %d browsers in %s, per replica %v", n, workers, time.Since(start).Round(time.Millisecond), perReplica)
	if perReplica["web1"] == 0 || perReplica["web3"] == 0 || perReplica["web2"] != 0 {
		t.Errorf("bulk lookups per replica = %v, want both web1 and web3 and no web2", perReplica)
	}
	return out
}

// record is one line of `web audit export --format jsonl`.
type record struct {
	Seq        int64  `json:"seq"`
	Username   string `json:"username"`
	Action     string `json:"action"`
	Outcome    string `json:"outcome"`
	ClientAddr string `json:"client_addr"`
	RequestID  string `json:"request_id"`
}

var verifiedRE = regexp.MustCompile(`^audit trail OK: (\d+) records, last hash [0-9a-f]{64}\n$`)

func checkAuditTrail(t *testing.T, c *cluster, all []served) {
	t.Helper()
	since := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	out, err := c.web("audit", "export", "--since", since, "--format", "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string][]record{}
	var records []record
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit export line: %v", err)
		}
		records = append(records, r)
		byID[r.RequestID] = append(byID[r.RequestID], r)
	}
	// One chain: sequence numbers 1..n with no gap, whichever replica appended.
	for i, r := range records {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has seq %d, want %d (a gap or duplicate)", i, r.Seq, i+1)
		}
	}

	audited := map[string]int{}
	fromReplica := map[string]int{}
	for _, s := range all {
		if s.Action == "" {
			continue
		}
		audited[s.Action]++
		var found *record
		for i, r := range byID[s.RequestID] {
			if r.Action == s.Action {
				found = &byID[s.RequestID][i]
			}
		}
		if found == nil {
			t.Errorf("no %s record with request id %s (served by %s)", s.Action, s.RequestID, s.Replica)
			continue
		}
		fromReplica[s.Replica]++
		if found.Username != s.User || found.ClientAddr != clientAddr {
			t.Errorf("record %d: username %q, client %q; want %q from %s (X-Forwarded-For through the trusted proxy, spoofed %s ignored)",
				found.Seq, found.Username, found.ClientAddr, s.User, clientAddr, spoofedAddr)
		}
	}
	for _, name := range []string{"web1", "web2", "web3"} {
		if fromReplica[name] == 0 {
			t.Errorf("no audit record from a request served by %s (records per replica %v)", name, fromReplica)
		}
	}
	lookupsInTrail := 0
	for _, r := range records {
		if r.Action == "lookup" {
			lookupsInTrail++
		}
	}
	if lookupsInTrail != audited["lookup"] {
		t.Errorf("trail holds %d lookup records, %d lookups were answered", lookupsInTrail, audited["lookup"])
	}
	t.Logf("audit: %d records checked against responses %v, per replica %v", len(records), audited, fromReplica)

	v, err := c.web("audit", "verify")
	if err != nil {
		t.Fatalf("web audit verify: %v\n%s", err, v)
	}
	m := verifiedRE.FindStringSubmatch(v)
	if m == nil {
		t.Fatalf("web audit verify printed %q", v)
	}
	// Nothing was appended since the export, which recorded itself before exporting.
	if last := records[len(records)-1]; last.Action != "audit_export" || last.Username != "cli" {
		t.Errorf("last exported record is %s by %s, want the export's own audit_export by cli", last.Action, last.Username)
	}
	if n, _ := strconv.Atoi(m[1]); n != len(records) {
		t.Errorf("web audit verify checked %d records, the export held %d", n, len(records))
	}
}

// checkSessionStore proves where the sessions live: in Redis under Chartside's prefix, or in the
// PostgreSQL sessions table.
func checkSessionStore(t *testing.T, c *cluster, tg dbtest.Target, store string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b := newBrowser(t, c)
	if err := b.signIn(); err != nil {
		t.Fatal(err)
	}
	u, _ := http.NewRequest(http.MethodGet, c.base+"/", nil)
	var token string
	for _, ck := range b.http.Jar.Cookies(u.URL) {
		token = ck.Value
	}
	if token == "" {
		t.Fatal("no session cookie after sign-in")
	}
	// Chartside has scs store sha256(token) (HashTokenInStore), so a leaked store holds no usable
	// cookie values.
	sum := sha256.Sum256([]byte(token))
	key := base64.RawURLEncoding.EncodeToString(sum[:])
	if store != "" {
		opts, err := redis.ParseURL(store)
		if err != nil {
			t.Fatal(err)
		}
		rc := redis.NewClient(opts)
		defer rc.Close()
		n, err := rc.Exists(ctx, "chartside:session:"+key).Result()
		if err != nil || n != 1 {
			t.Errorf("redis: session key exists = %d, %v; want 1", n, err)
		}
		return
	}
	d, err := db.Open(ctx, tg.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRowContext(ctx, "SELECT count(*) FROM sessions WHERE token = $1", key).Scan(&n); err != nil || n != 1 {
		t.Errorf("postgres: sessions rows for the cookie = %d, %v; want 1", n, err)
	}
}

// replicas lists, sorted, the replicas that served any of s.
func replicas(s []served) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x.Replica) {
			out = append(out, x.Replica)
		}
	}
	slices.Sort(out)
	return out
}

// redisURL is the machine's Redis (TEST_REDIS_URL, as in the sessions tests).
func redisURL(t *testing.T) string {
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	return u
}
