package handlers

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/chartside/chartside/views"
)

// Routes returns Chartside's whole URL surface. Every route belongs to exactly one group:
//   - infra:  health, readiness, metrics, the JWK Set Epic fetches, static assets — no session;
//   - public: pages for signed-out users (sign-in) — session, no patient data;
//   - staff:  everything with patient data — a signed-in user required;
//   - admin:  the audit trail — an admin required.
func (s *Server) Routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = s.clientIP

	e.Use(s.requestID, s.observe, s.recoverPanics, s.securityHeaders)

	// infra
	e.GET("/healthz", s.healthz)
	e.HEAD("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(s.metrics.Handler()))
	if s.jwks != nil {
		e.GET("/.well-known/jwks.json", echo.WrapHandler(s.jwks))
	}
	e.GET("/static/*", s.staticFile)
	e.GET("/favicon.ico", s.favicon)
	e.HEAD("/static/*", s.staticFile)

	// Routes with a session. Middleware is attached per route (not with e.Group("")), because an
	// empty-prefix group would also wrap every unmatched URL. Order matters: the session is loaded
	// first; requireUser runs before the CSRF check, so a form posted after the session expired
	// leads to the sign-in page instead of a 403. Forms are small; anything bigger is not a
	// clinician typing, and anything but a form (formsOnly) is not a Chartside page posting.
	if s.sessions != nil {
		session := []echo.MiddlewareFunc{middleware.BodyLimit("64K"), formsOnly, s.sessions.Middleware()}
		public := slices.Concat(session, []echo.MiddlewareFunc{s.sessions.CSRF()})
		staff := slices.Concat(session, []echo.MiddlewareFunc{s.requireUser, s.sessions.CSRF()})
		admin := slices.Concat(staff, []echo.MiddlewareFunc{s.requireAdmin})

		// public: sign-in and sign-out
		e.GET(views.SignInURL, s.signInPage, public...)
		e.POST(views.SignInURL, s.signInPost, public...)
		e.POST(views.SignOutURL, s.signOutPost, slices.Concat(session, []echo.MiddlewareFunc{s.alreadySignedOut, s.sessions.CSRF()})...)

		// staff: patient lookup and the chart. Every response is no-store (securityHeaders) and every
		// look at patient data is audited by the handler before it is shown.
		e.POST(views.KeepAliveURL, s.keepAlivePost, staff...)
		e.GET("/", s.lookupPage, staff...)
		e.POST("/lookup", s.lookupPost, staff...)
		e.POST("/lookup/choose", s.lookupChoose, staff...)
		e.GET("/chart/:h", s.chartPage, staff...)
		e.GET("/chart/:h/print", s.chartPrint, staff...)
		e.GET("/chart/:h/vitals-strip", s.vitalsStrip, staff...)
		e.GET("/chart/:h/encounters", s.encounters, staff...)
		e.GET("/chart/:h/encounters/:ref", s.encounterDetail, staff...)
		e.GET("/chart/:h/vitals", s.vitalsTable, staff...)
		e.GET("/chart/:h/labs", s.labs, staff...)
		e.GET("/chart/:h/analyte", s.analyte, staff...)
		e.GET("/chart/:h/social", s.social, staff...)

		// admin: the audit trail; viewing and exporting it are themselves audited.
		e.GET(views.AuditURL, s.auditPage, admin...)
		e.POST(views.AuditURL, s.auditFilterPost, admin...)
		e.GET(views.AuditExportURL, s.auditExport, admin...)
	}

	e.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound })
	return e
}

// Handler is Routes as a plain http.Handler for http.Server.
func (s *Server) Handler() http.Handler { return s.Routes() }
