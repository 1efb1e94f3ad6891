package bench

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// LatencyRow is one client on one patient: medians over the iterations, traffic per lookup.
type LatencyRow struct {
	Scenario   string         // "typical" or "long history"
	Client     string         // "naive" or "Chartside"
	Encounters int            // the patient's encounters (all of them, as the naive client fetched)
	FirstByte  time.Duration  // median: first byte of the chart (naive: the patient known)
	Complete   time.Duration  // median: the complete chart
	Upstream   float64        // upstream requests per lookup, token requests included
	Tokens     float64        // token requests per lookup
	HTMLBytes  int            // Chartside: the first view's HTML (page and sections)
	GzipBytes  int            // Chartside: the first view gzip-compressed, part by part
	PageBytes  int            // Chartside: the chart page alone (banner and placeholders)
	Sections   map[string]int // Chartside: each section's HTML by element id
	Ratio      float64        // on Chartside rows: naive complete / Chartside complete
}

// patientCase is a patient to measure.
type patientCase struct {
	scenario string
	mrn      string
}

// compareLatency measures the naive client and Chartside on each patient with the sandbox adding
// latency to every request. Chartside's token is warmed first: the target is zero token requests
// per lookup while a token is valid, and the first lookup after start-up is not what staff wait on.
func compareLatency(ctx context.Context, up *Upstream, naive *Naive, br *Browser, cases []patientCase, latency time.Duration, naiveIter, chartIter int) ([]LatencyRow, error) {
	up.SetLatency(latency)
	defer up.SetLatency(0)
	br.Gzip = true
	defer func() { br.Gzip = false }()
	var rows []LatencyRow
	for _, pc := range cases {
		if _, err := br.LookupAndLoad(ctx, pc.mrn); err != nil { // warm-up: token, connections
			return nil, fmt.Errorf("bench: %s warm-up: %w", pc.scenario, err)
		}
		nr := LatencyRow{Scenario: pc.scenario, Client: "naive"}
		var first, complete []time.Duration
		before := up.Sandbox.Stats()
		for range naiveIter {
			res, err := naive.Lookup(ctx, pc.mrn)
			if err != nil {
				return nil, fmt.Errorf("bench: %s naive: %w", pc.scenario, err)
			}
			first, complete = append(first, res.FirstByte), append(complete, res.Complete)
			nr.Encounters = res.Encounters
		}
		use := delta(before, up.Sandbox.Stats())
		nr.FirstByte, nr.Complete = median(first), median(complete)
		nr.Upstream, nr.Tokens = perLookup(use.Total(), naiveIter), perLookup(use.Token, naiveIter)

		cr := LatencyRow{Scenario: pc.scenario, Client: "Chartside", Encounters: nr.Encounters}
		first, complete = first[:0], complete[:0]
		before = up.Sandbox.Stats()
		for range chartIter {
			c, err := br.LookupAndLoad(ctx, pc.mrn)
			if err != nil {
				return nil, fmt.Errorf("bench: %s Chartside: %w", pc.scenario, err)
			}
			first, complete = append(first, c.FirstByte), append(complete, c.Complete)
			cr.HTMLBytes, cr.PageBytes, cr.Sections, cr.GzipBytes = c.HTMLBytes, c.PageBytes, c.Sections, c.GzipBytes
		}
		use = delta(before, up.Sandbox.Stats())
		cr.FirstByte, cr.Complete = median(first), median(complete)
		cr.Upstream, cr.Tokens = perLookup(use.Total(), chartIter), perLookup(use.Token, chartIter)
		if cr.Complete > 0 {
			cr.Ratio = float64(nr.Complete) / float64(cr.Complete)
		}
		rows = append(rows, nr, cr)
	}
	return rows, nil
}

func perLookup(n int64, iterations int) float64 { return float64(n) / float64(iterations) }

// median of ds (the upper one for an even count); zero for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// percentile returns the p-th percentile (0-100) of sorted by the nearest-rank method.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
