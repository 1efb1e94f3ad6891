package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/logging"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/staff"
	"github.com/chartside/chartside/views"
)

// Authenticator checks a sign-in attempt. *staff.Store satisfies it: it answers
// staff.ErrInvalidCredentials for every kind of wrong attempt and *staff.ThrottledError when too
// many recent attempts failed for the account or the client address.
type Authenticator interface {
	Authenticate(ctx context.Context, username, password, clientAddr string) (staff.Account, error)
}

// Messages on the sign-in page. The failure message is the same for an unknown user, a wrong
// password and a disabled account, so the page reveals nothing about which accounts exist.
const (
	msgSignInFailed   = "The username or password is not right. Check them and try again."
	msgSessionExpired = "For privacy you were signed out after a period of inactivity. Sign in again to continue."
	msgSessionEnded   = "Your Chartside session has ended: you signed out in another tab or window, or it was ended on the server. Sign in again to continue."
	msgAccountOff     = "You were signed out because your Chartside account has been disabled. If you need access, ask IT."
	msgSessionRevoked = "You were signed out because your Chartside password was changed or your sessions were ended by IT. Sign in again."
	msgSignedOut      = "You have signed out of Chartside."
)

// signInForm is the posted sign-in form. The password is validated as typed: unlike other forms it
// is not trimmed, because spaces are legitimate in a passphrase.
type signInForm struct {
	Username string `form:"username" validate:"required,max=64"`
	Password string `form:"password" validate:"required,max=1024"`
}

// signInLabels name the fields in validation messages.
var signInMessages = map[string]string{
	views.FieldUsername: "Enter your username.",
	views.FieldPassword: "Enter your password.",
}

// signInPage handles GET /signin: the sign-in form, saying so when the user's session expired.
// A signed-in user is sent on to where they were going. Always a full page (a fragment of it must
// never land inside a chart; htmx requests for signed-out users get HX-Redirect instead).
func (s *Server) signInPage(c echo.Context) error {
	ctx := c.Request().Context()
	next := safeNext(c.QueryParam(views.FieldNext))
	if _, ok := s.sessions.User(ctx); ok {
		return c.Redirect(http.StatusSeeOther, nextOrHome(next))
	}
	v := s.signInView(c, next)
	if s.sessions.PopExpiredNotice(ctx) {
		v.Notice = msgSessionExpired
	}
	switch s.sessions.PopEndedNotice(ctx) {
	case sessions.NoticeDisabled:
		v.Notice = msgAccountOff
	case sessions.NoticeRevoked:
		v.Notice = msgSessionRevoked
	case sessions.NoticeSignedOut:
		v.Notice = msgSignedOut
	case sessions.NoticeEnded:
		if v.Notice == "" {
			v.Notice = msgSessionEnded
		}
	}
	return s.render(c, http.StatusOK, views.SignInPage(v), nil)
}

