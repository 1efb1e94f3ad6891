package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chartside/chartside/epic/sandbox"
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
	for _, want := range []string{"ok   jwks:", "ok   token: obtained", "ok   search:", "Epic's note: warning 4101", "all checks passed, except the MRN system"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCheckFailureSaidOnce: a failed step is printed once, with its fixes; the program's last line
// points at it instead of repeating Epic's error.
func TestCheckFailureSaidOnce(t *testing.T) {
	keyFile, _ := writeKeyFile(t, nil, 0o600)
	env := map[string]string{"DATA_DIR": t.TempDir(), "EPIC_FHIR_BASE_URL": "http://127.0.0.1:1/fhir", "EPIC_CLIENT_ID": "x",
		"EPIC_MRN_SYSTEM": "MRN", "EPIC_PRIVATE_KEY_FILE": keyFile, "LOG_FORMAT": "text"}
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"check"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "see the FAIL line") || strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error %v: want one pointing at the FAIL line above, not repeating it", err)
	}
	if n := strings.Count(out.String(), "connection refused"); n != 1 || !strings.Contains(out.String(), "FAIL discovery") {
		t.Errorf("output says the failure %d times, want once under FAIL discovery:\n%s", n, out.String())
	}
}

// TestCheckKnownMRN: --mrn searches a known test patient and says how many patients it found,
// never who, and fails when EPIC_MRN_SYSTEM is not the one the patients are filed under: the
// standard check's made-up MRN passes either way.
func TestCheckKnownMRN(t *testing.T) {
	for _, tt := range []struct {
		name, mrn, system, want string
		ok                      bool
	}{
		{"known patient", "203713", "", "ok   MRN search: 1 patient(s) found", true},
		{"nobody has it", "999999", "", "FAIL MRN search: no patient has the MRN given", false},
		{"wrong MRN system", "203713", "urn:oid:1.2.3.4", "fix: check EPIC_MRN_SYSTEM", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_FORMAT": "text", "EPIC_MRN_SYSTEM": tt.system}
			var out, errs bytes.Buffer
			err := run(context.Background(), []string{"check", "--mrn", tt.mrn}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
			if (err == nil) != tt.ok {
				t.Errorf("error %v, want ok=%v\n%s", err, tt.ok, out.String())
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out.String())
			}
			if tt.ok && !strings.HasSuffix(out.String(), "\nall checks passed\n") {
				t.Errorf("a check with --mrn that passed does not end in plain \"all checks passed\":\n%s", out.String())
			}
			if strings.Contains(out.String()+errs.String(), "Camila") || strings.Contains(out.String()+errs.String(), "Lopez") {
				t.Errorf("the check shows who the patient is:\n%s%s", out.String(), errs.String())
			}
		})
	}
}

// TestCheckOutputHasNoLogLines: with Epic refusing the client, `web check` said so in its FAIL
// token line and, just above it, in a JSON WARN log line from the Epic client ("epic: token
// exchange failed", every likely cause on one line) in the middle of its human-readable steps.
// What a terminal shows (stdout and stderr together) is the steps alone.
func TestCheckOutputHasNoLogLines(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Patients: 1})
	if err != nil {
		t.Fatal(err)
	}
	epicSrv := httptest.NewServer(sb.Handler()) // no client registered: invalid_client
	defer epicSrv.Close()
	keyFile, _ := writeKeyFile(t, nil, 0o600)
	env := map[string]string{"DATA_DIR": t.TempDir(), "EPIC_FHIR_BASE_URL": epicSrv.URL + sandbox.FHIRBasePath,
		"EPIC_CLIENT_ID": "nobody", "EPIC_MRN_SYSTEM": "MRN", "EPIC_PRIVATE_KEY_FILE": keyFile, "LOG_FORMAT": "json"}
	var terminal bytes.Buffer
	err = run(context.Background(), []string{"check"}, func(k string) string { return env[k] }, strings.NewReader(""), &terminal, &terminal)
	if err == nil {
		t.Fatalf("check passed against an Epic that refuses the client:\n%s", terminal.String())
	}
	if n := strings.Count(terminal.String(), "invalid_client"); n != 1 || !strings.Contains(terminal.String(), "FAIL token") {
		t.Errorf("the refusal is said %d times, want once, in the FAIL token line:\n%s", n, terminal.String())
	}
	for line := range strings.Lines(terminal.String()) {
		if strings.HasPrefix(line, "{") || strings.Contains(line, "level=") {
			t.Errorf("a log line among check's output: %s", line)
		}
	}
}
