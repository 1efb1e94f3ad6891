package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/logging"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/views"
)

// handleError is echo's HTTPErrorHandler: the one place an error becomes a response. It logs once
// (error text only — callers keep patient data out of error strings), shows a plain message for
// server-side failures, and renders an alert fragment for htmx or a full error page otherwise.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ctx := c.Request().Context()
	ev := s.describeError(err)
	ev.RequestID = logging.RequestID(ctx)

	level := slog.LevelWarn
	if ev.Status >= 500 {
		level = slog.LevelError
	}
	if errors.Is(err, context.Canceled) {
		level = slog.LevelInfo
	}
	s.log.LogAttrs(ctx, level, "request failed",
		slog.String("route", c.Path()),
		slog.Int("status", ev.Status),
		slog.String("error", err.Error()),
	)

	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(ev.Status)
		return
	}
	if isFragment(c.Request()) {
		// htmx is configured to swap error responses (views/page.go); send them to the alerts region
		// so the section the user was looking at stays intact.
		c.Response().Header().Set("HX-Retarget", "#"+views.AlertsID)
		c.Response().Header().Set("HX-Reswap", "innerHTML")
		err = s.render(c, ev.Status, views.ErrorFragment(ev), nil)
	} else {
		err = s.render(c, ev.Status, views.ErrorPage(s.page(c, ev.Title), ev), nil)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "rendering the error page failed", slog.String("error", err.Error()))
		_ = c.String(ev.Status, ev.Title)
	}
}

// describeError maps an error to what the user is told. Unknown errors are 500s with a plain message.
func (s *Server) describeError(err error) views.ErrorView {
	var he *echo.HTTPError
	switch {
	case errors.Is(err, errAdminOnly):
		return views.ErrorView{Status: http.StatusForbidden, Title: "For administrators only",
			Detail: "This page is open to Chartside administrators only. If your work needs it, ask IT for administrator access."}
	case errors.Is(err, sessions.ErrCSRFToken):
		// Mostly a page left open across a sign-out, restart or sign-in elsewhere: reloading gets a
		// fresh form.
		return views.ErrorView{Status: http.StatusForbidden, Title: "This form has expired",
			Detail: "The page was open too long or you signed in again elsewhere, so Chartside did not act on it. Reload the page and try again."}
	case errors.Is(err, sessions.ErrCrossSite):
		return views.ErrorView{Status: http.StatusForbidden, Title: "Request refused",
			Detail: "This request did not come from a Chartside page, so Chartside did not act on it. Open Chartside and try again from there."}
	case errors.Is(err, errAuditFilterExpired):
		return views.ErrorView{Status: http.StatusNotFound, Title: "This filter has expired — set the filters again",
			Detail: "A filter of the audit trail lasts while you stay signed in, for your most recent filters only, and only in the browser session that set it. Open the audit trail, set the filters and apply them again."}
	case errors.As(err, &he):
		return httpErrorView(he.Code)
	case errors.Is(err, context.DeadlineExceeded):
		return views.ErrorView{Status: http.StatusGatewayTimeout, Title: "This took too long",
			Detail: "Chartside gave up waiting. Try again; if it keeps happening, tell IT and quote the reference below."}
	case errors.Is(err, sessions.ErrRedis):
		// Redis, where SESSION_STORE keeps the sessions, is down; the database may well be up, and
		// IT must be sent to the right one. "Session store" is what /readyz calls it.
		return views.ErrorView{Status: http.StatusServiceUnavailable, Title: "Chartside is temporarily unavailable",
			Detail: "Chartside cannot reach its session store (where it keeps who is signed in) right now, so it cannot check who is signed in, and it shows no patient data until it can. Nothing you did caused this: try again in a moment; if it lasts, tell IT that Chartside's session store is unreachable and quote the reference below."}
	case errors.Is(err, sessions.ErrStoreUnavailable):
		// The database is down (sessions kept there, or the account check). No patient data can be shown anyway (nothing could be
		// audited), but the clinician should know it is temporary and not their doing.
		return views.ErrorView{Status: http.StatusServiceUnavailable, Title: "Chartside is temporarily unavailable",
			Detail: "Chartside cannot reach its database right now, so it cannot check who is signed in or record who opens a chart, and it shows no patient data until it can. Nothing you did caused this: try again in a moment; if it lasts, tell IT and quote the reference below."}
	case errors.Is(err, context.Canceled):
		// The browser went away; nobody will read this, but keep the status honest for the log.
		return views.ErrorView{Status: 499, Title: "Request cancelled", Detail: "The request was cancelled."}
	}
	if ev, ok := upstreamErrorView(err); ok {
		return ev
	}
	return views.ErrorView{Status: http.StatusInternalServerError, Title: "Something went wrong",
		Detail: "Chartside could not complete this request. Try again; if it keeps happening, tell IT and quote the reference below."}
}

func httpErrorView(code int) views.ErrorView {
	ev := views.ErrorView{Status: code, Title: http.StatusText(code)}
	switch code {
	case http.StatusNotFound:
		ev.Title, ev.Detail = "Page not found", "Check the address, or go back to patient lookup."
	case http.StatusMethodNotAllowed:
		ev.Detail = "This address does not accept that kind of request."
	case http.StatusForbidden:
		ev.Title, ev.Detail = "Not allowed", "You do not have access to this page."
	case http.StatusRequestEntityTooLarge:
		ev.Detail = "The request was too large."
	case http.StatusUnsupportedMediaType:
		ev.Detail = "The request was sent in a format Chartside does not accept."
	case http.StatusTooManyRequests:
		ev.Detail = "Too many attempts. Wait a little and try again."
	case http.StatusServiceUnavailable:
		ev.Title, ev.Detail = "Temporarily unavailable", "Chartside is not ready to serve this request. Try again in a moment."
	default:
		if code >= 500 {
			ev.Title, ev.Detail = "Something went wrong", "Chartside could not complete this request. Try again; if it keeps happening, tell IT and quote the reference below."
		} else {
			ev.Detail = "The request could not be processed."
		}
	}
	return ev
}