// signInPost handles POST /signin (a plain form post). Success renews the session token, records
// "signin" and redirects (303) to the local page in next, or the lookup page. Failures re-render the
// form: 422 for empty fields, 401 for wrong credentials, 429 with Retry-After when throttled; the
// last two are recorded as "signin_failed".
func (s *Server) signInPost(c echo.Context) error {
	ctx := c.Request().Context()
	f := signInForm{
		Username: strings.TrimSpace(c.FormValue(views.FieldUsername)),
		Password: c.FormValue(views.FieldPassword),
	}
	next := safeNext(c.FormValue(views.FieldNext))
	v := s.signInView(c, next)
	v.Username = f.Username

	if errs, err := s.validateSignIn(f); err != nil {
		return err
	} else if errs != nil {
		v.FieldErrors = errs
		return s.render(c, http.StatusUnprocessableEntity, views.SignInPage(v), nil)
	}

	client := s.clientIP(c.Request())
	var (
		acct staff.Account
		err  error
	)
	if s.demoOutsideSandbox(f.Username) {
		// Not even checked: the password is published (see demoOutsideSandbox).
		err = staff.ErrInvalidCredentials
	} else {
		acct, err = s.staff.Authenticate(ctx, f.Username, f.Password, client)
	}
	var throttled *staff.ThrottledError
	switch {
	case errors.As(err, &throttled):
		if err := s.recordAuth(c, auditName(f.Username), audit.ActionSignInFailed, audit.OutcomeDenied, "throttled"); err != nil {
			return err
		}
		secs := int(throttled.RetryAfter.Round(time.Second) / time.Second)
		c.Response().Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		v.Error = "Too many failed sign-in attempts. Wait " + waitText(throttled.RetryAfter) + " and try again."
		return s.render(c, http.StatusTooManyRequests, views.SignInPage(v), nil)
	case errors.Is(err, staff.ErrInvalidCredentials):
		if err := s.recordAuth(c, auditName(f.Username), audit.ActionSignInFailed, audit.OutcomeFailed, ""); err != nil {
			return err
		}
		v.Error = msgSignInFailed
		return s.render(c, http.StatusUnauthorized, views.SignInPage(v), nil)
	case err != nil:
		return fmt.Errorf("sign in: %w", err)
	}

	// Recorded before the session exists: if the trail cannot be written, nobody is signed in.
	if err := s.recordAuth(c, acct.Username, audit.ActionSignIn, audit.OutcomeOK, ""); err != nil {
		return err
	}
	if err := s.sessions.SignIn(ctx, acct.ID, acct.Username, string(acct.Role)); err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	return c.Redirect(http.StatusSeeOther, nextOrHome(next))
}

// signOutPost handles POST /signout, from the header's Sign out button or from kiosk.js when the
// idle countdown ends (reason=timeout). It records the sign-out, renews and destroys the session,
// tells the browser to drop its cache and storage, and redirects to the sign-in page (HX-Redirect
// for htmx). After a timeout the sign-in page says why, as after an expiry the server found: the
// next person at a kiosk should not wonder where the chart went. It needs a valid CSRF token like
// every POST, but not a live session: signing out twice is harmless.
func (s *Server) signOutPost(c echo.Context) error {
	ctx := c.Request().Context()
	timedOut := c.FormValue("reason") == "timeout"
	if u, ok := s.sessions.User(ctx); ok {
		action := audit.ActionSignOut
		if timedOut {
			action = audit.ActionTimeout
		}
		// Sign-out is never blocked: a clinician at a kiosk must be able to leave even when the
		// audit store is down. The failure is logged for IT instead.
		if err := s.recordAuth(c, u.Username, action, audit.OutcomeOK, ""); err != nil {
			s.log.ErrorContext(ctx, "sign-out not recorded in the audit trail", slog.String("error", err.Error()))
		}
	}
	signOut := s.sessions.SignOut
	if timedOut {
		signOut = s.sessions.SignOutIdle
	}
	if err := signOut(ctx); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	// Patient pages are no-store already; this also empties whatever the browser kept in storage
	// (htmx history snapshots, anything a future script might store) on a shared workstation.
	c.Response().Header().Set("Clear-Site-Data", `"cache", "storage"`)
	return redirect(c, views.SignInURL)
}

// keepAlivePost handles POST /session/keepalive, the kiosk countdown's "Stay signed in". Touch saves
// the session's last activity at once (an ordinary request refreshes it only when it is a little
// old), so the server's idle deadline matches the countdown kiosk.js restarts on the 204. A session
// store failure is a 503, never a sign-out.
func (s *Server) keepAlivePost(c echo.Context) error {
	if err := s.sessions.Touch(c.Request().Context()); err != nil {
		return fmt.Errorf("keep alive: %w", err)
	}
	return c.NoContent(http.StatusNoContent)
}

