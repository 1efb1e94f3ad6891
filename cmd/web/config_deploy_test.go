package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
)

// TestSandboxRefusesSharedStores: a replica of a real deployment whose EPIC_ settings went missing
// must not start on the embedded sandbox's synthetic patients against the deployment's database or
// session store (staff signed in elsewhere would be shown synthetic charts for real MRNs, recorded
// in the real audit trail). SANDBOX=true says a sandbox on such a store is meant, and it starts.
func TestSandboxRefusesSharedStores(t *testing.T) {
	refused := []struct {
		name string
		env  map[string]string
	}{
		{"database", map[string]string{"DATABASE_URL": "postgres://chartside:s3cret@127.0.0.1:1/chartside"}},
		{"session store", map[string]string{"SESSION_STORE": "redis://:s3cret@127.0.0.1:1/0"}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var stdout, stderr syncBuffer
			err := run(ctx, []string{"serve"}, testEnv(t, tt.env), strings.NewReader(""), &stdout, &stderr)
			if err == nil {
				t.Fatal("serve started on the sandbox with a shared store")
			}
			msg := err.Error()
			for _, want := range []string{"EPIC_FHIR_BASE_URL", "synthetic patients", "SANDBOX=true"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, "s3cret") {
				t.Errorf("error %q spans lines or shows the password", msg)
			}
			if exitCode(err) == 0 {
				t.Error("exit code 0")
			}
		})
	}

	t.Run("SANDBOX with an Epic", func(t *testing.T) {
		_, err := loadConfig(testEnv(t, map[string]string{"SANDBOX": "true", "EPIC_FHIR_BASE_URL": "https://epic.example.org/fhir",
			"EPIC_CLIENT_ID": "x", "EPIC_MRN_SYSTEM": "MRN", "EPIC_PRIVATE_KEY_FILE": "/etc/hostname"}))
		if err == nil || !strings.Contains(err.Error(), "SANDBOX") {
			t.Fatalf("err = %v, want SANDBOX named", err)
		}
	})

	t.Run("on purpose", func(t *testing.T) {
		pg := dbtest.Postgres(t)
		base, _, stop := startServer(t, testEnv(t, map[string]string{"DATABASE_URL": pg.URL, "SANDBOX": "true"}))
		defer stop()
		waitHealthy(t, base)
		resp, err := http.Get(base + "/signin")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("sign-in page: %d", resp.StatusCode)
		}
	})
}

