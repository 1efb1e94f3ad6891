package soak

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Check lists what the run proved wrong: unexpected errors, messages that no injected failure
// explains, an audit trail that does not match the PHI views, goroutines that did not settle.
func Check(r *Results) []string {
	var out []string
	errs := 0
	for _, n := range r.Errors {
		errs += n
	}
	if errs > 0 {
		out = append(out, fmt.Sprintf("%d unexpected errors (only injected failures, shown as messages, are expected)", errs))
	}
	if int64(r.Messages) > r.Injected {
		out = append(out, fmt.Sprintf("%d failure messages but only %d failures injected", r.Messages, r.Injected))
	}
	a := r.Audit
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"lookup records vs lookups", a.Lookups, r.Views.lookups},
		{"chart page records vs chart pages", a.ChartPages, r.Views.charts},
		{"encounter records vs encounter drill-downs", a.Encounters, r.Views.encounters},
		{"analyte records vs analyte drill-downs", a.Analytes, r.Views.analytes},
		{"upstream_error records vs failure messages", a.UpstreamErrors, r.Messages},
	} {
		if c.got != c.want {
			out = append(out, fmt.Sprintf("audit: %s: %d, want %d", c.what, c.got, c.want))
		}
	}
	// A section is recorded on its own only when its prefetch failed; one failed prefetch feeds at
	// most two sections (the vitals strip and the vitals table share one search).
	if int64(a.SectionViews) > 2*r.Injected {
		out = append(out, fmt.Sprintf("audit: %d separate section records, more than two per injected failure (%d)", a.SectionViews, r.Injected))
	}
	if !a.ChainOK {
		out = append(out, "audit: the hash chain does not verify")
	}
	if n := len(r.Samples); n >= 2 && r.Samples[n-1].Goroutines > r.Samples[0].Goroutines+settleSlack {
		out = append(out, fmt.Sprintf("goroutines did not settle: %d after the run, %d before", r.Samples[n-1].Goroutines, r.Samples[0].Goroutines))
	}
	return out
}

// Print writes the results as Markdown.
func Print(w io.Writer, r *Results) {
	c := r.Config
	fmt.Fprintf(w, "Soak: %d signed-in clients for %s (think time %s mean), sandbox latency %s per upstream request, %.1f%% of Observation searches failed on purpose (500), %d generated patients.\n\n",
		c.Clients, r.Elapsed.Round(time.Second), c.Think, c.Latency, 100*c.FailRate, c.Patients)
	fmt.Fprintf(w, "Iterations (lookup, chart page + %d sections, encounter and analyte drill-downs): %d. Throughput: %.1f requests/s. Upstream requests: %d.\n\n",
		5, r.Iterations, r.Throughput(), r.Upstream)

	fmt.Fprintln(w, "| request | count | ok | failure shown as message | unexpected errors | p50 | p90 | p99 | max |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %s | %s | %s | %s |\n", row.Kind, row.Requests, row.OK, row.Messages, row.Errors,
			ms(row.P50), ms(row.P90), ms(row.P99), ms(row.Max))
	}
	fmt.Fprintf(w, "\nInjected Epic failures: %d; shown to the clinician as a message in the section or drill-down: %d. The rest hit a section's prefetch, which the section request fetched again, successfully.\n", r.Injected, r.Messages)
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, "\nUnexpected errors:")
		keys := make([]string, 0, len(r.Errors))
		for k := range r.Errors {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "- %s: %d\n", k, r.Errors[k])
		}
	}

	fmt.Fprintln(w, "\n| time | RSS | heap in use | goroutines | requests done |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|")
	for i, s := range r.Samples {
		label := fmt.Sprintf("%.0fs", s.At.Seconds())
		switch {
		case i == 0:
			label = "before (clients signed in)"
		case i == len(r.Samples)-1:
			label = "after (clients gone, settled)"
		}
		fmt.Fprintf(w, "| %s | %.1f MiB | %.1f MiB | %d | %d |\n", label, float64(s.RSS)/(1<<20), float64(s.HeapInUse)/(1<<20), s.Goroutines, s.Requests)
	}

	a := r.Audit
	fmt.Fprintf(w, "\nAudit trail: %d records, hash chain %s. PHI views recorded: %d = %d lookups + %d chart pages + %d encounter + %d analyte drill-downs + %d sections fetched on their own after a failed prefetch; clients made %d lookups, %d chart views, %d encounter and %d analyte drill-downs. upstream_error records: %d (failure messages shown: %d). Sign-ins: %d.\n",
		a.Records, map[bool]string{true: "verified", false: "BROKEN"}[a.ChainOK], a.PHIViews(), a.Lookups, a.ChartPages, a.Encounters, a.Analytes, a.SectionViews,
		r.Views.lookups, r.Views.charts, r.Views.encounters, r.Views.analytes, a.UpstreamErrors, r.Messages, a.SignIns)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
