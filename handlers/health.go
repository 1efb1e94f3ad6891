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

// readyz handles GET /readyz: ready to serve clinicians — configuration loaded (we are running),
// database reachable, last Epic token exchange not failing. Each failed check is named so IT knows
// where to look; no secrets or patient data are printed.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	status := http.StatusOK
	out := ""
	for _, rc := range s.ready {
		if err := rc.Check(ctx); err != nil {
			status = http.StatusServiceUnavailable
			out += rc.Name + ": " + err.Error() + "\n"
			continue
		}
		out += rc.Name + ": ok\n"
	}
	if status == http.StatusOK {
		out = "ready\n" + out
	} else {
		out = "not ready\n" + out
	}
	return c.String(status, out)
}
