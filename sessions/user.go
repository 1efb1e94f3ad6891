package sessions

import (
	"context"
	"errors"
	"fmt"
	"time"
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
	keyEndedNotice   = "ended_notice"
	keySignedInAt    = "signed_in_at"
)

// EndedNotice says why a browser that was signed in no longer is, when it
// was not the idle timeout (PopExpiredNotice covers that): the sign-in page
// tells the user, who was in the middle of a chart a moment ago.
type EndedNotice string

const (
	// NoticeNone: nothing to say (a first visit).
	NoticeNone EndedNotice = ""
	// NoticeSignedOut: the user pressed Sign out. On a kiosk the next person is told that the
	// previous session is gone (the idle sign-out says so too, PopExpiredNotice).
	NoticeSignedOut EndedNotice = "signed-out"
	// NoticeDisabled: the account was disabled while signed in.
	NoticeDisabled EndedNotice = "disabled"
	// NoticeEnded: a page of a signed-in session asked for something after
	// the session ended elsewhere (Sign out in another tab or window, a
	// session ended on the server).
	NoticeEnded EndedNotice = "ended"
	// NoticeRevoked: the account's password was reset, or its sessions were
	// otherwise ended by IT (a disable), while signed in.
	NoticeRevoked EndedNotice = "revoked"
)

// ErrNoSession is returned when an accessor is used on a context that did not
// pass through Middleware.
var ErrNoSession = errors.New("sessions: no session in context (is the request behind Middleware?)")

// User is the staff member signed in to the current session.
type User struct {
	ID       int64
	Username string
	Role     string
	// SignedInAt is when the session signed in, by the Manager's clock; zero
	// for a session saved before Chartside recorded it. It is left out of the
	// expiry marker, which only names the user.
	SignedInAt time.Time `json:"-"`
}

// SignIn starts an authenticated session for the user and saves it at once,
// so a store failure is an error the handler can show (ErrStoreUnavailable)
// rather than a redirect into a session that does not exist. The token is
// renewed first so a cookie planted or observed before sign-in (session
// fixation) is worthless afterwards, and the CSRF secret is replaced for the
// same reason. Anything the anonymous session held is dropped.
func (m *Manager) SignIn(ctx context.Context, userID int64, username, role string) (err error) {
	st, ok := stateFrom(ctx)
	if !ok {
		return ErrNoSession
	}
	defer func() {
		if err != nil {
			// The response is an error page; the browser keeps the cookie
			// it came with and is simply not signed in.
			st.failed = true
		}
	}()
	secret, err := newCSRFSecret()
	if err != nil {
		return fmt.Errorf("sessions: sign in: %w", err)
	}
	if err := m.scs.RenewToken(ctx); err != nil {
		return fmt.Errorf("sessions: sign in: %w: renew token: %w", ErrStoreUnavailable, err)
	}
	if err := m.scs.Clear(ctx); err != nil {
		return fmt.Errorf("sessions: sign in: clear: %w", err)
	}
	m.set(ctx, st, keyUserID, userID)
	m.set(ctx, st, keyUsername, username)
	m.set(ctx, st, keyRole, role)
	m.set(ctx, st, keyCSRF, secret)
	// Unix nanoseconds, like keyLastSeen: a plain number keeps the session
	// one the memo codec remembers.
	m.set(ctx, st, keySignedInAt, m.now().UnixNano())
	u := User{ID: userID, Username: username, Role: role}
	if err := m.putMarker(ctx, m.scs.Token(ctx), u); err != nil {
		return fmt.Errorf("sessions: sign in: %w: %w", ErrStoreUnavailable, err)
	}
	if err := m.save(ctx, st); err != nil {
		return fmt.Errorf("sessions: sign in: %w", err)
	}
	return nil
}

// SignOut ends the session: the token is renewed (so the old one is deleted
// from the store and a replayed cookie finds nothing), then the session is
// destroyed and the response clears the cookie.
//
// When a user was signed in, NoticeSignedOut is left for the next page (PopEndedNotice) in a fresh
// anonymous session, which is all the response's cookie then names: nothing identifying.
func (m *Manager) SignOut(ctx context.Context) error {
	signedIn, err := m.signOut(ctx)
	if err != nil || !signedIn {
		return err
	}
	st, _ := stateFrom(ctx)
	m.set(ctx, st, keyEndedNotice, string(NoticeSignedOut))
	return nil
}

