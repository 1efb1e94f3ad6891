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
	"time"

	"github.com/chartside/chartside/metrics"
)

// ReadyCheck is one condition /readyz verifies (database open, Epic token exchange not failing...).
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Settings are the deployment choices handlers need, already parsed and validated by cmd/web.
type Settings struct {
	Sandbox        bool             // connected to the embedded Epic sandbox
	Kiosk          bool             // shared workstation mode
	Secure         bool             // served over HTTPS (directly or behind a TLS-terminating proxy)
	TrustedProxies []netip.Prefix   // the only peers whose X-Forwarded-For is believed
	Location       *time.Location   // clinic time zone for display
	Now            func() time.Time // injectable clock
}

// Deps are the Server's collaborators. Everything arrives through here; there are no globals.
type Deps struct {
	Logger   *slog.Logger
	Metrics  *metrics.Metrics
	Static   fs.FS        // embedded assets (package static)
	JWKS     http.Handler // Chartside's public key set, fetched by Epic
	Ready    []ReadyCheck
	Settings Settings
}

// Server holds the dependencies every handler method uses.
type Server struct {
	log      *slog.Logger
	metrics  *metrics.Metrics
	static   fs.FS
	jwks     http.Handler
	ready    []ReadyCheck
	settings Settings
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
	return s
}
