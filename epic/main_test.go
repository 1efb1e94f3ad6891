package epic

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if goroutines started by the client or the test servers are still
// running after every test has finished (token exchanges, retries, transports).
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaks := waitForLeaks(5 * time.Second); leaks != "" {
			fmt.Fprintf(os.Stderr, "goroutine leak after tests:\n%s\n", leaks)
			code = 1
		}
	}
	os.Exit(code)
}

// waitForLeaks polls until no goroutine runs client or HTTP connection code, returning the
// offending stacks if some remain after the timeout.
func waitForLeaks(timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		leaks := leakedGoroutines()
		if leaks == "" || time.Now().After(deadline) {
			return leaks
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func leakedGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "leakedGoroutines") {
			continue // this goroutine
		}
		for _, marker := range []string{"chartside/epic.", "net/http.(*persistConn)", "net/http/httptest", "net/http.(*conn).serve", "singleflight"} {
			if strings.Contains(g, marker) {
				out = append(out, g)
				break
			}
		}
	}
	return strings.Join(out, "\n\n")
}
