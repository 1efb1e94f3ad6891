package main

import (
	"bytes"
	"log/slog"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
)

func gcSettings() (gogc, limit uint64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

// TestGCSettings: the server runs with Chartside's collector settings unless the operator set
// GOGC or GOMEMLIMIT or it runs on the embedded sandbox, says which are in force, and puts the
// previous ones back when it stops.
func TestGCSettings(t *testing.T) {
	beforeGOGC, beforeLimit := gcSettings()
	defer debug.SetGCPercent(int(beforeGOGC))
	defer debug.SetMemoryLimit(int64(beforeLimit))
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(1 << 40)

	var logs bytes.Buffer
	noEnv := func(string) string { return "" }
	restore := applyGCSettings(noEnv, false, slog.New(slog.NewTextHandler(&logs, nil)))
	if gogc, limit := gcSettings(); gogc != defaultGOGC || limit != defaultMemoryLimit {
		t.Errorf("defaults: GOGC %d, limit %d; want %d, %d", gogc, limit, defaultGOGC, defaultMemoryLimit)
	}
	if l := logs.String(); !strings.Contains(l, "gogc=400") || !strings.Contains(l, `memory_limit="110 MiB"`) {
		t.Errorf("log does not say which settings are in force: %s", l)
	}
	restore()
	if gogc, limit := gcSettings(); gogc != 100 || limit != 1<<40 {
		t.Errorf("after stopping: GOGC %d, limit %d; want the previous 100, %d", gogc, limit, uint64(1<<40))
	}

	// Sandbox mode: Go's defaults, and the log says why.
	logs.Reset()
	restore = applyGCSettings(noEnv, true, slog.New(slog.NewTextHandler(&logs, nil)))
	if gogc, limit := gcSettings(); gogc != 100 || limit != 1<<40 {
		t.Errorf("sandbox mode: GOGC %d, limit %d; want Go's 100, %d", gogc, limit, uint64(1<<40))
	}
	if l := logs.String(); !strings.Contains(l, `gogc_from="Go default (sandbox mode)"`) {
		t.Errorf("log does not say sandbox mode keeps Go's defaults: %s", l)
	}
	restore()

	// The operator's GOGC (already applied by the runtime) is left alone; the limit still defaults.
	logs.Reset()
	restore = applyGCSettings(func(k string) string {
		if k == "GOGC" {
			return "100"
		}
		return ""
	}, false, slog.New(slog.NewTextHandler(&logs, nil)))
	defer restore()
	if gogc, limit := gcSettings(); gogc != 100 || limit != defaultMemoryLimit {
		t.Errorf("GOGC set: GOGC %d, limit %d; want 100, %d", gogc, limit, defaultMemoryLimit)
	}
	if l := logs.String(); !strings.Contains(l, "gogc_from=GOGC") {
		t.Errorf("log does not credit GOGC: %s", l)
	}
}