// TestRealEpicWithoutPublicURLWarns: a real-Epic server without an https PUBLIC_URL works (loopback
// set-ups and a TLS proxy in front are legitimate) but says at start-up what that costs: a session
// cookie without Secure and no HSTS, and no JWK Set URL for Epic. With PUBLIC_URL https, no warning.
func TestRealEpicWithoutPublicURLWarns(t *testing.T) {
	key, err := epic.GenerateRSAKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, _ := writeKeyFile(t, key, 0o600)
	env := map[string]string{
		"DATA_DIR":              filepath.Join(t.TempDir(), "data"),
		"EPIC_FHIR_BASE_URL":    "http://127.0.0.1:1" + sandbox.FHIRBasePath,
		"EPIC_TOKEN_URL":        "http://127.0.0.1:1" + sandbox.TokenPath,
		"EPIC_CLIENT_ID":        "chartside-warnings",
		"EPIC_PRIVATE_KEY_FILE": keyFile,
		"EPIC_MRN_SYSTEM":       sandbox.MRNSystem,
	}
	warnings := func(extra map[string]string) []string {
		t.Helper()
		vars := map[string]string{}
		for k, v := range env {
			vars[k] = v
		}
		for k, v := range extra {
			vars[k] = v
		}
		base, logs, stop := startServer(t, testEnv(t, vars))
		waitHealthy(t, base)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(logs.String(), "\n") {
			var rec struct{ Level, Msg string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Level == "WARN" {
				got = append(got, rec.Msg)
			}
		}
		return got
	}

	got := strings.Join(warnings(nil), "\n")
	for _, want := range []string{"PUBLIC_URL is not set", "Secure", "HSTS", "no JWK Set URL"} {
		if !strings.Contains(got, want) {
			t.Errorf("start-up warnings without PUBLIC_URL do not say %q:\n%s", want, got)
		}
	}
	got = strings.Join(warnings(map[string]string{"PUBLIC_URL": "https://chartside.example.org"}), "\n")
	if strings.Contains(got, "PUBLIC_URL") || strings.Contains(got, "JWK Set URL") {
		t.Errorf("warnings with an https PUBLIC_URL:\n%s", got)
	}
}

// TestUTCHostWithoutTimezoneWarns: chart dates and times carry no zone, and TIMEZONE defaults to
// the host's zone, which in the container image (and most containers and cloud hosts) is UTC. A
// clinic in Chicago deployed that way read every vital sign and result five or six hours off, and
// nothing at start-up said so. Now a real-Epic server on a UTC host without TIMEZONE warns; with
// TIMEZONE set (UTC included: that is a choice), or on a host in another zone, it does not.
func TestUTCHostWithoutTimezoneWarns(t *testing.T) {
	keyFile, _ := writeKeyFile(t, nil, 0o600)
	env := map[string]string{
		"EPIC_FHIR_BASE_URL":    "https://epic.example.org" + sandbox.FHIRBasePath,
		"EPIC_CLIENT_ID":        "chartside-timezone",
		"EPIC_PRIVATE_KEY_FILE": keyFile,
		"EPIC_MRN_SYSTEM":       sandbox.MRNSystem,
		"PUBLIC_URL":            "https://chartside.example.org",
	}
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		timezone string         // TIMEZONE
		host     *time.Location // what the host's Local is
		warn     bool
	}{
		{"unset on a UTC host", "", time.UTC, true},
		{"Local on a UTC host", "Local", time.UTC, true},
		{"unset on a Chicago host", "", chicago, false},
		{"UTC chosen", "UTC", nil, false},
		{"Chicago chosen", "America/Chicago", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"TIMEZONE": tc.timezone}
			for k, v := range env {
				vars[k] = v
			}
			cfg, err := loadConfig(testEnv(t, vars))
			if err != nil {
				t.Fatal(err)
			}
			if tc.host != nil {
				cfg.TimeZone = tc.host // the host's Local, which the test cannot change
			}
			got := strings.Join(cfg.warnings(), "\n")
			warned := strings.Contains(got, "TIMEZONE")
			if warned != tc.warn {
				t.Fatalf("TIMEZONE warning %v, want %v; warnings:\n%s", warned, tc.warn, got)
			}
			if tc.warn && !strings.Contains(got, "shown in UTC") {
				t.Errorf("warning does not say times are shown in UTC:\n%s", got)
			}
		})
	}
}

// TestKeyFileReadableByAllWarns: the Epic signing key opens every patient's chart to whoever holds
// it, but a key file every account on the host could read (0644, as `openssl genrsa` under the
// usual umask or a copied file leaves it) started without a word. Now start-up names the file and
// its mode and says how to restrict it; a key only its owner (or its group) may read, as `web
// keygen` writes it, gives no warning.
func TestKeyFileReadableByAllWarns(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o644, true}, {0o604, true}, {0o600, false}, {0o640, false}, {0o400, false}} {
		t.Run(fmt.Sprintf("%04o", tc.mode), func(t *testing.T) {
			keyFile, _ := writeKeyFile(t, nil, 0o600)
			if err := os.Chmod(keyFile, tc.mode); err != nil { // whatever the umask
				t.Fatal(err)
			}
			cfg, err := loadConfig(testEnv(t, map[string]string{
				"EPIC_FHIR_BASE_URL":    "https://epic.example.org" + sandbox.FHIRBasePath,
				"EPIC_CLIENT_ID":        "chartside-key-mode",
				"EPIC_PRIVATE_KEY_FILE": keyFile,
				"EPIC_MRN_SYSTEM":       sandbox.MRNSystem,
				"PUBLIC_URL":            "https://chartside.example.org",
				"TIMEZONE":              "UTC",
			}))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(cfg.warnings(), "\n")
			if warned := strings.Contains(got, "EPIC_PRIVATE_KEY_FILE"); warned != tc.warn {
				t.Fatalf("key file warning %v, want %v; warnings:\n%s", warned, tc.warn, got)
			}
			if tc.warn {
				for _, want := range []string{keyFile, fmt.Sprintf("mode %04o", tc.mode), "every account", "chmod 600"} {
					if !strings.Contains(got, want) {
						t.Errorf("warning does not say %q:\n%s", want, got)
					}
				}
			}
		})
	}
}
