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

// ErrStoreUnavailable wraps a failure to read or write a session in its store (the database is
// busy or down, Redis is unreachable): nobody can be treated as signed in, and nobody is signed
// out either — the browser keeps the cookie it has. The handlers' error handler tells the user so,
// with a 503 "try again", rather than a generic 500.
var ErrStoreUnavailable = errors.New("sessions: session store unavailable")

type stateKey struct{}

// requestState is what Middleware learned about the incoming cookie and what
// the request did to its session, kept in the request context for the
// accessors and for the final save.
type requestState struct {
	// sent is the token the browser presented, "" when none.
	sent string
	// stale: the request carried a cookie for a session that no longer
	// exists (expired, signed out, or never issued by us).
	stale bool
	// expired is the user whose signed-in session ran out, nil otherwise.
	expired *User
	// dirty: the session changed since it was loaded or last saved. scs's
	// own Status stays Modified after a save, so it cannot tell.
	dirty bool
	// sealer is the request's sealing key (seal.go), derived once per request
	// rather than once per sealed link.
	sealer sealCache
	// saved and expiry come from this request's last successful save.
	saved  string
	expiry time.Time
	// failed: a save failed, so the response is an error and the browser's
	// cookie must be left exactly as it is.
	failed bool
	// clear: the browser's cookie must be deleted whatever else happens (a
	// sign-out that could not reach the store).
	clear bool
	// finished guards the end of the request so at most one Set-Cookie is
	// written.
	finished bool
}

func stateFrom(ctx context.Context) (*requestState, bool) {
	st, ok := ctx.Value(stateKey{}).(*requestState)
	return st, ok
}

// Middleware is the native echo session middleware. It loads the session
// named by the cookie, enforces the idle timeout and absolute lifetime, and
// refreshes the last activity when it is a granularity old (activity.go).
// Anything the handler changes is saved just before the response header goes
// out — whether the handler renders, returns an error that echo's
// HTTPErrorHandler renders later, or writes nothing — and a Set-Cookie is
// written only when the browser must learn a new token or drop its cookie: an
// ordinary request neither writes to the store nor sends a cookie.
//
// The final save happens in an echo Response.Before hook rather than after the
// handler returns because handlers (and the error handler) write the response
// themselves; by the time control came back here the header would be gone.
// That is also why changes whose loss the user would notice (sign-in, the
// keep-alive, a newly opened patient) are saved by their accessors at once,
// where a failure can still become a 503.
//
// A store failure never signs anyone out: loading, refreshing or destroying
// the session fails the request with ErrStoreUnavailable and no Set-Cookie,
// so the browser keeps its cookie and the next request, once the store is
// back, finds the session as it was.
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
				return fmt.Errorf("%w: load: %w", ErrStoreUnavailable, err)
			}
			st := &requestState{sent: token}
			ctx = context.WithValue(ctx, stateKey{}, st)
			if token != "" {
				if err := m.checkLoaded(ctx, st); err != nil {
					return err
				}
			}
			c.SetRequest(req.WithContext(ctx))

			res.Before(func() { m.finish(ctx, res, st) })
			err = next(c)
			if err == nil && !res.Committed {
				// Nothing was written (a bare "return nil"): net/http will
				// send the header itself, bypassing echo's Before hooks.
				m.finish(ctx, res, st)
			}
			return err
		}
	}
}

// checkLoaded classifies a request that carried a cookie: a cookie the store
// no longer knows, a session that is still stored but past its idle or
// absolute limit by our clock, or a live session, whose last activity it
// refreshes when that is a granularity old.
func (m *Manager) checkLoaded(ctx context.Context, st *requestState) error {
	now := m.now()
	if m.scs.Token(ctx) == "" {
		st.stale = true
		if u, ok := m.takeMarker(ctx, st.sent); ok {
			m.noteExpired(ctx, st, u)
		}
		return nil
	}
	seen := m.lastActivity(ctx)
	if m.pastLimits(ctx, now, seen) {
		u, signedIn := m.User(ctx)
		if err := m.scs.Destroy(ctx); err != nil {
			// Keep the cookie: once the store is back the next request
			// finds the session again and ends it properly.
			return fmt.Errorf("%w: destroy expired session: %w", ErrStoreUnavailable, err)
		}
		st.stale, st.dirty = true, false
		m.deleteMarker(ctx, st.sent)
		if signedIn {
			m.noteExpired(ctx, st, u)
		}
		return nil
	}
	if now.Sub(seen) < m.granularity || !m.refreshes.claim(st.sent, now) {
		return nil
	}
	if err := m.save(ctx, st); err != nil {
		m.refreshes.forget(st.sent)
		return err
	}
	return nil
}

