package epic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// scripted answers FHIR requests from a list of statuses (the last one repeats); 200 serves a
// patient read.
func scripted(t *testing.T, env *testEnv, header http.Header, statuses ...int) {
	var mu sync.Mutex
	i := 0
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := statuses[min(i, len(statuses)-1)]
		i++
		mu.Unlock()
		if s == 200 {
			serveCapture(t, w, "patient-read-sandbox-camila-lopez.json", 200)
			return
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(s)
	})
}

type hookLog struct {
	mu     sync.Mutex
	events []string
}

func (h *hookLog) hook(op, outcome string, _ time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, op+":"+outcome)
}

func (h *hookLog) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.events...)
}

func TestRetryAfterOneSecond(t *testing.T) {
	hooks := &hookLog{}
	env := newEnv(t, func(c *Config) { c.Hooks.Request = hooks.hook })
	scripted(t, env, http.Header{"Retry-After": {"1"}}, 429, 200)
	start := time.Now()
	if _, err := env.client.ReadPatient(context.Background(), camila); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("retried after %v, before Retry-After's 1s", waited)
	}
	want := "token:ok patient.read:rate_limited patient.read:ok"
	if got := strings.Join(hooks.list(), " "); got != want {
		t.Errorf("hooks = %s, want %s", got, want)
	}
}

func TestRetryAfterBeyondDeadlineFailsFast(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		deadline   time.Duration
	}{
		{"beyond the cap", "3600", 10 * time.Second},
		{"beyond the caller's deadline", "5", 2 * time.Second},
		{"http date beyond the deadline", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, nil)
			scripted(t, env, http.Header{"Retry-After": {tt.retryAfter}}, 429, 200)
			ctx, cancel := context.WithTimeout(context.Background(), tt.deadline)
			defer cancel()
			_, err := env.client.ReadPatient(ctx, camila)
			if !errors.Is(err, ErrRateLimited) {
				t.Fatalf("err = %v, want ErrRateLimited", err)
			}
			if ctx.Err() != nil {
				t.Errorf("returned only after the caller's deadline")
			}
			if _, fhirReqs := env.epic.counts(); fhirReqs != 1 {
				t.Errorf("FHIR requests = %d, want 1", fhirReqs)
			}
		})
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		retries  int
		wantErr  error
		wantReqs int
	}{
		{"503 then ok", []int{503, 200}, 2, nil, 2},
		{"502 504 then ok", []int{502, 504, 200}, 2, nil, 3},
		{"gives up after retries", []int{503}, 2, ErrUpstream, 3},
		{"no retries", []int{503}, -1, ErrUpstream, 1},
		{"500 is not retried", []int{500, 200}, 2, ErrUpstream, 1},
		{"504 is a timeout", []int{504}, -1, ErrTimeout, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.MaxRetries = tt.retries })
			scripted(t, env, nil, tt.statuses...)
			_, err := env.client.ReadPatient(context.Background(), camila)
			if (tt.wantErr == nil && err != nil) || !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if _, fhirReqs := env.epic.counts(); fhirReqs != tt.wantReqs {
				t.Errorf("FHIR requests = %d, want %d", fhirReqs, tt.wantReqs)
			}
		})
	}
}

