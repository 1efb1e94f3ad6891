package sandbox

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// Paths Epic serves; the sandbox uses the same ones so configuration written for Epic works here.
const (
	TokenPath    = "/interconnect-fhir-oauth/oauth2/token"
	FHIRBasePath = "/interconnect-fhir-oauth/api/FHIR/R4"
)

// MRNSystem is the identifier system of the MRN on Epic's public sandbox patients (type text "EPI").
// In production each organization has its own OID; Chartside uses this one as EPIC_MRN_SYSTEM in
// sandbox mode.
const MRNSystem = "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14"

// Options configures a Sandbox. The zero value is usable.
type Options struct {
	Seed     int64 // generator seed, default 1 (deterministic)
	Patients int   // generated population, default 50
	// DataDir, when set, loads FHIR R4 Bundles (e.g. Synthea output) from the directory instead of
	// generating a population; Epic's test patients and the edge cases are kept. What could not be
	// mapped is reported by LoadReport.
	DataDir       string
	TokenLifetime time.Duration    // default 3600s
	Logger        *slog.Logger     // precise rejection reasons go here (no PHI); default discards
	Now           func() time.Time // default time.Now
	// PageSessionLifetime is how long a paging session (a next link) stays valid; default 10 minutes.
	// After it, the next link gets Epic's 4113 error.
	PageSessionLifetime time.Duration
	// PublicURL is the scheme and host clients use to reach the sandbox (e.g. "https://epic.test"),
	// for the token audience and absolute URLs. Default: taken from each request's Host.
	PublicURL string
	// HTTPClient fetches clients' JWK Sets; default a client with a 10 s timeout.
	HTTPClient *http.Client
}

// Sandbox is an in-memory Epic. Build it with New; it is safe for concurrent use.
type Sandbox struct {
	opts    Options
	now     func() time.Time
	log     *slog.Logger
	clients *registry
	tokens  *accessTokens
	jtis    *jtiLog
	faults  *Faults
	stats   *counters
	data    *store
	pages   *pageSessions
	report  LoadReport

	capability []byte          // compact CapabilityStatement JSON
	types      map[string]bool // resource types it lists

	clientStopping atomic.Bool // see ClientStopping
}

// ClientStopping tells an embedded sandbox that the process it serves is shutting down: `web
// serve` calls it before closing the listener that serves its JWK Set, which this sandbox fetches
// to authenticate a token request. A token request that fails to authenticate from then on is
// logged as abandoned and answered 503, not rejected as invalid_client with the causes of wrong
// credentials. (Epic itself would say invalid_client; nobody is left to read the answer here.)
func (s *Sandbox) ClientStopping() { s.clientStopping.Store(true) }

// New builds a sandbox and its data. Data generation is deterministic for a given Seed and Now.
func New(opts Options) (*Sandbox, error) {
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Patients == 0 {
		opts.Patients = 50
	}
	if opts.Patients < 0 {
		return nil, fmt.Errorf("sandbox: patients %d: must not be negative", opts.Patients)
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.PageSessionLifetime <= 0 {
		opts.PageSessionLifetime = 10 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Sandbox{
		opts:    opts,
		now:     opts.Now,
		log:     opts.Logger,
		clients: &registry{clients: map[string]*client{}, http: opts.HTTPClient, now: opts.Now},
		tokens:  &accessTokens{tokens: map[string]issuedToken{}},
		jtis:    &jtiLog{ids: map[string]time.Time{}},
		faults:  &Faults{},
		stats:   &counters{},
		pages:   &pageSessions{sessions: map[string]*pageSession{}},
	}
	s.faults.revoke = s.tokens.revokeAll
	capability, types, err := loadCapability()
	if err != nil {
		return nil, err
	}
	s.capability, s.types = capability, types
	data, report, err := buildStore(opts)
	if err != nil {
		return nil, err
	}
	s.data, s.report = data, report
	return s, nil
}

// RegisterClient registers (or replaces) a backend client. A JWK Set URL is fetched lazily, on the
// first token request, as Epic does. A static set that does not parse is logged and leaves the
// client without keys, so its token requests fail with invalid_client like any bad key.
func (s *Sandbox) RegisterClient(clientID string, keys ClientKeys) {
	if err := s.clients.register(clientID, keys); err != nil {
		s.log.Error("sandbox: register client", "client_id", clientID, "error", err)
		_ = s.clients.register(clientID, ClientKeys{JWKS: []byte(`{"keys":[]}`)})
	}
}

// Faults returns the fault-injection switches.
func (s *Sandbox) Faults() *Faults { return s.faults }

// Stats returns a snapshot of the request counters.
func (s *Sandbox) Stats() Stats { return s.stats.snapshot() }

// LoadReport says what a DataDir load mapped and skipped; empty when the population was generated.
func (s *Sandbox) LoadReport() LoadReport { return s.report }

// baseURL is scheme://host as the client sees the sandbox.
func (s *Sandbox) baseURL(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
