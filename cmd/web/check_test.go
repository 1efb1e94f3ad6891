package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCheckInSandboxMode: `web check` on a fresh machine walks the whole chain against the
// embedded sandbox and passes, as the README promises. It failed with invalid_client: it
// registered sandbox mode's EC key as a static key set, which the sandbox, like Epic, refuses.
func TestCheckInSandboxMode(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_FORMAT": "text"}
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"check"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs); err != nil {
		t.Fatalf("web check: %v\n%s", err, out.String())
	}
	for _, want := range []string{"ok   jwks:", "ok   token: obtained", "ok   search:", "Epic's note: warning 4101", "all checks passed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
