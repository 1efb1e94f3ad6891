package main

import (
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/chartside/chartside/handlers"
)

// TestHealthTimeoutsAgree: whoever gives up on a health check first decides what IT reads. HAProxy's
// "timeout check" must stay above /readyz's own bound, or a slow database shows only HAProxy's
// "L7 timeout" instead of Chartside's "database: no answer within 800ms"; Docker's HEALTHCHECK
// --timeout must stay above `web healthcheck`'s, or Docker kills the command before it can say why.
func TestHealthTimeoutsAgree(t *testing.T) {
	setting := func(file, pattern string) time.Duration {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(pattern).FindSubmatch(b)
		if m == nil {
			t.Fatalf("%s: no match for %s", file, pattern)
		}
		d, err := time.ParseDuration(string(m[1]))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return d
	}
	if check := setting("../../deploy/haproxy.cfg", `(?m)^\s*timeout check (\S+)`); check <= handlers.ReadyCheckTimeout {
		t.Errorf("haproxy.cfg: timeout check %s is not above /readyz's bound %s", check, handlers.ReadyCheckTimeout)
	}
	if docker := setting("../../Dockerfile", `HEALTHCHECK .*--timeout=(\S+)`); docker <= healthcheckTimeout {
		t.Errorf("Dockerfile: HEALTHCHECK --timeout=%s is not above web healthcheck's %s", docker, healthcheckTimeout)
	}
}
