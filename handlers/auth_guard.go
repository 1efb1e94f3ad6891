package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/staff"
	"github.com/chartside/chartside/views"
)

// Accounts looks up a signed-in user's account on staff requests (*staff.Store satisfies it), so
// an account disabled or removed by IT, or whose password IT reset, loses its open sessions within
// accountRecheck instead of keeping them until they time out. It answers staff.ErrNotFound for a
// removed account.
type Accounts interface {
	Get(ctx context.Context, id int64) (staff.Account, error)
}

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
		if u, ok := s.sessions.User(ctx); ok {
			state, err := s.accountActive(ctx, u)
			if err != nil {
				return err
			}
			switch state {
			case sessionActive:
				return next(c)
			case sessionRevoked:
				if err := s.recordAuth(c, u.Username, audit.ActionSignOut, audit.OutcomeOK, "sessions revoked"); err != nil {
					s.log.ErrorContext(ctx, "sign-out of a revoked session not recorded in the audit trail", slog.String("error", err.Error()))
				}
				if err := s.sessions.SignOutRevoked(ctx); err != nil {
					return fmt.Errorf("sign out revoked session: %w", err)
				}
			default:
				if err := s.recordAuth(c, u.Username, audit.ActionSignOut, audit.OutcomeOK, "account disabled"); err != nil {
					s.log.ErrorContext(ctx, "sign-out of a disabled account not recorded in the audit trail", slog.String("error", err.Error()))
				}
				if err := s.sessions.SignOutDisabled(ctx); err != nil {
					return fmt.Errorf("sign out disabled account: %w", err)
				}
			}
			c.Response().Header().Set("Clear-Site-Data", `"cache", "storage"`)
			return redirect(c, views.SignInURL)
		}
		if u, ok := s.sessions.Expired(ctx); ok {
			if err := s.recordAuth(c, u.Username, audit.ActionTimeout, audit.OutcomeOK, "idle timeout"); err != nil {
				s.log.ErrorContext(ctx, "session timeout not recorded in the audit trail", slog.String("error", err.Error()))
			}
		} else if fromSignedInPage(c.Request()) {
			// Only a page of a signed-in session sends htmx requests and forms here: that session
			// ended elsewhere (Sign out in another tab, ended on the server). Say so on the
			// sign-in page rather than leave the user wondering where the chart went.
			s.sessions.NoteEnded(ctx)
		}
		return redirect(c, signInTarget(c))
	}
}

// sessionState is what accountActive found about a signed-in session's account.
type sessionState int

const (
	sessionActive   sessionState = iota // the account exists and is enabled, the session is valid
	sessionDisabled                     // the account is disabled or removed
	sessionRevoked                      // the session signed in before the account's SessionsValidAfter
)

// accountActive reports whether the signed-in user's account still exists and is enabled, and
// whether the session signed in after the account's sessions were last ended (a password reset or
// a disable: staff.Account.SessionsValidAfter), so a reset ends a session opened with the old
// password and a quick disable-then-enable still ends the sessions open before it. Without an
// Accounts dependency (some tests) every session is taken as active. An account found enabled is
// not asked for again for accountRecheck: the remembered SessionsValidAfter is compared instead.
func (s *Server) accountActive(ctx context.Context, u sessions.User) (sessionState, error) {
	if s.demoOutsideSandbox(u.Username) {
		return sessionDisabled, nil
	}
	if s.accounts == nil {
		return sessionActive, nil
	}
	validAfter, fresh := s.accountChecks.fresh(u.ID)
	if !fresh {
		a, err := s.accounts.Get(ctx, u.ID)
		switch {
		case errors.Is(err, staff.ErrNotFound):
			return sessionDisabled, nil
		case err != nil:
			return sessionDisabled, fmt.Errorf("%w: account check: %w", sessions.ErrStoreUnavailable, err)
		}
		if a.Disabled {
			return sessionDisabled, nil
		}
		validAfter = a.SessionsValidAfter
		s.accountChecks.enabled(u.ID, validAfter)
	}
	if signedInBefore(u.SignedInAt, validAfter) {
		return sessionRevoked, nil
	}
	return sessionActive, nil
}

// demoOutsideSandbox reports whether username is the sandbox's demo account on a server connected
// to a real Epic. Such a server deletes the account when it starts, but a sandbox-mode process
// sharing its database (a replica started without EPIC_* by mistake) creates it again, with its
// published password, and may share its session store too: the account would then open real charts
// until the next restart. It is refused at sign-in and its sessions are ended instead.
func (s *Server) demoOutsideSandbox(username string) bool {
	return !s.settings.Sandbox && staff.NormalizeUsername(username) == staff.DemoUsername
}

// signedInBefore reports whether a session signed in at signedIn predates validAfter. The database
// keeps microseconds (db.Truncate), so the sign-in time is truncated to that precision too: a
// sign-in in the same microsecond as the reset, which is read back truncated, stays valid rather
// than a fresh sign-in right after a reset being signed out. A session saved before sign-in times
// were recorded has a zero time and ends at the first reset or disable.
func signedInBefore(signedIn, validAfter time.Time) bool {
	if validAfter.IsZero() {
		return false
	}
	return signedIn.Truncate(time.Microsecond).Before(validAfter)
}

// fromSignedInPage reports whether a request can only have come from a page that was shown to a
// signed-in user: an htmx request, or a form post (which carries the page's CSRF token).
func fromSignedInPage(r *http.Request) bool {
	if r.Header.Get("HX-Request") == "true" {
		return true
	}
	return r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEApplicationForm)
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

// alreadySignedOut answers POST /signout for a browser whose session has already ended (idle
// timeout, Sign out in another tab, a disabled account) before the CSRF check, which would refuse
// it: the page's token died with the session, and a clinician pressing Sign out, or the kiosk
// countdown firing late after the computer slept, was shown "This form has expired" and left
// without Clear-Site-Data. There is nothing left to sign out, so skipping the token check grants
// nothing. An expiry this request discovered is recorded as the timeout it was, and the sign-in
// page says so (the session middleware left the notice).
func (s *Server) alreadySignedOut(next echo.HandlerFunc) echo.HandlerFunc {
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
		c.Response().Header().Set("Clear-Site-Data", `"cache", "storage"`)
		return redirect(c, views.SignInURL)
	}
}
