package sessions

import (
	"context"
	"time"
)

// expiredDeleter is a store that needs to be told to drop expired records
// (SQLStore); Redis expires keys by itself.
type expiredDeleter interface {
	DeleteExpired(ctx context.Context) (int64, error)
}

// RunCleanup deletes expired sessions and markers every interval until ctx
// is done. It returns at once for stores that expire records themselves.
// Expired records are never served (Find filters them); this only reclaims
// space. Run it in its own goroutine from cmd/web.
func (m *Manager) RunCleanup(ctx context.Context, interval time.Duration) {
	d, ok := m.store.(expiredDeleter)
	if !ok {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := d.DeleteExpired(ctx); err != nil && ctx.Err() == nil {
				m.log.ErrorContext(ctx, "sessions: cleanup", "err", err)
			}
		}
	}
}
