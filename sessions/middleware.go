package sessions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
)

// ErrStoreUnavailable wraps a failure to load a session from its store (the database or Redis
// is down): nobody can be treated as signed in. The handlers' error handler tells the user so,
// with a 503, rather than a generic 500.
var ErrStoreUnavailable = errors.New("sessions: session store unavailable")

type stateKey struct{}

// requestState is what Middleware learned about the incoming cookie, kept in
// the request context for the accessors and for the final commit.
type requestState struct {
	// stale: the request carried a cookie for a session that no longer
	// exists (expired, signed out, or never issued by us).
	stale bool
	// expired is the user whose signed-in session ran out, nil otherwise.
	expired *User
	// committed guards the commit so exactly one Set-Cookie is written.
	committed bool
}

func stateFrom(ctx context.Context) (*requestState, bool) {
	st, ok := ctx.Value(stateKey{}).(*requestState)
	return st, ok
}

// Middleware is the native echo session middleware. It loads the session
// named by the cookie, enforces the idle timeout and absolute lifetime, and
// arranges for the session to be saved and exactly one Set-Cookie to be
// written just before the response header goes out — whether the handler
// renders, returns an error that echo's HTTPErrorHandler renders later, renews
// the token, or destroys the session.
//
// The save happens in an echo Response.Before hook rather than after the
// handler returns because handlers (and the error handler) write the response
// themselves; by the time control came back here the header would be gone.
func (m *Manager) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			res := c.Response()
			// The same URL answers differently per session; shared caches
			// must not hand one clinician's page to another.
			res.Header().Add(echo.HeaderVary, echo.HeaderCookie)

			var token string
			if ck, err := req.Cookie(m.scs.Cookie.Name); err == nil {
				token = ck.Value
			}
			ctx, err := m.scs.Load(req.Context(), token)
			if err != nil {
				// A store outage: nobody can be treated as signed in, and no
				// cookie is written (the status is an error page anyway).
				return fmt.Errorf("%w: load: %w", ErrStoreUnavailable, err)
			}
			st := &requestState{}
			ctx = context.WithValue(ctx, stateKey{}, st)
			if token != "" {
				if err := m.checkLoaded(ctx, st, token); err != nil {
					return err
				}
			}
			c.SetRequest(req.WithContext(ctx))

			res.Before(func() { m.commit(ctx, res, st) })
			err = next(c)
			if err == nil && !res.Committed {
				// Nothing was written (a bare "return nil"): net/http will
				// send the header itself, bypassing echo's Before hooks.
				m.commit(ctx, res, st)
			}
			return err
		}
	}
}

// checkLoaded classifies a request that carried a cookie: a live session, a
// cookie the store no longer knows, or a session that is still stored but is
// past its idle or absolute limit by our clock.
func (m *Manager) checkLoaded(ctx context.Context, st *requestState, token string) error {
	now := m.now()
	switch {
	case m.scs.Token(ctx) == "":
		st.stale = true
		if u, ok := m.takeMarker(ctx, token); ok {
			st.expired = &u
		}
	case m.pastLimits(ctx, now):
		st.stale = true
		u, signedIn := m.User(ctx)
		if err := m.scs.Destroy(ctx); err != nil {
			return fmt.Errorf("sessions: destroy expired session: %w", err)
		}
		m.deleteMarker(ctx, token)
		if signedIn {
			st.expired = &u
		}
	}
	if st.expired != nil {
		// The next page (normally the sign-in page after a redirect) says
		// why the user is there; this creates a fresh anonymous session.
		m.scs.Put(ctx, keyExpiredNotice, true)
	}
	return nil
}

// pastLimits reports whether a session the store still returned is past its
// idle timeout or absolute lifetime by this process's clock.
func (m *Manager) pastLimits(ctx context.Context, now time.Time) bool {
	if now.After(m.scs.Deadline(ctx)) {
		return true
	}
	if seen := m.scs.GetInt64(ctx, keyLastSeen); seen != 0 && now.Sub(time.Unix(0, seen)) >= m.idle {
		return true
	}
	return false
}

// commit saves the session and writes the one Set-Cookie. It runs once per
// request, from the Before hook or directly from Middleware.
func (m *Manager) commit(ctx context.Context, w http.ResponseWriter, st *requestState) {
	if st.committed {
		return
	}
	st.committed = true
	// The response is going out whether or not the client is still there;
	// finish the store write so the session state stays consistent.
	ctx = context.WithoutCancel(ctx)

	switch m.scs.Status(ctx) {
	case scs.Modified:
		m.scs.Put(ctx, keyLastSeen, m.now().UnixNano())
		token, expiry, err := m.scs.Commit(ctx)
		if err != nil {
			// Too late for an error page: the status is decided. Clearing
			// the cookie fails closed — the user is simply signed out.
			m.log.ErrorContext(ctx, "sessions: commit failed; clearing the session cookie", "err", err)
			m.writeCookie(w, "", time.Time{})
			return
		}
		m.writeCookie(w, token, expiry)
	case scs.Destroyed:
		m.writeCookie(w, "", time.Time{})
	default:
		if st.stale {
			// Stop the browser from presenting a dead token again.
			m.writeCookie(w, "", time.Time{})
		}
	}
}

// writeCookie adds the session cookie to w. An empty token deletes it.
func (m *Manager) writeCookie(w http.ResponseWriter, token string, expiry time.Time) {
	ck := &http.Cookie{
		Name:     m.scs.Cookie.Name,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   m.scs.Cookie.Secure,
		SameSite: http.SameSiteLaxMode,
	}
	switch {
	case token == "":
		ck.Expires = time.Unix(1, 0)
		ck.MaxAge = -1
	case m.scs.Cookie.Persist:
		ck.Expires = time.Unix(expiry.Unix()+1, 0)
		ck.MaxAge = int(time.Until(expiry).Seconds() + 1)
	}
	h := w.Header()
	h.Add("Set-Cookie", ck.String())
	// A response that sets a session cookie must never be stored by a shared
	// cache; pages that chose their own policy keep it.
	if h.Get(echo.HeaderCacheControl) == "" {
		h.Set(echo.HeaderCacheControl, "no-store")
	}
}
