package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthz handles GET /healthz: the process is alive and serving HTTP. It checks nothing else, so a
// load balancer or orchestrator does not restart Chartside because Epic is down.
func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz handles GET /readyz: ready to serve clinicians — configuration loaded (we are running) and
// every counted check passing (the database reachable). Each check is listed on its own line and
// each failure named, so IT knows where to look; no secrets or patient data are printed.
//
// Informational checks (Epic's token state) are listed too, but a failure there says "not counted
// for readiness" and leaves the answer 200. Every replica talks to the same Epic, so an Epic
// failure takes no replica out of the balancer: out of rotation, every replica would be, and staff
// would get the balancer's bare 503 instead of Chartside's own message ("Chartside cannot sign in
// to Epic … try again in a minute"), and lose the sign-in and audit pages, which need no Epic.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	status := http.StatusOK
	out := ""
	for _, rc := range s.ready {
		err := rc.Check(ctx)
		switch {
		case err == nil:
			out += rc.Name + ": ok\n"
		case rc.Informational:
			out += rc.Name + ": not counted for readiness: " + err.Error() + "\n"
		default:
			status = http.StatusServiceUnavailable
			out += rc.Name + ": " + err.Error() + "\n"
		}
	}
	if status == http.StatusOK {
		out = "ready\n" + out
	} else {
		out = "not ready\n" + out
	}
	return c.String(status, out)
}
