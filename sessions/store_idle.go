package sessions

import (
	"context"
	"time"

	"github.com/alexedwards/scs/v2"
)

// idleStore is the store as scs sees it: a session's record expires one idle timeout after it was
// last saved, or at its absolute deadline if that comes first. Every save stamps the session's
// last activity (Manager.save), so the record goes when the middleware would refuse the session
// anyway (pastLimits), instead of lingering — with the patients the clinician had open — for the
// rest of its 12-hour lifetime after they walked away from a kiosk. A clinician who returns is
// still told their session timed out: the expiry marker is stored beside the record, directly in
// the store, and outlives it. SQL cleanup and Redis TTLs reclaim the records.
//
// The cookie keeps the absolute deadline (scs returns it from Commit): an unchanged token's cookie
// is never re-sent, so it must not carry an expiry that activity pushes back.
type idleStore struct {
	store scs.Store
	idle  time.Duration
	now   func() time.Time // the Manager's clock, which stamps the last activity
}

var _ scs.CtxStore = idleStore{}

func (s idleStore) expiry(deadline time.Time) time.Time {
	if idle := s.now().Add(s.idle); idle.Before(deadline) {
		return idle
	}
	return deadline
}

// FindCtx implements scs.CtxStore.
func (s idleStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	return storeFind(ctx, s.store, token)
}

// CommitCtx implements scs.CtxStore: the record expires at the idle timeout from now.
func (s idleStore) CommitCtx(ctx context.Context, token string, b []byte, deadline time.Time) error {
	return storeCommit(ctx, s.store, token, b, s.expiry(deadline))
}

// DeleteCtx implements scs.CtxStore.
func (s idleStore) DeleteCtx(ctx context.Context, token string) error {
	return storeDelete(ctx, s.store, token)
}

// Find implements scs.Store.
func (s idleStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s idleStore) Commit(token string, b []byte, deadline time.Time) error {
	return s.CommitCtx(context.Background(), token, b, deadline)
}

// Delete implements scs.Store.
func (s idleStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }
