package handlers

import (
	"log/slog"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/views"
)

// requireUser guards the staff routes: without a signed-in user the request goes no further and
// the browser is sent to the sign-in page — HX-Redirect for htmx requests (a fragment of the
// sign-in page must never be swapped into a chart), 303 otherwise. It runs after the session
// middleware and before the CSRF check, so a form posted from a page whose session has since
// expired leads to the sign-in page rather than a "forbidden" error.
//
// When the request is the one that discovered an expired session, the timeout is recorded in the
// audit trail against the user it belonged to (best effort: the redirect happens regardless).
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if _, ok := s.sessions.User(ctx); ok {
			return next(c)
		}
		if u, ok := s.sessions.Expired(ctx); ok {
			if err := s.recordAuth(c, u.Username, audit.ActionTimeout, audit.OutcomeOK, "idle timeout"); err != nil {
				s.log.ErrorContext(ctx, "session timeout not recorded in the audit trail", slog.String("error", err.Error()))
			}
		}
		return redirect(c, signInTarget(c))
	}
}

// errAdminOnly is a signed-in clinician asking for an admin page: a 403 that says so, since
// reloading will not help (errors.go).
var errAdminOnly = echo.NewHTTPError(http.StatusForbidden, "admin only")

// requireAdmin guards the admin routes; it runs after requireUser. A signed-in clinician gets 403.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, ok := s.sessions.User(c.Request().Context())
		if !ok {
			return redirect(c, signInTarget(c))
		}
		if u.Role != "admin" {
			return errAdminOnly
		}
		return next(c)
	}
}

// signInTarget is the sign-in URL with next set to where the user was: the page itself for a plain
// GET, the page htmx was on (HX-Current-URL, when it is ours) for htmx requests, nothing for other
// methods (a POST cannot be replayed by a redirect).
func signInTarget(c echo.Context) string {
	r := c.Request()
	var back string
	switch {
	case r.Header.Get("HX-Request") == "true":
		if u, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && u.Host == r.Host {
			back = u.RequestURI()
		}
	case r.Method == http.MethodGet:
		back = r.URL.RequestURI()
	}
	back = safeNext(back)
	if back == "" || back == "/" {
		return views.SignInURL
	}
	return views.SignInURL + "?" + url.Values{views.FieldNext: {back}}.Encode()
}
