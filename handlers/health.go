package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// ReadyCheckTimeout is how long /readyz waits for each check. The checks run side by side, so the
// whole answer also arrives within it. It must stay below the balancer's own limit on a health
// check (deploy/haproxy.cfg: "timeout check 1s"): when the balancer gives up first, it marks the
// replica down with its bare "L7 timeout", and the reason Chartside would have given ("database:
// no answer within 800ms") is never seen by anyone.
const ReadyCheckTimeout = 800 * time.Millisecond

var errNoAnswer = fmt.Errorf("no answer within %s", ReadyCheckTimeout)

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
//
// Each check gets ReadyCheckTimeout, and the answer does not wait for a check that overruns it,
// even one that ignores its context: its line says how long was waited instead.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), ReadyCheckTimeout)
	defer cancel()
	results := make([]chan error, len(s.ready))
	for i, rc := range s.ready {
		results[i] = make(chan error, 1) // buffered: a check that overruns ends on its own, unread
		go func() { results[i] <- rc.Check(ctx) }()
	}
	status := http.StatusOK
	out := ""
	for i, rc := range s.ready {
		err := waitCheck(ctx, results[i])
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

// waitCheck is a check's result, or errNoAnswer once ctx has ended without one. A result already
// in is taken even after ctx ended: the checks that answered in time keep their own lines.
func waitCheck(ctx context.Context, result <-chan error) error {
	var err error
	select {
	case err = <-result:
	default:
		select {
		case err = <-result:
		case <-ctx.Done():
			return errNoAnswer
		}
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return errNoAnswer // the check gave up at our deadline; its own words would be "context deadline exceeded"
	}
	return err
}