func TestCircuitBreaker(t *testing.T) {
	hooks := &hookLog{}
	env := newEnv(t, func(c *Config) {
		c.MaxRetries = -1
		c.BreakerCooldown = time.Minute
		c.Hooks.Request = hooks.hook
	})
	var mu sync.Mutex
	mode := "503"
	arrived := make(chan struct{}, 1)
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		m := mode
		mu.Unlock()
		switch m {
		case "hang": // until the caller cancels
			arrived <- struct{}{}
			<-r.Context().Done()
		case "ok":
			serveCapture(t, w, "patient-read-sandbox-camila-lopez.json", 200)
		default:
			w.WriteHeader(503)
		}
	})
	set := func(m string) { mu.Lock(); mode = m; mu.Unlock() }
	read := func(ctx context.Context) error { _, err := env.client.ReadPatient(ctx, camila); return err }

	for range 4 {
		if err := read(context.Background()); !errors.Is(err, ErrUpstream) {
			t.Fatalf("err = %v, want ErrUpstream", err)
		}
	}
	// A request the caller cancels does not count as an Epic failure.
	set("hang")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	if err := read(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read err = %v, want context.Canceled", err)
	}
	set("503")
	if err := read(context.Background()); !errors.Is(err, ErrUpstream) {
		t.Fatalf("5th 503: err = %v, want ErrUpstream (breaker still closed)", err)
	}
	_, before := env.epic.counts()
	// Five consecutive 503s: open. Requests fail fast without reaching Epic.
	if err := read(context.Background()); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("err = %v, want ErrCircuitOpen", err)
	}
	if _, after := env.epic.counts(); after != before {
		t.Errorf("open breaker let a request through")
	}
	// After the cooldown one probe goes through; success closes the breaker.
	set("ok")
	env.clock.Advance(time.Minute)
	if err := read(context.Background()); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if err := read(context.Background()); err != nil {
		t.Fatalf("after close: %v", err)
	}
	ev := hooks.list()
	var counts = map[string]int{}
	for _, e := range ev {
		counts[e]++
	}
	want := map[string]int{"token:ok": 1, "patient.read:error": 5, "patient.read:canceled": 1,
		"patient.read:circuit_open": 1, "patient.read:ok": 2}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("hook events = %v, want %v", counts, want)
	}
}

func TestHalfOpenProbeFailureReopens(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.MaxRetries = -1; c.BreakerThreshold = 2 })
	scripted(t, env, nil, 503)
	for range 2 {
		_, _ = env.client.ReadPatient(context.Background(), camila)
	}
	env.clock.Advance(DefaultBreakerCooldown)
	if _, err := env.client.ReadPatient(context.Background(), camila); !errors.Is(err, ErrUpstream) {
		t.Fatalf("probe err = %v, want ErrUpstream", err)
	}
	if _, err := env.client.ReadPatient(context.Background(), camila); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("after failed probe: err = %v, want ErrCircuitOpen", err)
	}
}

func TestTimeouts(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.RequestTimeout = 100 * time.Millisecond; c.MaxRetries = -1 })
	release := make(chan struct{})
	defer close(release)
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// Warm the token first: the per-request timeout applies to the FHIR call.
	if _, err := env.client.accessToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := env.client.ReadPatient(context.Background(), camila)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	// The caller's own deadline is reported as a timeout and as context.DeadlineExceeded.
	env2 := newEnv(t, func(c *Config) { c.MaxRetries = -1 })
	env2.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	if _, err := env2.client.accessToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = env2.client.ReadPatient(ctx, camila)
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("caller deadline: err = %v", err)
	}
	saysEpicOnce(t, err)
}

// saysEpicOnce: an error names the client once ("epic: patient.read: timeout: …"), not once per
// wrapped sentinel ("epic: patient.read: epic: timeout: …"), which IT read as two failures.
func saysEpicOnce(t *testing.T, err error) {
	t.Helper()
	if n := strings.Count(err.Error(), "epic:"); n != 1 {
		t.Errorf("%q says epic: %d times", err, n)
	}
}

// TestErrorsCarryNoPHI: transport errors would quote the URL (and so the MRN or patient id);
// the client strips it. The logger sees nothing identifying either.
func TestErrorsCarryNoPHI(t *testing.T) {
	var logs bytes.Buffer
	env := newEnv(t, func(c *Config) { c.Logger = newTextLogger(&logs) })
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		// Hijack and drop the connection mid-request.
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Error("no hijacker")
			return
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	})
	_, err := env.client.SearchPatientsByMRN(context.Background(), "203713")
	if !errors.Is(err, ErrUpstream) {
		t.Fatalf("err = %v, want ErrUpstream", err)
	}
	saysEpicOnce(t, err)
	_, err2 := env.client.ReadPatient(context.Background(), camila)
	for _, s := range []string{err.Error(), err2.Error(), logs.String()} {
		for _, phi := range []string{"203713", camila, "tok-", "Bearer"} {
			if strings.Contains(s, phi) {
				t.Errorf("%q leaks %q", s, phi)
			}
		}
	}
}

