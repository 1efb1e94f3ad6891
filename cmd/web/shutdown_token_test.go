package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestSandboxShutdownDuringTokenExchange: stopping `web serve` in sandbox mode while its first token
// exchange is running must not log an Epic credential error. The sandbox fetches Chartside's JWK Set
// from Chartside's own listener, which closes when shutdown starts; the exchange still running was
// then refused as invalid_client and logged with "wrong client ID …", sending IT after a key
// problem that did not exist. The exchange is now cancelled before the listener closes and logged
// as cancelled by shutdown.
func TestSandboxShutdownDuringTokenExchange(t *testing.T) {
	// Each sandbox answer takes 400 ms: discovery, then the token request, so the exchange /readyz
	// starts is still running when /readyz gives up waiting for it (after 500 ms) and we stop.
	base, logs, stop := startServer(t, testEnv(t, map[string]string{"SANDBOX_LATENCY": "400ms", "SANDBOX_PATIENTS": "3"}))
	waitHealthy(t, base)
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "no token exchange has finished yet") {
		t.Fatalf("/readyz = %s\nwant the exchange still running, or this test shows nothing", body)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	log := logs.String()
	for _, bad := range []string{"invalid_client", "token exchange failed", "wrong client ID"} {
		if strings.Contains(log, bad) {
			t.Errorf("the log says %q after a shutdown during the token exchange:\n%s", bad, log)
		}
	}
	if !strings.Contains(log, "epic: token exchange cancelled: Chartside is shutting down") {
		t.Errorf("the log does not say the token exchange was cancelled by shutdown:\n%s", log)
	}
}
