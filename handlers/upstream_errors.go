package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/views"
)

// upstreamErrorView describes a failure of Chartside's upstream (Epic) to the person at the screen:
// what happened and what to do about it. It works from the epic client's typed errors only, so
// Epic's response bodies, diagnostics and anything that might quote patient data never reach the
// page. The order matters: a *TokenError also matches ErrUpstream/ErrTimeout, and its advice is
// different (it is Chartside's connection to Epic, not the request, that failed).
func upstreamErrorView(err error) (views.ErrorView, bool) {
	var te *epic.TokenError
	switch {
	case errors.Is(err, errAuditUnavailable):
		return views.ErrorView{Status: http.StatusServiceUnavailable, Title: "Patient data withheld: the audit trail is unavailable",
			Detail: "Every look at a chart must be recorded first, and Chartside could not record this one, so it is not showing any patient data. Try again in a moment; if it keeps happening, tell IT and quote the reference below."}, true
	case errors.As(err, &te) && tokenEndpointDown(te):
		return views.ErrorView{Status: http.StatusServiceUnavailable, Title: "Chartside cannot sign in to Epic",
			Detail: "Epic's sign-in service is not answering, so no patient data can be fetched right now. This is usually temporary: try again in a minute; if it lasts, tell IT and quote the reference below."}, true
	case errors.As(err, &te):
		return views.ErrorView{Status: http.StatusBadGateway, Title: "Chartside cannot sign in to Epic",
			Detail: "Epic refused Chartside's credentials, so no patient data can be fetched right now. This is a configuration problem, not something you did: tell IT (they can run \"web check\") and quote the reference below."}, true
	case errors.Is(err, epic.ErrInvalidMRN):
		return views.ErrorView{Status: http.StatusUnprocessableEntity, Title: "That MRN cannot be searched",
			Detail: "Check the MRN and type it again."}, true
	case errors.Is(err, epic.ErrInvalidQuery):
		return views.ErrorView{Status: http.StatusBadRequest, Title: "That request cannot be sent to Epic",
			Detail: "The address asked for something Chartside cannot search for. Go back to the chart and use its links."}, true
	case errors.Is(err, epic.ErrNotFound):
		return views.ErrorView{Status: http.StatusNotFound, Title: "Epic has no record of this",
			Detail: "Epic says this record does not exist (it may have been merged or removed). Look the patient up again by MRN."}, true
	case errors.Is(err, epic.ErrUnauthorized):
		return views.ErrorView{Status: http.StatusBadGateway, Title: "Epic refused Chartside's access",
			Detail: "Epic did not accept Chartside's access token, even after a fresh one. Try again in a minute; if it keeps happening, tell IT and quote the reference below."}, true
	case errors.Is(err, epic.ErrForbidden):
		return views.ErrorView{Status: http.StatusBadGateway, Title: "Epic does not allow Chartside to read this",
			Detail: "Chartside's Epic app is not permitted to read this kind of data. Tell IT (the app's Epic registration may be missing an API) and quote the reference below."}, true
	case errors.Is(err, epic.ErrRateLimited):
		return views.ErrorView{Status: http.StatusServiceUnavailable, Title: "Epic is busy",
			Detail: "Epic asked Chartside to slow down. Wait a minute and try again."}, true
	case errors.Is(err, epic.ErrCircuitOpen):
		return views.ErrorView{Status: http.StatusServiceUnavailable, Title: "Epic is not responding",
			Detail: "Recent requests to Epic kept failing, so Chartside is pausing for a few seconds instead of making you wait. Try again shortly; if it lasts, tell IT."}, true
	case errors.Is(err, epic.ErrTimeout):
		return views.ErrorView{Status: http.StatusGatewayTimeout, Title: "Epic took too long to answer",
			Detail: "Chartside stopped waiting for Epic. Try again; if it keeps happening, tell IT and quote the reference below."}, true
	case errors.Is(err, epic.ErrBadResponse):
		return views.ErrorView{Status: http.StatusBadGateway, Title: "Epic sent something Chartside could not read",
			Detail: "Epic's answer was not the data Chartside expected (it may be down for maintenance). Try again later; if it keeps happening, tell IT and quote the reference below."}, true
	case errors.Is(err, epic.ErrUpstream):
		return views.ErrorView{Status: http.StatusBadGateway, Title: "Epic could not answer",
			Detail: "Epic reported an error, so this information could not be fetched. Try again; if it keeps happening, tell IT and quote the reference below."}, true
	}
	return views.ErrorView{}, false
}

