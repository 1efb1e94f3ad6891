package sessions

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
)

// errStoreDown is what a recordingStore answers while an operation is set to fail, standing in for
// SQLITE_BUSY after the busy timeout, a dropped PostgreSQL connection or an unreachable Redis.
var errStoreDown = errors.New("store down (test)")

// recordingStore wraps a real store (SQLite, PostgreSQL or Redis), counting the writes that reach
// it and failing reads or writes on demand, so tests see exactly what the middleware does to the
// store.
type recordingStore struct {
	scs.CtxStore
	commits, deletes                 atomic.Int64
	failFind, failCommit, failDelete atomic.Bool

	mu         sync.Mutex
	lastExpiry time.Time // of the last session (not marker) commit
}

func recording(s scs.Store) *recordingStore { return &recordingStore{CtxStore: s.(scs.CtxStore)} }

// writes is how many commits and deletes reached the store.
func (s *recordingStore) writes() int64 { return s.commits.Load() + s.deletes.Load() }

// expiry is the expiry of the last session committed.
func (s *recordingStore) expiry() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastExpiry
}

// fail makes every operation fail (true) or succeed again (false).
func (s *recordingStore) fail(down bool) {
	s.failFind.Store(down)
	s.failCommit.Store(down)
	s.failDelete.Store(down)
}

func (s *recordingStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	if s.failFind.Load() {
		return nil, false, errStoreDown
	}
	return s.CtxStore.FindCtx(ctx, token)
}

func (s *recordingStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if s.failCommit.Load() {
		return errStoreDown
	}
	s.commits.Add(1)
	if !strings.HasPrefix(token, markerPrefix) {
		s.mu.Lock()
		s.lastExpiry = expiry
		s.mu.Unlock()
	}
	return s.CtxStore.CommitCtx(ctx, token, b, expiry)
}

func (s *recordingStore) DeleteCtx(ctx context.Context, token string) error {
	if s.failDelete.Load() {
		return errStoreDown
	}
	s.deletes.Add(1)
	return s.CtxStore.DeleteCtx(ctx, token)
}

func (s *recordingStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

func (s *recordingStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

func (s *recordingStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
