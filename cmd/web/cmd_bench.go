package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/chartside/chartside/bench"
)

const benchUsage = `usage: web bench [flags]

Measures the lookup path end to end against the embedded Epic sandbox over real HTTP: the naive
tutorial client versus Chartside (a child process of this binary, configured like a real Epic
deployment), then throughput and memory with N concurrent signed-in clients. Prints Markdown tables
and the issue's targets. Everything listens on 127.0.0.1 only.

flags:
`

// runBench is `web bench`: it starts the sandbox in this process and Chartside as a child process
// running `web serve` (so the server's /metrics describe the server alone), and prints the results.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return benchWith(ctx, args, stdout, stderr, func(verbose bool) bench.Launcher {
		logs := io.Discard
		if verbose {
			logs = stderr
		}
		return &execLauncher{exe: exe, logs: logs}
	})
}

// benchWith parses the flags and runs the benchmark with the launcher newLauncher returns, so tests
// can run Chartside in-process instead.
func benchWith(ctx context.Context, args []string, stdout, stderr io.Writer, newLauncher func(verbose bool) bench.Launcher) error {
	cfg := bench.DefaultConfig()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchUsage); fs.PrintDefaults() }
	fs.DurationVar(&cfg.Latency, "latency", cfg.Latency, "delay the sandbox adds to every upstream request in the latency comparison")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "duration of each load level")
	clients := fs.String("clients", "1,10,50,200", "load levels: concurrent signed-in clients, comma-separated (empty: no load test)")
	fs.IntVar(&cfg.NaiveIterations, "naive-iterations", cfg.NaiveIterations, "naive lookups per patient (the median is reported)")
	fs.IntVar(&cfg.ChartIterations, "iterations", cfg.ChartIterations, "Chartside lookups per patient (the median is reported)")
	fs.IntVar(&cfg.Patients, "patients", cfg.Patients, "generated sandbox patients")
	fs.StringVar(&cfg.TypicalMRN, "typical-mrn", "", "MRN of the typical patient (default: the generated patient with the most encounters up to 40)")
	fs.StringVar(&cfg.LongMRN, "long-mrn", cfg.LongMRN, "MRN of the long-history patient (empty: skip)")
	fs.DurationVar(&cfg.Settle, "settle", cfg.Settle, "how long to wait for the server's goroutines to settle after a load level")
	dbURL := fs.String("database-url", "", "DATABASE_URL for the server (default: embedded SQLite in a temporary directory)")
	sessionStore := fs.String("session-store", "", "SESSION_STORE for the server (default: the database)")
	verbose := fs.Bool("v", false, "show the server's log on stderr")
	extraEnv := map[string]string{}
	fs.Func("env", "KEY=VALUE added to the server's environment, e.g. GOMEMLIMIT=120MiB (repeatable)", func(kv string) error {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%q is not KEY=VALUE", kv)
		}
		extraEnv[k] = v
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &usageError{"bench: " + err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("bench: unexpected argument %q", fs.Arg(0))}
	}
	levels, err := parseLevels(*clients)
	if err != nil {
		return &usageError{"bench: --clients: " + err.Error()}
	}
	cfg.Clients = levels
	cfg.ServerEnv = extraEnv
	if *dbURL != "" {
		cfg.ServerEnv["DATABASE_URL"] = *dbURL
	}
	if *sessionStore != "" {
		cfg.ServerEnv["SESSION_STORE"] = *sessionStore
	}
	dir, err := os.MkdirTemp("", "chartside-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	cfg.Dir = dir
	cfg.Progress = stderr

	res, err := bench.Run(ctx, cfg, newLauncher(*verbose))
	if err != nil {
		return err
	}
	bench.Print(stdout, res)
	return nil
}

// parseLevels parses "1,10,50" into positive client counts.
func parseLevels(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 10000 {
			return nil, fmt.Errorf("%q is not a client count from 1 to 10000", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// execLauncher runs this binary's own sub-commands in child processes.
type execLauncher struct {
	exe  string
	logs io.Writer // the server's stderr
}

// childEnv is the child's whole environment: only what the benchmark sets, so an operator's
// EPIC_* or DATABASE_URL can never point the benchmark at a real system.
func childEnv(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

func (l *execLauncher) Run(ctx context.Context, args []string, env map[string]string, stdin string) error {
	cmd := exec.CommandContext(ctx, l.exe, args...)
	cmd.Env = childEnv(env)
	cmd.Stdin = strings.NewReader(stdin)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("web %s: %w: %s", args[0], err, strings.TrimSpace(out.String()))
	}
	return nil
}

func (l *execLauncher) Serve(ctx context.Context, env map[string]string) (*bench.Server, error) {
	cmd := exec.Command(l.exe, "serve")
	cmd.Env = childEnv(env)
	cmd.Stderr = l.logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("web serve: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("web serve: %w", err)
	}
	exited := make(chan error, 1)
	stop := func() error {
		// SIGTERM is a graceful shutdown; a server that ignores it for too long is killed.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			return err
		case <-time.After(shutdownGrace + 5*time.Second):
			_ = cmd.Process.Kill()
			return fmt.Errorf("web serve: did not stop within %s", shutdownGrace+5*time.Second)
		}
	}
	url, err := waitListening(ctx, out, 30*time.Second, func() { exited <- cmd.Wait() })
	if err != nil {
		_ = stop()
		return nil, fmt.Errorf("web serve: %w", err)
	}
	return &bench.Server{URL: url, Stop: stop}, nil
}

var listeningLine = regexp.MustCompile(`Chartside listening on (http://\S+)`)

// waitListening reads the server's stdout until it announces its address, then keeps draining it in
// the background and calls drained when it ends (the process or goroutine has finished writing).
func waitListening(ctx context.Context, stdout io.Reader, timeout time.Duration, drained func()) (string, error) {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		announced := false
		for sc.Scan() {
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil && !announced {
				announced = true
				found <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		close(found)
		drained()
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case u, ok := <-found:
		if !ok {
			return "", errors.New("exited before listening (run with -v to see its log)")
		}
		return u, nil
	case <-t.C:
		return "", fmt.Errorf("not listening after %s", timeout)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
