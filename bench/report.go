package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Targets from issue 7, checked against a run.
const (
	targetCompleteSlack  = 25 * time.Millisecond // complete chart ≤ 2 round trips + this
	targetFirstByteSlack = 15 * time.Millisecond // banner first byte ≤ 1 round trip + this
	targetRatio          = 10.0                  // ≥ 10× faster than naive
	targetPagesPerSec    = 500.0                 // chart pages/s, no added latency
	targetP99At50        = 100 * time.Millisecond
	targetPeakRSS        = 150_000_000 // bytes at 200 clients: the issue says 150 MB, read strictly (143.1 MiB)
)

// Print writes the results as Markdown tables (readable in a terminal, pasteable into
// BENCHMARKS.md), then the targets met and missed.
func Print(w io.Writer, r *Results) {
	m := r.Machine
	fmt.Fprintf(w, "Machine: %d CPUs (%s), %d MiB memory, %s %s/%s; 1-minute load average %s at the start, %s at the end\n\n",
		m.CPUs, orDash(m.CPUModel), m.MemoryMiB, m.GoVersion, m.OS, m.Arch, orDash(m.LoadStart), orDash(m.LoadEnd))

	if len(r.Latency) > 0 {
		fmt.Fprintf(w, "Lookup latency, %s added to every upstream request (medians: naive %d lookups, Chartside %d after one warm-up; typical patient MRN %s)\n\n",
			r.Config.Latency, r.Config.NaiveIterations, r.Config.ChartIterations, r.TypicalMRN)
		fmt.Fprintln(w, "| scenario | client | encounters | first byte of chart | complete chart | upstream requests | token requests | first view HTML | naive/Chartside |")
		fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|")
		for _, row := range r.Latency {
			html, ratio := "–", "–"
			if row.Client == "Chartside" {
				html = kb(int64(row.HTMLBytes))
				ratio = fmt.Sprintf("%.1f×", row.Ratio)
			}
			fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %.1f | %.1f | %s | %s |\n",
				row.Scenario, row.Client, row.Encounters, ms(row.FirstByte), ms(row.Complete), row.Upstream, row.Tokens, html, ratio)
		}
		fmt.Fprintln(w, "\nNaive \"first byte\" is when the patient is known (the earliest a banner could be shown); a tutorial app renders only after everything.")
		fmt.Fprintln(w)
		printSections(w, r.Latency)
	}

	if len(r.Load) > 0 {
		fmt.Fprintf(w, "Throughput, no added latency, %s per level (a chart = page + every section in parallel)\n\n", r.Config.Duration)
		fmt.Fprintln(w, "| clients | charts/s | requests/s | page p50 | page p95 | page p99 | chart p50 | chart p95 | chart p99 | errors | server CPU per chart | peak RSS | goroutines before / peak / after |")
		fmt.Fprintln(w, "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, l := range r.Load {
			perChart := time.Duration(0)
			if l.Charts > 0 {
				perChart = l.ServerCPU / time.Duration(l.Charts)
			}
			fmt.Fprintf(w, "| %d | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %d | %s | %s | %d / %d / %d |\n",
				l.Clients, l.ChartsPerSec, l.RequestsPerSec, ms(l.PageP50), ms(l.PageP95), ms(l.PageP99),
				ms(l.ChartP50), ms(l.ChartP95), ms(l.ChartP99), l.Errors, ms(perChart), mib(l.PeakRSS),
				l.GoroutinesBefore, l.PeakGoroutines, l.GoroutinesAfter)
		}
		for _, l := range r.Load {
			if l.FirstErrorExample != "" {
				fmt.Fprintf(w, "\nFirst error at %d clients: %s\n", l.Clients, l.FirstErrorExample)
			}
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintln(w, "Targets (issue 7)")
	fmt.Fprintln(w)
	for _, c := range Check(r) {
		mark := "met   "
		if !c.Met {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "- %s %s: %s\n", mark, c.Target, c.Got)
	}
}

// TargetCheck is one target of the issue and what the run measured.
type TargetCheck struct {
	Target string
	Got    string
	Met    bool
}

// Check compares a run with the targets (those this driver measures).
func Check(r *Results) []TargetCheck {
	var out []TargetCheck
	lat := r.Config.Latency
	for _, row := range r.Latency {
		if row.Client != "Chartside" {
			continue
		}
		if row.Scenario == "typical" {
			out = append(out,
				TargetCheck{fmt.Sprintf("typical: complete chart ≤ 2 round trips + 25 ms (%s)", ms(2*lat+targetCompleteSlack)), ms(row.Complete), row.Complete <= 2*lat+targetCompleteSlack},
				TargetCheck{fmt.Sprintf("typical: first byte ≤ 1 round trip + 15 ms (%s)", ms(lat+targetFirstByteSlack)), ms(row.FirstByte), row.FirstByte <= lat+targetFirstByteSlack},
				TargetCheck{fmt.Sprintf("typical (%d encounters): ≥ 10× faster than naive", row.Encounters), fmt.Sprintf("%.1f×", row.Ratio), row.Ratio >= targetRatio},
			)
		}
		if row.Scenario == "long history" {
			out = append(out, TargetCheck{"long history: first view ≤ 300 KB of HTML", kb(int64(row.HTMLBytes)), row.HTMLBytes <= 300*1024})
		}
		out = append(out, TargetCheck{row.Scenario + ": 0 token requests per lookup while the token is valid", fmt.Sprintf("%.1f", row.Tokens), row.Tokens == 0})
	}
	for _, l := range r.Load {
		if l.Clients == 50 {
			out = append(out,
				TargetCheck{"50 clients: ≥ 500 chart pages/s", fmt.Sprintf("%.0f/s", l.ChartsPerSec), l.ChartsPerSec >= targetPagesPerSec},
				TargetCheck{"50 clients: page p99 ≤ 100 ms", ms(l.PageP99), l.PageP99 <= targetP99At50},
			)
		}
		if l.Clients == 200 {
			out = append(out, TargetCheck{"200 clients: peak RSS ≤ 150 MB (143.1 MiB)", mib(l.PeakRSS), l.PeakRSS <= targetPeakRSS})
		}
		out = append(out,
			TargetCheck{fmt.Sprintf("%d clients: zero errors", l.Clients), fmt.Sprint(l.Errors), l.Errors == 0},
			TargetCheck{fmt.Sprintf("%d clients: no goroutine growth after the load (beyond Epic's idle connections, %d)", l.Clients, EpicIdlePoolGoroutines), fmt.Sprintf("%d before, %d after", l.GoroutinesBefore, l.GoroutinesAfter), l.GoroutinesAfter <= l.GoroutinesBefore+EpicIdlePoolGoroutines},
		)
	}
	return out
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// printSections shows where each first view's HTML goes: the page, then each section.
func printSections(w io.Writer, rows []LatencyRow) {
	var ch []LatencyRow
	for _, r := range rows {
		if r.Client == "Chartside" && len(r.Sections) > 0 {
			ch = append(ch, r)
		}
	}
	if len(ch) == 0 {
		return
	}
	ids := map[string]bool{}
	for _, r := range ch {
		for id := range r.Sections {
			ids[id] = true
		}
	}
	order := slices.Sorted(maps.Keys(ids))
	fmt.Fprint(w, "First view HTML by part\n\n| part |")
	for _, r := range ch {
		fmt.Fprintf(w, " %s |", r.Scenario)
	}
	fmt.Fprint(w, "\n|---|")
	for range ch {
		fmt.Fprint(w, "--:|")
	}
	fmt.Fprint(w, "\n| chart page |")
	for _, r := range ch {
		fmt.Fprintf(w, " %s |", kb(int64(r.PageBytes)))
	}
	for _, id := range order {
		fmt.Fprintf(w, "\n| %s |", id)
		for _, r := range ch {
			fmt.Fprintf(w, " %s |", kb(int64(r.Sections[id])))
		}
	}
	fmt.Fprint(w, "\n| **total** |")
	for _, r := range ch {
		fmt.Fprintf(w, " **%s** |", kb(int64(r.HTMLBytes)))
	}
	fmt.Fprint(w, "\n| total, each part gzip-compressed |")
	for _, r := range ch {
		fmt.Fprintf(w, " %s |", kb(int64(r.GzipBytes)))
	}
	fmt.Fprint(w, "\n\n")
}