// signInView fills what every rendering of the sign-in page shares.
func (s *Server) signInView(c echo.Context, next string) views.SignInView {
	ctx := c.Request().Context()
	p := s.page(c, "Sign in")
	if p.CSRFToken == "" {
		p.CSRFToken = s.sessions.CSRFToken(ctx)
	}
	v := views.SignInView{
		Page:              p,
		Next:              next,
		StaleAfterSeconds: staleAfterSeconds(s.sessions.GuaranteedIdle()),
	}
	if s.settings.Sandbox {
		v.Demo, v.DemoUsername, v.DemoPassword = true, staff.DemoUsername, staff.DemoPassword
		v.SandboxPatients = s.settings.SandboxPatients
	}
	return v
}

// staleAfterSeconds is when the sign-in page reloads itself rather than submit a form whose
// anonymous session may have idled out: 15 s before idle (the time a session is sure to last after
// a request, sessions.Manager.GuaranteedIdle), or half-way for very short timeouts.
func staleAfterSeconds(idle time.Duration) int {
	return max(int((idle-min(15*time.Second, idle/2))/time.Second), 1)
}

// validateSignIn returns field messages for an empty or oversized field, or nil when the form is
// usable.
func (s *Server) validateSignIn(f signInForm) (map[string]string, error) {
	err := s.validate.Struct(f)
	if err == nil {
		return nil, nil
	}
	var ve validator.ValidationErrors
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("sign in: validate: %w", err)
	}
	out := map[string]string{}
	for _, fe := range ve {
		name := views.FieldUsername
		if fe.StructField() == "Password" {
			name = views.FieldPassword
		}
		msg := signInMessages[name]
		if fe.Tag() == "max" {
			msg = "That is too long."
		}
		out[name] = msg
	}
	return out, nil
}

// recordAuth appends a sign-in/out event to the audit trail.
func (s *Server) recordAuth(c echo.Context, username, action, outcome, detail string) error {
	ctx := c.Request().Context()
	e := audit.Entry{
		Username:   username,
		Action:     action,
		Outcome:    outcome,
		ClientAddr: s.clientIP(c.Request()),
		RequestID:  logging.RequestID(ctx),
		Detail:     detail,
	}
	if err := s.audit.Record(context.WithoutCancel(ctx), e); err != nil {
		return fmt.Errorf("%w: %w", errAuditUnavailable, err)
	}
	return nil
}

// usernameShape is what a staff username can look like (staff's own rule, loosely). Anything else
// typed into the username box is not written to the audit trail: it is most often a password
// typed into the wrong field.
var usernameShape = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// auditName is the username a failed attempt is recorded under.
func auditName(typed string) string {
	name := staff.NormalizeUsername(typed)
	if !usernameShape.MatchString(name) {
		return "(unrecognised username)"
	}
	return name
}

// waitText words a throttling delay for people: "30 seconds", "1 minute", "15 minutes".
func waitText(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	switch {
	case secs <= 1:
		return "1 second"
	case secs < 60:
		return strconv.Itoa(secs) + " seconds"
	}
	mins := (secs + 59) / 60
	if mins == 1 {
		return "1 minute"
	}
	return strconv.Itoa(mins) + " minutes"
}

// safeNext returns next when it is a path on this site, and "" otherwise. Only "/x…" is accepted:
// "//host", "/\host" (browsers treat a backslash as a slash), schemes, hosts and control characters
// would turn the sign-in page into an open redirect. The sign-in and sign-out pages themselves are
// dropped to avoid loops, and chart pages because their handles do not outlive the session.
func safeNext(next string) string {
	if len(next) < 1 || len(next) > 2048 || next[0] != '/' {
		return ""
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return ""
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	switch u.Path {
	case views.SignInURL, views.SignOutURL, views.KeepAliveURL:
		return ""
	}
	if strings.HasPrefix(u.Path, chartURL("")) {
		// A chart address names a handle of the session that just ended (patient_handles.go);
		// sign-in starts a new session without it, so going back there only said "Page not
		// found". The lookup page is where the clinician can open the chart again, and the MRN
		// stays out of every address.
		return ""
	}
	return next
}

func nextOrHome(next string) string {
	if next == "" {
		return "/"
	}
	return next
}
