package epic

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for zero Config fields.
const (
	DefaultRequestTimeout   = 10 * time.Second
	DefaultMaxPages         = 10
	DefaultMaxRetries       = 2
	DefaultMaxRetryAfter    = 30 * time.Second
	DefaultBreakerThreshold = 5
	DefaultBreakerCooldown  = 30 * time.Second
	// DefaultTokenCheckInterval: HAProxy probes /readyz every second; one token exchange per 10 s
	// per replica during an outage is nothing to Epic, and a recovery shows within 10 s.
	DefaultTokenCheckInterval = 10 * time.Second
	// DefaultMaxConnsPerHost bounds the connections to Epic of the default HTTP client: a chart
	// needs 6 at once, so 64 serve about ten charts in parallel per replica, more than 2 CPUs
	// can render.
	DefaultMaxConnsPerHost = 64
	// DefaultMaxIdleConnsPerHost is how many of them are kept open between requests (for the
	// transport's 90 s idle timeout). Go's default of 2 meant that a chart, which uses 6 at once,
	// opened 4 new connections to Epic every time: over TLS each is a handshake, one or two more
	// round trips before the chart's searches can even be sent. 16 covers a few charts at once.
	DefaultMaxIdleConnsPerHost = 16
)

// Config configures a Client. cmd/web fills it from the environment.
type Config struct {
	// FHIRBaseURL is the R4 base, e.g. https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4.
	FHIRBaseURL string
	// TokenURL is the OAuth token endpoint. Empty: discovered from
	// {FHIRBaseURL}/.well-known/smart-configuration, sending Epic-Client-ID so Epic can return
	// per-client endpoints.
	TokenURL string
	// ClientID is the app's client ID (the non-production one for Epic's sandbox).
	ClientID string
	// Keys sign client assertions. The LAST key signs; all are published in the JWKS, so a new
	// key is rotated in by appending it.
	Keys []*Key
	// JWKSURL, when set, is sent as the assertion's jku header (the JWK Set URL registered with Epic).
	JWKSURL string
	// Scope, when set, is sent on the token request. Epic grants the registered scopes anyway.
	Scope string
	// MRNSystem is the identifier system of MRNs ("urn:oid:...") or Epic's ID type ("MRN");
	// searches send identifier=MRNSystem|mrn. Required.
	MRNSystem string
	// HTTPClient is used for every request. Nil: a private client with no overall timeout
	// (RequestTimeout bounds each request).
	HTTPClient *http.Client
	// RequestTimeout bounds each upstream request. Default 10s.
	RequestTimeout time.Duration
	// MaxPages caps the pages followed per search. Default 10.
	MaxPages int
	// MaxRetries is how often a GET is retried on 429/502/503/504. 0: default 2; negative: never.
	MaxRetries int
	// MaxRetryAfter is the longest Retry-After the client will wait; longer means give up. Default 30s.
	MaxRetryAfter time.Duration
	// BreakerThreshold consecutive failures open a circuit breaker. Each FHIR resource type
	// (Patient, Encounter, Observation) has its own breaker, counting only its own requests, so
	// failing Observation searches never pause lookups or encounters. Default 5.
	BreakerThreshold int
	// BreakerCooldown is how long an open breaker refuses its resource type's requests before it
	// lets one probe request through. Default 30s.
	BreakerCooldown time.Duration
	// TokenCheckInterval is the least time between two token exchanges that CheckToken (health
	// checks and metrics) starts while no valid token is cached; exchanges started by user
	// requests count too. Default 10s.
	TokenCheckInterval time.Duration
	// Hooks receive metrics events. Optional.
	Hooks Hooks
	// Logger receives operational logs (no PHI, tokens or assertions). Optional.
	Logger *slog.Logger
}

// ErrConfig is wrapped by every configuration error from New.
var ErrConfig = errors.New("epic: invalid config")

// withDefaults validates cfg and fills defaults. Messages name the setting and the fix.
func (cfg Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	cfg.FHIRBaseURL = strings.TrimRight(strings.TrimSpace(cfg.FHIRBaseURL), "/")
	if err := checkURL(cfg.FHIRBaseURL); err != nil {
		return bad("FHIR base URL: %v (e.g. https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4)", err)
	}
	if cfg.TokenURL != "" {
		if err := checkURL(cfg.TokenURL); err != nil {
			return bad("token URL: %v (or leave it empty to discover it)", err)
		}
	}
	if cfg.JWKSURL != "" {
		if err := checkURL(cfg.JWKSURL); err != nil {
			return bad("JWKS URL: %v", err)
		}
	}
	if strings.TrimSpace(cfg.ClientID) == "" {
		return bad("client ID is required (the app's client ID from Epic)")
	}
	if len(cfg.Keys) == 0 {
		return bad("at least one private key is required")
	}
	for i, k := range cfg.Keys {
		if k == nil || k.signer == nil {
			return bad("key %d is empty", i)
		}
	}
	if strings.TrimSpace(cfg.MRNSystem) == "" || strings.ContainsAny(cfg.MRNSystem, ",|") {
		return bad("MRN system is required: the MRN identifier system (urn:oid:...) or Epic ID type (MRN), without , or |")
	}
	if cfg.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Bound the connections to Epic: under load every request beyond this waits for a free
		// connection instead of opening another (each open connection is two goroutines and
		// buffers here, and a socket and a session on Epic's side).
		t.MaxConnsPerHost = DefaultMaxConnsPerHost
		t.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
		cfg.HTTPClient = &http.Client{Transport: t}
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.BreakerThreshold <= 0 {
		cfg.BreakerThreshold = DefaultBreakerThreshold
	}
	if cfg.BreakerCooldown <= 0 {
		cfg.BreakerCooldown = DefaultBreakerCooldown
	}
	if cfg.TokenCheckInterval <= 0 {
		cfg.TokenCheckInterval = DefaultTokenCheckInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

func checkURL(s string) error {
	if s == "" {
		return errors.New("missing")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return errors.New("must not have a query or fragment")
	}
	return nil
}
