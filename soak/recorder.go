package soak

import (
	"slices"
	"sync"
	"time"
)

// Outcomes of one request, from the browser's point of view.
const (
	outcomeOK      = "ok"
	outcomeMessage = "message" // a 200 whose section shows an Epic failure as a message
	outcomeError   = "error"   // anything a clinician should never see: 5xx, generic error, dropped connection
)

// recorder collects every request's latency and outcome. It is safe for concurrent use.
type recorder struct {
	mu      sync.Mutex
	byKind  map[string]*kindStats
	reasons map[string]int // "kind: reason" of every unexpected error
}

type kindStats struct {
	latencies []time.Duration
	outcomes  map[string]int
}

func newRecorder() *recorder {
	return &recorder{byKind: map[string]*kindStats{}, reasons: map[string]int{}}
}

func (r *recorder) result(kind string, d time.Duration, outcome, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ks := r.byKind[kind]
	if ks == nil {
		ks = &kindStats{outcomes: map[string]int{}}
		r.byKind[kind] = ks
	}
	ks.latencies = append(ks.latencies, d)
	ks.outcomes[outcome]++
	if outcome == outcomeError {
		r.reasons[kind+": "+reason]++
	}
}

// note records an unexpected answer that was not a failed request (e.g. a redirect elsewhere).
func (r *recorder) note(kind, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reasons[kind+": "+reason]++
}

// total counts requests with the given outcome ("" for all), sign-ins excluded when steady is set.
func (r *recorder) total(outcome string, steady bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for k, ks := range r.byKind {
		if steady && k == kindSignIn {
			continue
		}
		for o, c := range ks.outcomes {
			if outcome == "" || o == outcome {
				n += c
			}
		}
	}
	return n
}

// LatencyRow is one kind of request's figures.
type LatencyRow struct {
	Kind          string
	Requests      int
	OK, Messages  int
	Errors        int
	P50, P90, P99 time.Duration
	Max           time.Duration
}

func (r *recorder) rows(order []string) []LatencyRow {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []LatencyRow
	var all []time.Duration
	sum := LatencyRow{Kind: "all (sign-in excluded)"}
	for _, k := range order {
		ks := r.byKind[k]
		if ks == nil {
			continue
		}
		row := latencyRow(k, ks.latencies)
		row.OK, row.Messages, row.Errors = ks.outcomes[outcomeOK], ks.outcomes[outcomeMessage], ks.outcomes[outcomeError]
		out = append(out, row)
		if k != kindSignIn {
			all = append(all, ks.latencies...)
			sum.OK += row.OK
			sum.Messages += row.Messages
			sum.Errors += row.Errors
		}
	}
	total := latencyRow(sum.Kind, all)
	total.OK, total.Messages, total.Errors = sum.OK, sum.Messages, sum.Errors
	return append(out, total)
}

func latencyRow(kind string, ds []time.Duration) LatencyRow {
	s := slices.Clone(ds)
	slices.Sort(s)
	row := LatencyRow{Kind: kind, Requests: len(s)}
	if len(s) == 0 {
		return row
	}
	row.P50, row.P90, row.P99, row.Max = percentile(s, 0.50), percentile(s, 0.90), percentile(s, 0.99), s[len(s)-1]
	return row
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

func (r *recorder) errorReasons() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.reasons))
	for k, v := range r.reasons {
		out[k] = v
	}
	return out
}
