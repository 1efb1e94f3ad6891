package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
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
	e.HEAD("/static/*", s.staticFile)

	// Forms are small; anything bigger is not a clinician typing.
	app := e.Group("", middleware.BodyLimit("64K"))
	_ = app

	// staff: patient lookup and the chart. Every response is no-store (securityHeaders) and every
	// look at patient data is audited by the handler before it is shown.
	if s.sessions != nil {
		staff := app.Group("", s.sessions.Middleware(), s.sessions.CSRF())
		staff.GET("/", s.lookupPage)
		staff.POST("/lookup", s.lookupPost)
		staff.POST("/lookup/choose", s.lookupChoose)
		staff.GET("/chart/:h", s.chartPage)
		staff.GET("/chart/:h/print", s.chartPrint)
		staff.GET("/chart/:h/vitals-strip", s.vitalsStrip)
		staff.GET("/chart/:h/encounters", s.encounters)
		staff.GET("/chart/:h/encounters/:encounterID", s.encounterDetail)
		staff.GET("/chart/:h/vitals", s.vitalsTable)
		staff.GET("/chart/:h/labs", s.labs)
		staff.GET("/chart/:h/analyte", s.analyte)
		staff.GET("/chart/:h/social", s.social)
	}

	e.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound })
	return e
}

// Handler is Routes as a plain http.Handler for http.Server.
func (s *Server) Handler() http.Handler { return s.Routes() }
