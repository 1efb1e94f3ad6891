package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/chartside/chartside/epic"
)

// A key file the service account may not read is a permissions problem: the message must say so,
// not send IT off to make a different kind of key.
func TestUnreadableKeyFileAsksForPermissionsNotAnotherKey(t *testing.T) {
	check := func(t *testing.T, err error) {
		t.Helper()
		ce, ok := err.(*ConfigError)
		if !ok {
			t.Fatalf("error %T %v, want *ConfigError", err, err)
		}
		msg := ce.Error()
		if ce.Var != "EPIC_PRIVATE_KEY_FILE" || !strings.Contains(msg, "permission denied") {
			t.Errorf("message %q: want EPIC_PRIVATE_KEY_FILE and the reason", msg)
		}
		if !strings.Contains(ce.Fix, "chmod") || strings.Contains(ce.Fix, "openssl genrsa") {
			t.Errorf("fix %q: want the file's permissions changed, not a new key", ce.Fix)
		}
	}

	t.Run("as LoadKeys reports it", func(t *testing.T) {
		err := fmt.Errorf("epic: load key: %w", &fs.PathError{Op: "open", Path: "/etc/chartside/epic-key.pem", Err: syscall.EACCES})
		check(t, keyLoadError(err))
	})

	t.Run("start-up", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads a file whatever its mode")
		}
		path, _ := writeKeyFile(t, nil, 0o000)
		cfg := Config{Epic: EpicConfig{FHIRBaseURL: "https://epic.example.org/api/FHIR/R4", PrivateKeyFiles: []string{path}}}
		_, err := openUpstream(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
		check(t, err)
	})

	t.Run("other failures keep the key advice", func(t *testing.T) {
		ce := keyLoadError(fmt.Errorf("epic: load key /k.pem: RSA key is 1024 bits"))
		if !strings.Contains(ce.Fix, "2048") {
			t.Errorf("fix %q: want the key advice", ce.Fix)
		}
	})
}

// writeKeyFile writes key (nil: a new EC P-384 key, web keygen's default) as PEM to a file with
// permissions perm in a new temporary directory, and returns the file's path and the PEM.
func writeKeyFile(t *testing.T, key *epic.Key, perm os.FileMode) (string, []byte) {
	t.Helper()
	if key == nil {
		var err error
		if key, err = epic.GenerateECKey(); err != nil {
			t.Fatal(err)
		}
	}
	pem, err := key.PEM()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "epic-key.pem")
	if err := os.WriteFile(path, pem, perm); err != nil {
		t.Fatal(err)
	}
	return path, pem
}