// upstreamAlert is the in-page form of upstreamErrorView, for a section or form that stays usable
// while one Epic request failed.
func upstreamAlert(err error) views.Alert {
	ev, ok := upstreamErrorView(err)
	if !ok {
		ev = views.ErrorView{Title: "Something went wrong",
			Detail: "Chartside could not fetch this information. Try again; if it keeps happening, tell IT."}
	}
	return views.Alert{Level: views.AlertError, Title: ev.Title, Detail: ev.Detail, Reference: strings.Contains(ev.Detail, quoteReference)}
}

// tokenEndpointDown tells an outage of Epic's token endpoint (5xx, 429, no answer) from a refusal
// of Chartside's credentials: the first passes by itself, the second needs IT, and telling a
// clinician "configuration problem" during an Epic outage sends them to the wrong people.
func tokenEndpointDown(te *epic.TokenError) bool {
	if te.Status >= 500 || te.Status == http.StatusTooManyRequests {
		return true
	}
	return te.Status == 0 && (errors.Is(te.Err, epic.ErrUpstream) || errors.Is(te.Err, epic.ErrTimeout))
}

// logShownFailure logs an Epic failure that the page shows as a message (the lookup form, a chart
// section, the printout) instead of returning it to the error handler, which logs everything it
// sees. Without this line nothing but the request's status recorded why Epic failed, yet the
// message asks the user to quote its reference to IT. The epic client's errors hold the operation,
// the status and Epic's catalogued message numbers, never URLs or diagnostics, so no patient data.
// what names the part of the page that failed.
func (s *Server) logShownFailure(c echo.Context, what string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	s.log.LogAttrs(c.Request().Context(), slog.LevelWarn, "epic failure shown on the page",
		slog.String("route", c.Path()),
		slog.String("part", what),
		slog.String("kind", epicFailureKind(err)),
		slog.String("error", err.Error()),
	)
}

// logPrefetchFailure logs a chart's background fetch that failed, once, when it fails, under the
// request id of the chart page that started it. The section asking for it then searches again in
// its own request (fetchOrPrefetched), and if that works nothing else would ever say that Epic had
// sent something broken; if it fails too, it is logged again as shown, often only as "circuit
// open" once the breaker has counted the prefetches. Not logged: a fetch cancelled because the
// chart was dropped, and one refused by the open breaker, whose opening the epic client logs.
// what names the part of the chart (never a search value, so no patient data).
func (s *Server) logPrefetchFailure(ctx context.Context, what string, err error) {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, epic.ErrCircuitOpen) {
		return
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "epic prefetch failed; the section will search again",
		slog.String("part", what),
		slog.String("kind", epicFailureKind(err)),
		slog.String("error", err.Error()),
	)
}

// epicFailureKind names what kind of failure an epic client error is, with the outcome labels of
// the chartside_epic_requests_total metric, so a log line and the metric can be read together.
func epicFailureKind(err error) string {
	var te *epic.TokenError
	kinds := []struct {
		sentinel error
		name     string
	}{
		{epic.ErrInvalidMRN, "invalid_mrn"},
		{epic.ErrInvalidQuery, "invalid_query"},
		{epic.ErrNotFound, "not_found"},
		{epic.ErrUnauthorized, "unauthorized"},
		{epic.ErrForbidden, "forbidden"},
		{epic.ErrRateLimited, "rate_limited"},
		{epic.ErrCircuitOpen, "circuit_open"},
		{epic.ErrTimeout, "timeout"},
		{epic.ErrBadResponse, "bad_response"},
		{epic.ErrUpstream, "error"},
	}
	if errors.As(err, &te) {
		// Before the sentinels: a token error also matches ErrUpstream or ErrTimeout.
		return "token_exchange"
	}
	for _, k := range kinds {
		if errors.Is(err, k.sentinel) {
			return k.name
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "other"
}

// quoteReference is how upstreamErrorView's advice points at the reference the page shows below it
// (the error page's footer, an in-page alert's Reference line).
const quoteReference = "quote the reference below"
