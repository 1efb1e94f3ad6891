package sessions

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
)

// markerPrefix starts the store key of an expiry marker. scs stores hashed
// session tokens as unpadded base64url, which never contains ':', so the two
// kinds of record cannot collide.
const markerPrefix = "m:"

// Expired reports whether this request presented the cookie of a signed-in
// session that has since run out (idle timeout or lifetime), and whose it
// was, so the handler can record a "timeout" audit entry and send the user to
// the sign-in page. It is false for a first visit, after an explicit
// sign-out, and for cookies Chartside never issued. It is true only on the
// one request that discovers the expiry.
//
// How it knows: at sign-in a small marker keyed by a hash of the session
// token is stored beside the session, living longer than the session can.
// When a cookie's session is gone but its marker is still there, the session
// expired; the marker is deleted on discovery and on sign-out.
func (m *Manager) Expired(ctx context.Context) (User, bool) {
	st, ok := stateFrom(ctx)
	if !ok || st.expired == nil {
		return User{}, false
	}
	return *st.expired, true
}

// PopExpiredNotice reports (once) that the user arrived here because their
// session expired; the sign-in page uses it to say so. Middleware sets the
// notice on the request that discovers the expiry, so it survives the
// redirect to the sign-in page.
func (m *Manager) PopExpiredNotice(ctx context.Context) bool {
	st, ok := stateFrom(ctx)
	if !ok {
		return false
	}
	notice := m.scs.GetBool(ctx, keyExpiredNotice)
	m.unset(ctx, st, keyExpiredNotice)
	return notice
}

func markerKey(token string) string {
	sum := sha256.Sum256([]byte("chartside expiry marker\x00" + token))
	return markerPrefix + base64.RawURLEncoding.EncodeToString(sum[:])
}

func (m *Manager) putMarker(ctx context.Context, token string, u User) error {
	b, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode expiry marker: %w", err)
	}
	// Outlive the session by one idle period so even a session that ran to
	// its absolute lifetime is reported as expired when the user returns.
	expiry := time.Now().Add(m.lifetime + m.idle)
	if err := storeCommit(ctx, m.store, markerKey(token), b, expiry); err != nil {
		return fmt.Errorf("store expiry marker: %w", err)
	}
	return nil
}

// takeMarker finds and deletes the marker for token. Failures are logged and
// read as "no marker": the marker only chooses a message and an audit entry,
// never access.
func (m *Manager) takeMarker(ctx context.Context, token string) (User, bool) {
	key := markerKey(token)
	b, found, err := storeFind(ctx, m.store, key)
	if err != nil {
		m.log.ErrorContext(ctx, "sessions: read expiry marker", "err", err)
		return User{}, false
	}
	if !found {
		return User{}, false
	}
	m.deleteMarker(ctx, token)
	var u User
	if err := json.Unmarshal(b, &u); err != nil || u.ID == 0 {
		return User{}, false
	}
	return u, true
}

func (m *Manager) deleteMarker(ctx context.Context, token string) {
	if token == "" {
		return
	}
	if err := storeDelete(ctx, m.store, markerKey(token)); err != nil {
		m.log.ErrorContext(ctx, "sessions: delete expiry marker", "err", err)
	}
}

// The helpers below prefer the context-aware store methods when a store has
// them, so a cancelled request stops waiting on the database.

func storeFind(ctx context.Context, s scs.Store, key string) ([]byte, bool, error) {
	if cs, ok := s.(scs.CtxStore); ok {
		return cs.FindCtx(ctx, key)
	}
	return s.Find(key)
}

func storeCommit(ctx context.Context, s scs.Store, key string, b []byte, expiry time.Time) error {
	if cs, ok := s.(scs.CtxStore); ok {
		return cs.CommitCtx(ctx, key, b, expiry)
	}
	return s.Commit(key, b, expiry)
}

func storeDelete(ctx context.Context, s scs.Store, key string) error {
	if cs, ok := s.(scs.CtxStore); ok {
		return cs.DeleteCtx(ctx, key)
	}
	return s.Delete(key)
}
