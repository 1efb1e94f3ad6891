package epic

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/metrics"
)

// TestBreakerStateOnMetrics: when Epic keeps failing Observation searches and their breaker opens,
// IT's dashboard sees it on /metrics (open 1, opened once) while the other resource types stay 0;
// once the probe after the cooldown succeeds the gauge goes back to 0 and the count stays 1.
func TestBreakerStateOnMetrics(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.MaxRetries = -1; c.BreakerCooldown = time.Minute })
	m := metrics.New()
	m.EpicCircuits(func() []metrics.Circuit {
		var out []metrics.Circuit
		for _, b := range env.client.Breakers() {
			out = append(out, metrics.Circuit{Resource: b.Resource, Open: b.Open, Opened: b.Opened})
		}
		return out
	})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	scrape := func() string {
		t.Helper()
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var lines []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "chartside_epic_circuit_") {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	state := func(obsOpen, obsOpened string) string {
		return strings.Join([]string{
			`chartside_epic_circuit_open{resource="Encounter"} 0`,
			`chartside_epic_circuit_open{resource="Observation"} ` + obsOpen,
			`chartside_epic_circuit_open{resource="Patient"} 0`,
			`chartside_epic_circuit_opened_total{resource="Encounter"} 0`,
			`chartside_epic_circuit_opened_total{resource="Observation"} ` + obsOpened,
			`chartside_epic_circuit_opened_total{resource="Patient"} 0`,
		}, "\n")
	}
	if got, want := scrape(), state("0", "0"); got != want {
		t.Errorf("before any request:\n%s\nwant\n%s", got, want)
	}

	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	labs := ObservationQuery{Categories: []string{"laboratory"}}
	ctx := context.Background()
	for range DefaultBreakerThreshold {
		_, _ = env.client.SearchObservations(ctx, camila, labs)
	}
	if _, err := env.client.SearchObservations(ctx, camila, labs); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("err = %v, want ErrCircuitOpen", err)
	}
	if got, want := scrape(), state("1", "1"); got != want {
		t.Errorf("with the Observation breaker open:\n%s\nwant\n%s", got, want)
	}

	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		serveCapture(t, w, "observation-search-laboratory-sandbox-camila-lopez.json", 200)
	})
	env.clock.Advance(time.Minute)
	if _, err := env.client.SearchObservations(ctx, camila, labs); err != nil {
		t.Fatalf("probe after the cooldown: %v", err)
	}
	if got, want := scrape(), state("0", "1"); got != want {
		t.Errorf("after the breaker closed:\n%s\nwant\n%s", got, want)
	}
}
