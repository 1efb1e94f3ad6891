package soak

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestSoakSmoke runs the soak driver for a few seconds against a real `web serve` built from this
// tree: a handful of clients, a high failure rate so injected failures certainly happen, and the
// same checks `make soak` applies (no unexpected error, every message explained by an injection,
// the audit trail equal to the views, goroutines back to where they were).
func TestSoakSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	dir := t.TempDir()
	web := filepath.Join(dir, "web")
	build := exec.Command("go", "build", "-o", web, "github.com/chartside/chartside/cmd/web")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := DefaultConfig()
	cfg.Web, cfg.Dir = web, dir
	cfg.Clients, cfg.Duration, cfg.MaxIterations = 5, 0, 3
	cfg.Think, cfg.Latency, cfg.FailRate, cfg.Patients = 0, 5*time.Millisecond, 0.2, 10
	cfg.SampleEvery = 500 * time.Millisecond
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if problems := Check(res); len(problems) > 0 {
		t.Errorf("problems: %q", problems)
	}
	if res.Iterations != 15 || res.Views.lookups != 15 || res.Views.charts != 15 {
		t.Errorf("iterations %d, lookups %d, charts %d; want 15 each", res.Iterations, res.Views.lookups, res.Views.charts)
	}
	if res.Injected == 0 {
		t.Error("no failure was injected at a 20% rate")
	}
	if res.Audit.Lookups != 15 || res.Audit.SignIns != 5 {
		t.Errorf("audit: %d lookups, %d sign-ins; want 15 and 5", res.Audit.Lookups, res.Audit.SignIns)
	}
	if len(res.Samples) < 2 || res.Samples[0].RSS == 0 {
		t.Errorf("samples = %+v", res.Samples)
	}
}

func TestCheckFindsProblems(t *testing.T) {
	ok := &Results{Injected: 3, Messages: 2, Views: views{lookups: 4, charts: 4},
		Audit:   AuditCounts{ChainOK: true, Lookups: 4, ChartPages: 4, UpstreamErrors: 2, SectionViews: 1},
		Samples: []Sample{{Goroutines: 10}, {Goroutines: 12}}}
	if p := Check(ok); len(p) != 0 {
		t.Fatalf("a clean run: %q", p)
	}
	tests := []struct {
		name string
		mod  func(*Results)
	}{
		{"unexpected error", func(r *Results) { r.Errors = map[string]int{"section: status 500": 1} }},
		{"unexplained message", func(r *Results) { r.Messages, r.Audit.UpstreamErrors = 4, 4 }},
		{"unaudited lookup", func(r *Results) { r.Views.lookups = 5 }},
		{"audited chart never shown", func(r *Results) { r.Audit.ChartPages = 5 }},
		{"failure not recorded", func(r *Results) { r.Audit.UpstreamErrors = 1 }},
		{"too many section records", func(r *Results) { r.Audit.SectionViews = 7 }},
		{"broken chain", func(r *Results) { r.Audit.ChainOK = false }},
		{"goroutines left", func(r *Results) { r.Samples[1].Goroutines = r.Samples[0].Goroutines + settleSlack + 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := *ok
			r.Samples = append([]Sample(nil), ok.Samples...)
			tt.mod(&r)
			if p := Check(&r); len(p) != 1 {
				t.Errorf("problems = %q, want exactly one", p)
			}
		})
	}
}
