package sessions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
)

// ErrNotIterable is returned by ActiveSessions for a store that cannot list
// its sessions.
var ErrNotIterable = errors.New("sessions: store cannot list sessions")

// ActiveSessions counts unexpired sessions with a signed-in user (anonymous
// sign-in-page sessions and idle ones are not counted), for a metrics gauge.
// It reads every stored session, which is fine for a hospital's staff but not
// meant for a hot path.
func (m *Manager) ActiveSessions(ctx context.Context) (int, error) {
	var (
		all map[string][]byte
		err error
	)
	switch s := m.store.(type) {
	case scs.IterableCtxStore:
		all, err = s.AllCtx(ctx)
	case scs.IterableStore:
		all, err = s.All()
	default:
		return 0, ErrNotIterable
	}
	if err != nil {
		return 0, fmt.Errorf("sessions: list sessions: %w", err)
	}
	now := m.now()
	n := 0
	for key, b := range all {
		if strings.HasPrefix(key, markerPrefix) {
			continue
		}
		deadline, values, err := m.scs.Codec.Decode(b)
		if err != nil || now.After(deadline) {
			continue
		}
		// An idle session is not active, though a store may still list it
		// until cleanup has run (its record expires at the idle timeout).
		if seen, _ := values[keyLastSeen].(int64); seen != 0 && now.Sub(time.Unix(0, seen)) >= m.idle {
			continue
		}
		if id, _ := values[keyUserID].(int64); id != 0 {
			n++
		}
	}
	return n, nil
}