// noteExpired records whose session ran out, and leaves the notice for the
// next page (normally the sign-in page after a redirect) to say why the user
// is there; the notice lives in a fresh anonymous session.
func (m *Manager) noteExpired(ctx context.Context, st *requestState, u User) {
	st.expired = &u
	m.set(ctx, st, keyExpiredNotice, true)
}

// pastLimits reports whether a session the store still returned is past its
// absolute lifetime or idle timeout by this process's clock. seen is the last
// activity (zero when the session has none). Because seen may lag the
// latest request by up to one granularity, the idle sign-out comes early by
// at most that much, never late.
func (m *Manager) pastLimits(ctx context.Context, now, seen time.Time) bool {
	if now.After(m.scs.Deadline(ctx)) {
		return true
	}
	return !seen.IsZero() && now.Sub(seen) >= m.idle
}

// set and unset change the request's session. Every change goes through
// them (or marks st.dirty itself) so the end of the request knows whether
// there is anything left to save.
func (m *Manager) set(ctx context.Context, st *requestState, key string, val any) {
	m.scs.Put(ctx, key, val)
	st.dirty = true
}

func (m *Manager) unset(ctx context.Context, st *requestState, key string) {
	if !m.scs.Exists(ctx, key) {
		return
	}
	m.scs.Remove(ctx, key)
	st.dirty = true
}

// save writes the session to the store now, stamping it with the current
// time as its last activity (a save is always made for a request, so it is
// activity). The store entry expires one idle timeout from now, or at the
// session's absolute deadline if sooner (idleStore). A
// failure is ErrStoreUnavailable and marks the request failed, so its
// response leaves the browser's cookie alone.
func (m *Manager) save(ctx context.Context, st *requestState) error {
	now := m.now()
	m.scs.Put(ctx, keyLastSeen, now.UnixNano())
	// The response is going out whether or not the client is still there;
	// finish the store write so the session state stays consistent.
	token, expiry, err := m.scs.Commit(context.WithoutCancel(ctx))
	if err != nil {
		st.failed = true
		return fmt.Errorf("%w: save: %w", ErrStoreUnavailable, err)
	}
	st.dirty = false
	st.saved, st.expiry = token, expiry
	m.refreshes.saved(token, now)
	return nil
}

// finish saves what is left unsaved and writes the Set-Cookie the browser
// needs, if any. It runs once per request, from the Before hook or directly
// from Middleware.
func (m *Manager) finish(ctx context.Context, w http.ResponseWriter, st *requestState) {
	if st.finished {
		return
	}
	st.finished = true
	switch {
	case st.clear:
		m.writeCookie(w, "", time.Time{})
		return
	case st.failed:
		return
	case st.dirty:
		if err := m.save(ctx, st); err != nil {
			// Too late for an error page: the status is decided. The
			// change is lost (a CSRF secret, a notice); the browser keeps
			// the cookie it has, so nobody is signed out by a store hiccup.
			m.log.ErrorContext(ctx, "sessions: saving the session failed; the browser keeps its cookie", "err", err)
			return
		}
	case m.scs.Status(ctx) == scs.Destroyed:
		m.writeCookie(w, "", time.Time{})
		return
	}
	switch {
	case st.saved != "" && st.saved != st.sent:
		// A new session or a renewed token. The expiry is the absolute
		// deadline, fixed for the token's life, so an unchanged token never
		// needs its cookie sent again.
		m.writeCookie(w, st.saved, st.expiry)
	case st.stale:
		// Stop the browser from presenting a dead token again.
		m.writeCookie(w, "", time.Time{})
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
