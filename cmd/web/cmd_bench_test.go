package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chartside/chartside/bench"
)

// inProcess runs Chartside's commands through run in this process: the benchmark's smoke test
// needs no built binary.
type inProcess struct{ logs *lockedBuffer }

// lockedBuffer collects the server's log for a failure message; the server writes while tests read.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (l inProcess) Run(ctx context.Context, args []string, env map[string]string, stdin string) error {
	var stderr bytes.Buffer
	if err := run(ctx, args, mapEnv(env), strings.NewReader(stdin), io.Discard, &stderr); err != nil {
		return errors.Join(err, errors.New(stderr.String()))
	}
	return nil
}

func (l inProcess) Serve(ctx context.Context, env map[string]string) (*bench.Server, error) {
	sctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	exited := make(chan error, 1)
	runErr := make(chan error, 1)
	go func() {
		err := run(sctx, []string{"serve"}, mapEnv(env), strings.NewReader(""), pw, l.logs)
		pw.Close()
		runErr <- err
	}()
	stop := func() error {
		cancel()
		return <-exited
	}
	url, err := waitListening(ctx, pr, 30*time.Second, func() { exited <- <-runErr })
	if err != nil {
		return nil, errors.Join(err, stop())
	}
	return &bench.Server{URL: url, Stop: stop}, nil
}

func mapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// TestBenchSmoke runs the whole benchmark briefly (a little latency, one short load level) so the
// driver cannot rot. It checks the shape of the results and the counts that do not depend on the
// machine's speed: the naive client asks for a token every lookup, Chartside never does once warm.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the sandbox and a server")
	}
	var stdout, stderr bytes.Buffer
	logs := &lockedBuffer{}
	args := []string{"--latency", "5ms", "--duration", "300ms", "--clients", "3", "--settle", "3s",
		"--patients", "12", "--naive-iterations", "1", "--iterations", "2", "--long-mrn", ""}
	err := benchWith(context.Background(), args, &stdout, &stderr, func(bool) bench.Launcher { return inProcess{logs} })
	if err != nil {
		t.Fatalf("bench: %v\nstderr:\n%s\nserver log:\n%s", err, stderr.String(), logs.String())
	}
	out := stdout.String()
	t.Log("\n" + out)
	for _, want := range []string{
		"| typical | naive |", "| typical | Chartside |", "| 3 |", "Targets (issue 7)",
		"typical: 0 token requests per lookup while the token is valid: 0.0",
		"3 clients: zero errors: 0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if t.Failed() {
		t.Logf("stderr:\n%s\nserver log:\n%s", stderr.String(), logs.String())
	}
}

func TestParseLevels(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"1,10,50,200", []int{1, 10, 50, 200}, false},
		{" 5 , ", []int{5}, false},
		{"", nil, false},
		{"0", nil, true},
		{"x", nil, true},
	}
	for _, tt := range tests {
		got, err := parseLevels(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseLevels(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !slicesEqual(got, tt.want) {
			t.Errorf("parseLevels(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var chartClients = flag.Int("chart-clients", 8, "BenchmarkChart: signed-in browsers loading charts at once")

// BenchmarkChart loads the typical patient's chart (page + every section in parallel, as htmx
// does) through the real handlers, with the sandbox and the server in this process, so that
// `go test -bench Chart -cpuprofile` profiles the whole chart path. -chart-clients signed-in
// browsers (default 8), each with its own patient, load charts at once. It reports process CPU per
// chart and the peak live heap.
func BenchmarkChart(b *testing.B) {
	ctx := context.Background()
	f, err := bench.StartFixture(ctx, inProcess{&lockedBuffer{}}, b.TempDir(), 50, map[string]string{"LOG_LEVEL": "error"})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := f.Close(); err != nil {
			b.Error(err)
		}
	}()
	clients := *chartClients
	browsers := make(chan struct {
		br    *bench.Browser
		chart string
	}, clients)
	for i := range clients {
		br, err := f.SignedIn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		chart, err := br.Lookup(ctx, strconv.Itoa(300001+i%50))
		if err != nil {
			b.Fatal(err)
		}
		browsers <- struct {
			br    *bench.Browser
			chart string
		}{br, chart}
	}
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0)) // × GOMAXPROCS goroutines, one browser each
	// The sign-ins' argon2 garbage is not the charts' heap.
	runtime.GC()
	cpu0 := processCPU(b)
	b.ResetTimer()
	defer func() {
		// CPU time is steadier than wall time on a shared machine; it covers the sandbox and the
		// browsers too, all in this process.
		b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}()
	stopSampling := sampleHeap(b)
	defer stopSampling()
	b.RunParallel(func(pb *testing.PB) {
		c := <-browsers
		defer func() { browsers <- c }()
		for pb.Next() {
			if _, err := c.br.LoadChart(ctx, c.chart); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// processCPU is the user + system CPU time this process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sampleHeap reads the live heap every 100 ms until stopped, then reports the peak as
// "peak-heap-MiB".
func sampleHeap(b *testing.B) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	var peak uint64
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	return func() {
		close(done)
		<-finished
		b.ReportMetric(float64(base.HeapAlloc)/(1<<20), "start-heap-MiB")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
}
