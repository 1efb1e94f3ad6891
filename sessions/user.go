package sessions

import (
	"context"
	"errors"
	"fmt"
)

// Session keys. They are unexported so handlers go through the typed
// accessors below and never spell a key.
const (
	keyUserID        = "user_id"
	keyUsername      = "username"
	keyRole          = "role"
	keyCSRF          = "csrf"
	keyLastSeen      = "last_seen"
	keyExpiredNotice = "expired_notice"
)

// ErrNoSession is returned when an accessor is used on a context that did not
// pass through Middleware.
var ErrNoSession = errors.New("sessions: no session in context (is the request behind Middleware?)")

// User is the staff member signed in to the current session.
type User struct {
	ID       int64
	Username string
	Role     string
}

// SignIn starts an authenticated session for the user. The token is renewed
// first so a cookie planted or observed before sign-in (session fixation)
// is worthless afterwards, and the CSRF secret is replaced for the same
// reason. Anything the anonymous session held is dropped.
func (m *Manager) SignIn(ctx context.Context, userID int64, username, role string) error {
	if _, ok := stateFrom(ctx); !ok {
		return ErrNoSession
	}
	if err := m.scs.RenewToken(ctx); err != nil {
		return fmt.Errorf("sessions: sign in: renew token: %w", err)
	}
	if err := m.scs.Clear(ctx); err != nil {
		return fmt.Errorf("sessions: sign in: clear: %w", err)
	}
	m.scs.Put(ctx, keyUserID, userID)
	m.scs.Put(ctx, keyUsername, username)
	m.scs.Put(ctx, keyRole, role)
	secret, err := newCSRFSecret()
	if err != nil {
		return fmt.Errorf("sessions: sign in: %w", err)
	}
	m.scs.Put(ctx, keyCSRF, secret)
	u := User{ID: userID, Username: username, Role: role}
	if err := m.putMarker(ctx, m.scs.Token(ctx), u); err != nil {
		return fmt.Errorf("sessions: sign in: %w", err)
	}
	return nil
}

// SignOut ends the session: the token is renewed (so the old one is deleted
// from the store and a replayed cookie finds nothing), then the session is
// destroyed and the response clears the cookie.
func (m *Manager) SignOut(ctx context.Context) error {
	if _, ok := stateFrom(ctx); !ok {
		return ErrNoSession
	}
	old := m.scs.Token(ctx)
	if err := m.scs.RenewToken(ctx); err != nil {
		return fmt.Errorf("sessions: sign out: renew token: %w", err)
	}
	if err := m.scs.Destroy(ctx); err != nil {
		return fmt.Errorf("sessions: sign out: destroy: %w", err)
	}
	// A deliberate sign-out is not an expiry: the next visit should not be
	// greeted with "your session expired".
	m.deleteMarker(ctx, old)
	return nil
}

// User returns the signed-in user, or false when the session is anonymous.
func (m *Manager) User(ctx context.Context) (User, bool) {
	if _, ok := stateFrom(ctx); !ok {
		return User{}, false
	}
	id := m.scs.GetInt64(ctx, keyUserID)
	if id == 0 {
		return User{}, false
	}
	return User{
		ID:       id,
		Username: m.scs.GetString(ctx, keyUsername),
		Role:     m.scs.GetString(ctx, keyRole),
	}, true
}

// Touch marks the session as used without changing it. The kiosk "Stay
// signed in" keep-alive needs nothing more: passing through Middleware
// already pushes the idle deadline back; Touch exists so the handler states
// its intent and fails on a context without a session.
func (m *Manager) Touch(ctx context.Context) error {
	if _, ok := stateFrom(ctx); !ok {
		return ErrNoSession
	}
	m.scs.Put(ctx, keyLastSeen, m.now().UnixNano())
	return nil
}