// TestBreakerPerResourceType: Epic fails every Observation search while Patient and Encounter
// answer. Once the Observation breaker is open, Observation searches are refused without reaching
// Epic, but MRN lookups, patient reads and encounter searches still reach Epic and succeed: one
// resource's outage does not stop the others for every clinician (it did with one breaker for
// the client, opened by the retries of a single chart's Observation searches).
func TestBreakerPerResourceType(t *testing.T) {
	hooks := &hookLog{}
	env := newEnv(t, func(c *Config) {
		c.MaxRetries = -1
		c.BreakerCooldown = time.Minute
		c.Hooks.Request = hooks.hook
	})
	var mu sync.Mutex
	byResource := map[string]int{}
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		resource := strings.SplitN(strings.TrimPrefix(r.URL.Path, fhirPath+"/"), "/", 2)[0]
		mu.Lock()
		byResource[resource]++
		mu.Unlock()
		switch resource {
		case "Observation":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "Encounter":
			serveCapture(t, w, "encounter-search-sandbox-camila-lopez.json", 200)
		case "Patient":
			if strings.HasSuffix(r.URL.Path, "/Patient") {
				serveCapture(t, w, "patient-search-apporchard-with-outcome.json", 200)
			} else {
				serveCapture(t, w, "patient-read-sandbox-camila-lopez.json", 200)
			}
		}
	})
	requests := func(resource string) int { mu.Lock(); defer mu.Unlock(); return byResource[resource] }
	ctx := context.Background()
	labs := ObservationQuery{Categories: []string{"laboratory"}}

	for i := range DefaultBreakerThreshold {
		if _, err := env.client.SearchObservations(ctx, camila, labs); !errors.Is(err, ErrUpstream) {
			t.Fatalf("Observation search %d: err = %v, want ErrUpstream", i+1, err)
		}
	}
	before := requests("Observation")
	_, err := env.client.SearchObservations(ctx, camila, labs)
	if !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("Observation search with its breaker open: err = %v, want ErrCircuitOpen", err)
	}
	if !strings.Contains(err.Error(), "Observation requests paused") {
		t.Errorf("err = %q; want it to say which requests are paused", err)
	}
	if got := requests("Observation") - before; got != 0 {
		t.Errorf("the open Observation breaker let %d requests through", got)
	}

	// The other resources are untouched by the Observation outage.
	if _, err := env.client.SearchPatientsByMRN(ctx, "203713"); err != nil {
		t.Errorf("patient lookup during the Observation outage: %v", err)
	}
	if _, err := env.client.ReadPatient(ctx, camila); err != nil {
		t.Errorf("patient read during the Observation outage: %v", err)
	}
	enc, err := env.client.SearchEncounters(ctx, camila, EncounterQuery{})
	if err != nil || len(enc.Items) == 0 {
		t.Errorf("encounter search during the Observation outage: %d encounters, err %v", len(enc.Items), err)
	}
	if requests("Patient") != 2 || requests("Encounter") != 1 {
		t.Errorf("requests reaching Epic: Patient %d, Encounter %d; want 2 and 1", requests("Patient"), requests("Encounter"))
	}

	// Epic recovers; after the cooldown the Observation breaker's probe closes it.
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		serveCapture(t, w, "observation-search-laboratory-sandbox-camila-lopez.json", 200)
	})
	env.clock.Advance(time.Minute)
	if _, err := env.client.SearchObservations(ctx, camila, labs); err != nil {
		t.Errorf("Observation search after the cooldown: %v", err)
	}
	for _, e := range hooks.list() {
		if strings.HasSuffix(e, ":circuit_open") && e != OpObservationSearch+":circuit_open" {
			t.Errorf("hook event %s: only Observation searches should have been refused", e)
		}
	}
}
