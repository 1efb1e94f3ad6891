package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/chartside/chartside/epic/sandbox"
)

// Config is one benchmark run.
type Config struct {
	Latency         time.Duration // added to every upstream request in the latency comparison
	Duration        time.Duration // of each load level
	Clients         []int         // load levels: concurrent signed-in clients
	NaiveIterations int           // lookups per patient with the naive client (median reported)
	ChartIterations int           // lookups per patient through Chartside (median reported)
	Patients        int           // generated sandbox population
	TypicalMRN      string        // "" picks the generated patient with the most encounters up to 40
	LongMRN         string        // the long-history patient
	Settle          time.Duration // how long to wait for the server's goroutines to settle
	// ServerEnv is added to Chartside's environment (e.g. DATABASE_URL, SESSION_STORE).
	ServerEnv map[string]string
	// Dir is a scratch directory for the server's key and data; it should be new and empty.
	Dir string
	// Progress receives one line per step; nil discards.
	Progress io.Writer
}

// DefaultConfig is `make bench`: 50 ms to Epic, 30 s per load level.
func DefaultConfig() Config {
	return Config{
		Latency:         50 * time.Millisecond,
		Duration:        30 * time.Second,
		Clients:         []int{1, 10, 50, 200},
		NaiveIterations: 3,
		ChartIterations: 7,
		Patients:        50,
		LongMRN:         "400003",
		Settle:          15 * time.Second,
	}
}

// Results is everything one run measured.
type Results struct {
	Machine    Machine
	Config     Config
	TypicalMRN string
	Latency    []LatencyRow
	Load       []LoadRow
}

// Run starts the sandbox and Chartside (through l), then measures the latency comparison and every
// load level, and stops both.
func Run(ctx context.Context, cfg Config, l Launcher) (res *Results, err error) {
	if cfg.Dir == "" {
		return nil, errors.New("bench: config: Dir is required")
	}
	if cfg.NaiveIterations < 1 || cfg.ChartIterations < 1 {
		return nil, errors.New("bench: config: iterations must be at least 1")
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	step := func(format string, args ...any) { fmt.Fprintf(progress, "bench: "+format+"\n", args...) }
	out := &Results{Machine: ReadMachine(), Config: cfg}
	res = out
	defer func() { out.Machine.LoadEnd = LoadAverage() }()

	step("starting the sandbox, the benchmark account and Chartside")
	f, err := StartFixture(ctx, l, cfg.Dir, cfg.Patients, cfg.ServerEnv)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	up, srv := f.Upstream, f.Server
	naive, err := NewNaive(up.TokenURL, up.FHIRBase, naiveClientID, sandbox.MRNSystem)
	if err != nil {
		return nil, err
	}
	up.Sandbox.RegisterClient(naiveClientID, sandbox.ClientKeys{JWKS: naive.JWKS()})

	res.TypicalMRN = cfg.TypicalMRN
	if res.TypicalMRN == "" {
		if res.TypicalMRN, err = pickTypical(ctx, naive, cfg.Patients); err != nil {
			return nil, err
		}
	}
	cases := []patientCase{{scenario: "typical", mrn: res.TypicalMRN}}
	if cfg.LongMRN != "" {
		cases = append(cases, patientCase{scenario: "long history", mrn: cfg.LongMRN})
	}

	br, err := f.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	step("latency: naive flow vs Chartside, %s added per upstream request", cfg.Latency)
	if res.Latency, err = compareLatency(ctx, up, naive, br, cases, cfg.Latency, cfg.NaiveIterations, cfg.ChartIterations); err != nil {
		return nil, err
	}
	br.CloseIdleConnections()

	if len(cfg.Clients) == 0 {
		return res, nil
	}
	most := 0
	for _, n := range cfg.Clients {
		most = max(most, n)
	}
	step("signing in %d load clients", most)
	clients, err := prepareClients(ctx, srv.URL, f.User, most, generatedMRNs(cfg.Patients))
	if err != nil {
		return nil, err
	}
	sc := newScraper(srv.URL)
	for _, n := range cfg.Clients {
		step("load: %d clients for %s, no added latency", n, cfg.Duration)
		row, err := runLoad(ctx, sc, clients, n, cfg.Duration, cfg.Settle)
		if err != nil {
			return nil, err
		}
		res.Load = append(res.Load, row)
	}
	return res, nil
}

// generatedMRNs are the sandbox's generated patients (MRN 300001 upward).
func generatedMRNs(patients int) []string {
	out := make([]string, max(patients, 1))
	for i := range out {
		out[i] = strconv.Itoa(300001 + i)
	}
	if patients == 0 {
		out[0] = "203713" // Camila Lopez, always present
	}
	return out
}

// pickTypical returns the generated patient with the most encounters from 10 to 40 (the issue's
// "typical patient"), found with the naive client before any latency is added. Camila Lopez (10
// encounters) is the fallback.
func pickTypical(ctx context.Context, naive *Naive, patients int) (string, error) {
	best, bestN := "203713", 0
	for i := range patients {
		mrn := strconv.Itoa(300001 + i)
		r, err := naive.Lookup(ctx, mrn)
		if err != nil {
			return "", fmt.Errorf("bench: pick typical patient: %w", err)
		}
		if r.Encounters >= 10 && r.Encounters <= 40 && r.Encounters > bestN {
			best, bestN = mrn, r.Encounters
		}
	}
	return best, nil
}
