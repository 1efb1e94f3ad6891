package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
)

// sandboxClientID is the client id Chartside registers with its embedded sandbox.
const sandboxClientID = "chartside-sandbox"

// sandboxKeyFile is the signing key generated once for sandbox mode and kept in DATA_DIR, so the key
// (and the JWK Set the sandbox fetches) stays the same across restarts.
const sandboxKeyFile = "sandbox-signing-key.pem"

// upstream is the Epic Chartside talks to: a real one from configuration, or the embedded sandbox.
type upstream struct {
	epic      epic.Config
	keys      []*epic.Key
	sandbox   *sandbox.Sandbox // nil with a real Epic
	directory []sandbox.Listing
	stop      func(context.Context) error
}

// openUpstream loads the signing keys and, in sandbox mode, starts the embedded Epic sandbox on its
// own loopback listener: Chartside reaches it over real HTTP, exactly as it reaches Epic, and the
// sandbox fetches Chartside's JWK Set from selfAddr the way Epic fetches a registered JKU (with a nil
// selfAddr the key set is registered statically instead).
func openUpstream(ctx context.Context, cfg Config, log *slog.Logger, selfAddr net.Addr) (*upstream, error) {
	u := &upstream{stop: func(context.Context) error { return nil }}
	u.epic = epic.Config{
		FHIRBaseURL:    cfg.Epic.FHIRBaseURL,
		TokenURL:       cfg.Epic.TokenURL,
		ClientID:       cfg.Epic.ClientID,
		JWKSURL:        cfg.Epic.JWKSURL,
		Scope:          cfg.Epic.Scope,
		MRNSystem:      cfg.Epic.MRNSystem,
		RequestTimeout: cfg.Epic.Timeout,
		MaxPages:       cfg.Epic.MaxPages,
		Logger:         log.With(slog.String("component", "epic")),
	}
	if len(cfg.Epic.PrivateKeyFiles) > 0 {
		keys, err := epic.LoadKeys(cfg.Epic.PrivateKeyFiles...)
		if err != nil {
			return nil, keyLoadError(err)
		}
		u.keys = keys
	}
	if !cfg.SandboxMode() {
		u.epic.Keys = u.keys
		return u, nil
	}

	if len(u.keys) == 0 {
		k, err := sandboxKey(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		u.keys = []*epic.Key{k}
	}
	start := time.Now()
	sb, err := sandbox.New(sandbox.Options{
		Seed:     cfg.Sandbox.Seed,
		Patients: cfg.Sandbox.Patients,
		DataDir:  cfg.Sandbox.DataDir,
		Logger:   log.With(slog.String("component", "sandbox")),
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if cfg.Sandbox.Latency > 0 {
		sb.Faults().SetLatency(cfg.Sandbox.Latency)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	hs := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("sandbox server stopped", slog.String("error", err.Error()))
		}
	}()
	base := "http://" + ln.Addr().String()
	u.stop = hs.Shutdown
	var jwksURL string
	if selfAddr != nil {
		// Register Chartside's own JWK Set URL, so the sandbox fetches the keys as Epic would.
		jwksURL = "http://" + loopbackAddr(selfAddr) + "/.well-known/jwks.json"
	} else {
		// No server of ours is listening (web check): publish the key set on a loopback port of its
		// own while the check runs. Registering the set itself would not do: the sandbox, like Epic,
		// takes the EC key sandbox mode signs with only from a JWK Set URL.
		jln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			hs.Close()
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/.well-known/jwks.json", epic.JWKSHandler(u.keys))
		js := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go js.Serve(jln) //nolint:errcheck // ends with Shutdown below
		jwksURL = "http://" + jln.Addr().String() + "/.well-known/jwks.json"
		u.stop = func(ctx context.Context) error { return errors.Join(js.Shutdown(ctx), hs.Shutdown(ctx)) }
	}
	sb.RegisterClient(sandboxClientID, sandbox.ClientKeys{JWKSURL: jwksURL})
	log.Info("sandbox mode: embedded Epic sandbox started",
		slog.String("fhir_base", base+sandbox.FHIRBasePath),
		slog.Duration("startup", time.Since(start)))

	u.sandbox = sb
	u.directory = sb.Directory()
	u.epic.FHIRBaseURL = base + sandbox.FHIRBasePath
	u.epic.TokenURL = "" // discovered from the sandbox, as from Epic
	u.epic.ClientID = sandboxClientID
	u.epic.JWKSURL = jwksURL
	u.epic.MRNSystem = sandbox.MRNSystem
	if cfg.Epic.MRNSystem != "" {
		u.epic.MRNSystem = cfg.Epic.MRNSystem
	}
	u.epic.Keys = u.keys
	return u, nil
}

// keyLoadError explains why EPIC_PRIVATE_KEY_FILE could not be loaded, with the fix for that
// failure: a key file the service account may not read needs its ownership or mode changed, not a
// different kind of key.
func keyLoadError(err error) *ConfigError {
	if errors.Is(err, fs.ErrPermission) {
		return &ConfigError{Var: "EPIC_PRIVATE_KEY_FILE", Problem: fmt.Sprintf("cannot be read by this process: %v", err),
			Fix: "let the account Chartside runs as read it (e.g. chown that account FILE && chmod 600 FILE), and no one else"}
	}
	return &ConfigError{Var: "EPIC_PRIVATE_KEY_FILE", Problem: fmt.Sprintf("cannot be used: %v", err),
		Fix: "give PEM RSA (2048 bits or more) or EC P-384 private keys, e.g. from `web keygen` or `openssl genrsa -out privatekey.pem 2048`"}
}

// sandboxKey loads the sandbox-mode signing key from dataDir, creating it on first start.
func sandboxKey(dataDir string) (*epic.Key, error) {
	path := filepath.Join(dataDir, sandboxKeyFile)
	keys, err := epic.LoadKeys(path)
	if err == nil {
		return keys[0], nil
	}
	if _, statErr := os.Stat(path); !errors.Is(statErr, fs.ErrNotExist) {
		return nil, fmt.Errorf("sandbox signing key %s: %w", path, err)
	}
	k, err := epic.GenerateECKey()
	if err != nil {
		return nil, fmt.Errorf("sandbox signing key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, &ConfigError{Var: "DATA_DIR", Problem: fmt.Sprintf("%q cannot be created (%v)", dataDir, unwrapPathError(err)), Fix: "point it at a writable directory"}
	}
	pem, err := k.PEM()
	if err != nil {
		return nil, fmt.Errorf("sandbox signing key: %w", err)
	}
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		return nil, fmt.Errorf("sandbox signing key: %w", err)
	}
	return k, nil
}

// loopbackAddr turns a listener address into one a local client can dial (":8080" -> 127.0.0.1:8080).
func loopbackAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
