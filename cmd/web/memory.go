package main

import (
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
)

// Chartside's garbage-collector settings, used unless the operator sets GOGC or GOMEMLIMIT.
//
// Go's default (GOGC=100, no limit) collects whenever the heap has doubled. Chartside's live heap
// under load is small (decoded Epic results, rendered pages) and allocated fast, so at 50 busy
// clients that meant a collection every few milliseconds and a third of the server's CPU per chart
// (BENCHMARKS.md, fourth round). Instead the heap may grow to five times the live data, within a
// soft limit of 110 MiB of Go memory: the collector runs less while memory is free, and as often
// as needed to stay inside the limit when it is not. Measured with `web bench`, alternating with
// Go's default: 50 clients 3.4–3.7 ms of server CPU per chart instead of 4.8–5.1 (+30 % charts/s),
// 200 clients the same 128 MiB peak RSS as before (the budget is 150 MB).
//
// The limit is soft: a heap that needs more gets it, with the collector working harder (at most
// half the CPU). Raise GOMEMLIMIT for far more concurrent clients; lower it, a little under the
// container's memory limit, in a container smaller than about 160 MiB.
//
// In sandbox mode Go's defaults stay: the embedded sandbox keeps its whole synthetic population
// (or the loaded Synthea bundles) in the same heap, about 50 MB live for the generated one,
// which the limit was not sized for.
const (
	defaultGOGC        = 400
	defaultMemoryLimit = 110 << 20 // bytes
)

// applyGCSettings applies defaultGOGC and defaultMemoryLimit where the environment does not set
// GOGC or GOMEMLIMIT (the Go runtime has applied those itself) and Chartside is not in sandbox
// mode, logs what is in force, and returns a function that restores the previous settings (for
// tests that run the server in-process).
func applyGCSettings(getenv func(string) string, sandbox bool, log *slog.Logger) (restore func()) {
	gogc, limit := "GOGC", "GOMEMLIMIT"
	prevGOGC, prevLimit := -2, int64(-1)
	switch {
	case getenv("GOGC") != "":
	case sandbox:
		gogc = "Go default (sandbox mode)"
	default:
		prevGOGC = debug.SetGCPercent(defaultGOGC)
		gogc = "Chartside default"
	}
	switch {
	case getenv("GOMEMLIMIT") != "":
	case sandbox:
		limit = "Go default (sandbox mode)"
	default:
		prevLimit = debug.SetMemoryLimit(defaultMemoryLimit)
		limit = "Chartside default"
	}
	in := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(in)
	pct, mem := "off", "none" // GOGC=off reads as -1, no limit as math.MaxInt64
	if v := int64(in[0].Value.Uint64()); v >= 0 {
		pct = strconv.FormatInt(v, 10)
	}
	if v := in[1].Value.Uint64(); v < math.MaxInt64 {
		mem = strconv.FormatUint(v>>20, 10) + " MiB"
	}
	log.Info("garbage collector", slog.String("gogc", pct), slog.String("gogc_from", gogc),
		slog.String("memory_limit", mem), slog.String("memory_limit_from", limit))
	return func() {
		if prevGOGC != -2 {
			debug.SetGCPercent(prevGOGC)
		}
		if prevLimit >= 0 {
			debug.SetMemoryLimit(prevLimit)
		}
	}
}

// checkGOGC refuses a GOGC that Go's runtime cannot read. The runtime silently runs such a process
// at GOGC=100, and applyGCSettings, seeing GOGC set, would log that as the operator's choice: a typo
// would quietly cost the collector settings the operator meant to set. (A malformed GOMEMLIMIT
// already stops every Go program at start-up, before Chartside runs.) The runtime takes "off" or
// a whole number with an optional sign, nothing else, not even spaces (checked against Go 1.26).
func (e *env) checkGOGC() {
	v := e.getenv("GOGC")
	if v == "" || v == "off" {
		return
	}
	if _, err := strconv.ParseInt(v, 10, 32); err == nil {
		return
	}
	e.fail("GOGC", fmt.Sprintf("is %q, which Go's runtime ignores (it would run at its default, 100)", v),
		fmt.Sprintf("unset it for Chartside's default (%d), or use a whole number such as %d, or off", defaultGOGC, defaultGOGC))
}
