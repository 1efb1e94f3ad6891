// Package handlers is Chartside's HTTP surface: echo handlers that validate forms, call the Epic
// client, record the audit trail and render templ views. routes.go lists every route; render.go
// decides page versus htmx fragment; errors.go is the one place errors become responses.
//
// Handlers return errors and do not log; the error handler logs once per failed request.
package handlers

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/chartside/chartside/metrics"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/views"
)

// ReadyCheck is one condition /readyz verifies (database reachable...) or, when Informational,
// only reports (Epic's token state).
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
	// Informational checks are listed on /readyz but never make it fail: for a dependency every
	// replica shares, whose failure taking a replica out of the balancer cannot route around.
	Informational bool
}

// Settings are the deployment choices handlers need, already parsed and validated by cmd/web.
type Settings struct {
	Sandbox bool // connected to the embedded Epic sandbox
	// SandboxPatients are listed on the sign-in page in sandbox mode, so a new user knows what to type.
	SandboxPatients []views.SandboxPatient
	Kiosk           bool             // shared workstation mode
	Secure          bool             // served over HTTPS (directly or behind a TLS-terminating proxy)
	TrustedProxies  []netip.Prefix   // the only peers whose X-Forwarded-For is believed
	Location        *time.Location   // clinic time zone for display
	Now             func() time.Time // injectable clock
	// MRNPattern is what a valid MRN looks like (MRN_PATTERN); nil means DefaultMRNPattern.
	MRNPattern *regexp.Regexp
	// MRNSystem is Epic's MRN identifier system, used to pick the MRN out of a patient's identifiers.
	MRNSystem string
	// VitalsStaleAfter is the age after which the vitals strip warns that the latest vitals are old.
	VitalsStaleAfter time.Duration
}

// Deps are the Server's collaborators. Everything arrives through here; there are no globals.
type Deps struct {
	Logger   *slog.Logger
	Metrics  *metrics.Metrics
	Static   fs.FS        // embedded assets (package static)
	JWKS     http.Handler // Chartside's public key set, fetched by Epic
	Ready    []ReadyCheck
	Settings Settings
	// Sessions is the session manager (signed-in user, CSRF, the session's patient handles).
	Sessions *sessions.Manager
	// Patients is the Epic client (epic.Client) as the chart handlers use it.
	Patients Patients
	// Audit records every access to patient data; handlers fail closed when it fails.
	Audit Auditor
	// Staff checks sign-in attempts (*staff.Store).
	Staff Authenticator
	// Accounts checks on every staff request that the signed-in account is still enabled
	// (*staff.Store). Optional: without it a session lasts until it times out or is signed out.
	Accounts Accounts
}

// Server holds the dependencies every handler method uses.
type Server struct {
	log      *slog.Logger
	metrics  *metrics.Metrics
	static   fs.FS
	jwks     http.Handler
	ready    []ReadyCheck
	settings Settings
	sessions *sessions.Manager
	patients Patients
	audit    Auditor
	staff    Authenticator
	accounts Accounts
	// accountChecks spares the database an account check per request (accountActive).
	accountChecks *accountChecks
	validate      *validator.Validate
	charts        *chartCache
}

// NewServer builds a Server; missing optional pieces get safe defaults.
func NewServer(d Deps) *Server {
	s := &Server{
		log:      d.Logger,
		metrics:  d.Metrics,
		static:   d.Static,
		jwks:     d.JWKS,
		ready:    d.Ready,
		settings: d.Settings,
		sessions: d.Sessions,
		patients: d.Patients,
		audit:    d.Audit,
		staff:    d.Staff,
		accounts: d.Accounts,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = metrics.New()
	}
	if s.settings.Location == nil {
		s.settings.Location = time.Local
	}
	if s.settings.Now == nil {
		s.settings.Now = time.Now
	}
	if s.settings.MRNPattern == nil {
		s.settings.MRNPattern = DefaultMRNPattern
	}
	if s.settings.VitalsStaleAfter <= 0 {
		s.settings.VitalsStaleAfter = DefaultVitalsStaleAfter
	}
	s.validate = newValidator(s.settings.MRNPattern)
	s.charts = newChartCache(s.settings.Now)
	s.accountChecks = newAccountChecks(s.settings.Now)
	return s
}
