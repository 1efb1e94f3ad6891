//go:build cluster

// Package deploy_test runs the scale-out example in deploy/ for real: deploy/cluster.sh starts three
// `web serve` replicas on the machine's PostgreSQL (and Redis), a shared `web sandbox` and HAProxy
// terminating TLS, and the test drives it through the balancer. It needs the built binary and
// haproxy, so it sits behind the "cluster" build tag and runs from `make test-cluster`
// (deploy/test-cluster.sh), not from `make test`.
package deploy_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	webBin  = flag.String("web", "../bin/web", "the web binary the cluster runs (make build)")
	lookups = flag.Int("lookups", 2000, "lookups sent concurrently through the balancer in the bulk phase")
)

// startTimeout bounds cluster start-up (migrations, sandbox, three replicas, first health checks).
const startTimeout = 60 * time.Second

// cluster is one running deploy/cluster.sh.
type cluster struct {
	t        *testing.T
	bin      string
	runDir   string
	base     string // https://127.0.0.1:PORT, the balancer
	stats    string // http://127.0.0.1:PORT/, HAProxy's status page
	dbURL    string
	user     string
	password string
	script   *exec.Cmd
	out      *syncBuffer
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePorts reserves n loopback ports by listening on them all at once, then releases them for the
// cluster's processes.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// startCluster runs deploy/cluster.sh on dbURL (and sessionStore when not empty) and waits until it
// reports every replica healthy behind the balancer. The cluster is stopped when the test ends.
func startCluster(t *testing.T, dbURL, sessionStore string) *cluster {
	t.Helper()
	bin, err := filepath.Abs(*webBin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("web binary: %v (run make build, or pass -web)", err)
	}
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Fatal("haproxy is not installed (deploy/test-cluster.sh installs it with apt-get)")
	}
	p := freePorts(t, 6)
	c := &cluster{
		t:        t,
		bin:      bin,
		runDir:   t.TempDir(),
		base:     fmt.Sprintf("https://127.0.0.1:%d", p[0]),
		stats:    fmt.Sprintf("http://127.0.0.1:%d/", p[1]),
		dbURL:    dbURL,
		user:     "clusteradmin",
		password: randomHex(t, 12),
		out:      &syncBuffer{},
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"DATABASE_URL=" + dbURL,
		"WEB=" + bin,
		"RUN_DIR=" + c.runDir,
		"LB_PORT=" + strconv.Itoa(p[0]),
		"STATS_PORT=" + strconv.Itoa(p[1]),
		"SANDBOX_PORT=" + strconv.Itoa(p[2]),
		fmt.Sprintf("WEB_PORTS=%d %d %d", p[3], p[4], p[5]),
		"ADMIN_USER=" + c.user,
		"ADMIN_PASSWORD=" + c.password,
	}
	if sessionStore != "" {
		env = append(env, "SESSION_STORE="+sessionStore)
	}
	c.script = exec.Command("./cluster.sh")
	c.script.Env = env
	c.script.Stdout = c.out
	c.script.Stderr = c.out
	// Its own process group, so a script that ignores SIGTERM can still be ended with everything it
	// started, and only that.
	c.script.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.script.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.script.Wait() }()
	t.Cleanup(func() { c.stop(exited) })

	deadline := time.After(startTimeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(c.out.String(), "cluster ready:") {
		select {
		case err := <-exited:
			exited <- err // for stop
			t.Fatalf("cluster.sh exited during start-up (%v):\n%s%s", err, c.out.String(), c.logTails())
		case <-deadline:
			t.Fatalf("cluster not ready after %s:\n%s%s", startTimeout, c.out.String(), c.logTails())
		case <-tick.C:
		}
	}
	return c
}

// stop ends cluster.sh with SIGTERM (it stops its children and waits for them), and kills the whole
// process group if that takes too long. On failure it shows the end of every log.
func (c *cluster) stop(exited chan error) {
	if c.t.Failed() {
		c.t.Logf("cluster output:\n%s%s", c.out.String(), c.logTails())
	}
	pid := c.script.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		c.t.Errorf("cluster.sh did not stop within 20s; killing its process group")
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-exited
	}
	// Every process the script started must be gone: they all wrote pid files.
	pids, _ := filepath.Glob(filepath.Join(c.runDir, "*.pid"))
	for _, f := range pids {
		if n := c.pid(filepath.Base(strings.TrimSuffix(f, ".pid"))); n > 0 && syscall.Kill(n, 0) == nil {
			c.t.Errorf("%s (pid %d) still running after the cluster stopped", filepath.Base(f), n)
			_ = syscall.Kill(n, syscall.SIGKILL)
		}
	}
}

// logTails returns the last lines of every process log in the run directory (synthetic data only).
func (c *cluster) logTails() string {
	var b strings.Builder
	logs, _ := filepath.Glob(filepath.Join(c.runDir, "logs", "*.log"))
	for _, f := range logs {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		fmt.Fprintf(&b, "--- %s (last %d lines)\n", filepath.Base(f), min(len(lines), 15))
		b.WriteString(strings.Join(lines[max(0, len(lines)-15):], "\n"))
		b.WriteString("\n")
	}
	return b.String()
}

// pid reads the pid file cluster.sh wrote for name (web1, web2, web3, sandbox, haproxy).
func (c *cluster) pid(name string) int {
	b, err := os.ReadFile(filepath.Join(c.runDir, name+".pid"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// kill ends replica name at once (SIGKILL: a crash, not a graceful stop).
func (c *cluster) kill(name string) {
	c.t.Helper()
	pid := c.pid(name)
	if pid <= 0 {
		c.t.Fatalf("no pid file for %s", name)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		c.t.Fatalf("kill %s (pid %d): %v", name, pid, err)
	}
}

// web runs a `web` sub-command against the cluster's database, as IT would on any replica's host.
func (c *cluster) web(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = []string{"DATABASE_URL=" + c.dbURL, "LOG_FORMAT=json"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("web %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// serverStatus reads HAProxy's status CSV: each replica's state (UP, DOWN, …) in the chartside
// backend.
func (c *cluster) serverStatus() (map[string]string, error) {
	resp, err := http.Get(c.stats + ";csv")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	r := csv.NewReader(bufio.NewReader(resp.Body))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("haproxy stats: %w", err)
	}
	if len(rows) == 0 {
		return nil, errors.New("haproxy stats: empty")
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[strings.TrimPrefix(strings.TrimSpace(name), "# ")] = i
	}
	out := map[string]string{}
	for _, row := range rows[1:] {
		if len(row) > col["status"] && row[col["pxname"]] == "chartside" && strings.HasPrefix(row[col["svname"]], "web") {
			out[row[col["svname"]]] = row[col["status"]]
		}
	}
	return out, nil
}

// waitStatus polls HAProxy until server name has state want, for at most 15 seconds (health checks
// run every second and two failures mark a server down).
func (c *cluster) waitStatus(name, want string) {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var got map[string]string
	var err error
	for time.Now().Before(deadline) {
		got, err = c.serverStatus()
		if err == nil && strings.HasPrefix(got[name], want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("haproxy: %s not %s within 15s (status %v, err %v)", name, want, got, err)
}
