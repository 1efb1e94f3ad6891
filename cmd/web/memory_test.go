package main

import (
	"bytes"
	"errors"
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

// TestMalformedGOGCStopsStartup: Go's runtime runs a process with GOGC=abc at GOGC=100 without a
// word, and the start-up log then credited GOGC for it. Chartside refuses such a value in one
// line naming GOGC, as it does any other bad setting; what the runtime reads still starts.
func TestMalformedGOGCStopsStartup(t *testing.T) {
	for _, v := range []string{"abc", "400%", " 400", "OFF", "4e2", "99999999999"} {
		_, err := loadConfig(func(k string) string { return map[string]string{"GOGC": v}[k] })
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != "GOGC" || !strings.Contains(err.Error(), "ignores") {
			t.Errorf("GOGC=%q: error %v, want a configuration error naming GOGC", v, err)
		}
	}
	for _, v := range []string{"", "400", "+400", "100", "off", "-1", "0"} {
		if _, err := loadConfig(func(k string) string { return map[string]string{"GOGC": v}[k] }); err != nil {
			t.Errorf("GOGC=%q: %v, want it accepted (the runtime reads it)", v, err)
		}
	}
}