// SignOutIdle ends the session as SignOut does, for a browser that signed
// itself out because its idle countdown ran out (the kiosk's kiosk.js, a few
// seconds before the server would have). The next page says why the user is
// there exactly as after an expiry the server found (PopExpiredNotice): the
// notice lives in a fresh anonymous session, which is all the response's
// cookie then names. The browser's word for it is trusted with nothing else:
// the notice is only left when a user was signed in, and it grants nothing.
func (m *Manager) SignOutIdle(ctx context.Context) error {
	signedIn, err := m.signOut(ctx)
	if err != nil || !signedIn {
		return err
	}
	st, _ := stateFrom(ctx)
	m.set(ctx, st, keyExpiredNotice, true)
	return nil
}

// SignOutDisabled ends the session as SignOut does, for a user whose account
// has been disabled since they signed in, and leaves NoticeDisabled for the
// next page (PopEndedNotice) in a fresh anonymous session.
func (m *Manager) SignOutDisabled(ctx context.Context) error {
	return m.signOutWith(ctx, NoticeDisabled)
}

// SignOutRevoked ends the session as SignOut does, for a session signed in
// before its account's password was reset or its sessions were ended by IT,
// and leaves NoticeRevoked for the next page (PopEndedNotice) in a fresh
// anonymous session.
func (m *Manager) SignOutRevoked(ctx context.Context) error {
	return m.signOutWith(ctx, NoticeRevoked)
}

func (m *Manager) signOutWith(ctx context.Context, n EndedNotice) error {
	if _, err := m.signOut(ctx); err != nil {
		return err
	}
	st, _ := stateFrom(ctx)
	m.set(ctx, st, keyEndedNotice, string(n))
	return nil
}

// NoteEnded leaves NoticeEnded for the next page, for a request that came
// from a signed-in page (an htmx request, a form) but found no signed-in
// session and no expiry to report. It grants nothing: it only chooses a
// sentence on the sign-in page.
func (m *Manager) NoteEnded(ctx context.Context) {
	st, ok := stateFrom(ctx)
	if !ok {
		return
	}
	if _, signedIn := m.User(ctx); signedIn {
		return
	}
	m.set(ctx, st, keyEndedNotice, string(NoticeEnded))
}

// PopEndedNotice returns (once) the notice SignOutDisabled, SignOutRevoked or
// NoteEnded left.
func (m *Manager) PopEndedNotice(ctx context.Context) EndedNotice {
	st, ok := stateFrom(ctx)
	if !ok {
		return NoticeNone
	}
	n := EndedNotice(m.scs.GetString(ctx, keyEndedNotice))
	m.unset(ctx, st, keyEndedNotice)
	switch n {
	case NoticeDisabled, NoticeRevoked, NoticeEnded, NoticeSignedOut:
		return n
	}
	return NoticeNone
}

// signOut ends the session and reports whether a user was signed in to it.
func (m *Manager) signOut(ctx context.Context) (signedIn bool, err error) {
	st, ok := stateFrom(ctx)
	if !ok {
		return false, ErrNoSession
	}
	_, signedIn = m.User(ctx)
	old := m.scs.Token(ctx)
	err = m.scs.RenewToken(ctx)
	if err == nil {
		err = m.scs.Destroy(ctx)
	}
	if err != nil {
		// The user asked to leave (on a shared workstation, above all): the
		// browser drops its cookie even though the store could not be told.
		// The stored session, no longer presented, idles out.
		st.clear = true
		return false, fmt.Errorf("sessions: sign out: %w: %w", ErrStoreUnavailable, err)
	}
	st.dirty = false
	// A sign-out is not an expiry the middleware should discover later: a
	// replayed cookie must not be greeted with "your session expired".
	m.deleteMarker(ctx, old)
	return signedIn, nil
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
	u := User{
		ID:       id,
		Username: m.scs.GetString(ctx, keyUsername),
		Role:     m.scs.GetString(ctx, keyRole),
	}
	if ns := m.scs.GetInt64(ctx, keySignedInAt); ns != 0 {
		u.SignedInAt = time.Unix(0, ns)
	}
	return u, true
}

// Touch records activity now and saves it at once, so the idle timeout
// counts from this very request: the kiosk "Stay signed in" restarts its
// countdown when the keep-alive succeeds, and an ordinary request would only
// have refreshed a last activity a granularity old. A store failure is
// ErrStoreUnavailable (and the countdown must not restart).
func (m *Manager) Touch(ctx context.Context) error {
	st, ok := stateFrom(ctx)
	if !ok {
		return ErrNoSession
	}
	if st.saved != "" && !st.dirty {
		// Already saved by this request, which stamped it just now.
		return nil
	}
	return m.save(ctx, st)
}
