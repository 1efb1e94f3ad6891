package sessions

import (
	"context"
	"sync"
	"time"
)

// How the idle timeout is kept without writing the session on every request.
//
// Each session holds the time of its last activity (keyLastSeen). A request
// refreshes it — saving the session to the store — only when it is at least
// one granularity old; every save, for whatever reason, stamps it too. So the
// page and the five sections of a chart view save the session at most once,
// and a clinician working steadily causes about one session write per
// granularity instead of one per request. The idle check on load compares
// against this stamp, which can be up to one granularity older than the
// user's latest request: a session is therefore signed out up to one
// granularity EARLY, never late. GuaranteedIdle is the time a browser may
// count on.

// maxGranularity caps how stale the last activity may get, however long the
// idle timeout.
const maxGranularity = time.Minute

// activityGranularity is how old the last activity must be before a request
// refreshes it: a twentieth of the idle timeout (45 s for the default 15 min,
// 9 s for a 3 min kiosk), at most a minute.
func activityGranularity(idle time.Duration) time.Duration {
	return min(idle/20, maxGranularity)
}

// lastActivity returns the session's last-activity stamp, or the zero time
// when it has none (a session saved by an older Chartside).
func (m *Manager) lastActivity(ctx context.Context) time.Time {
	ns := m.scs.GetInt64(ctx, keyLastSeen)
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// refreshes remembers when this process last saved each session, so that
// requests running in parallel (a chart's sections, loaded together) do not
// all refresh a session whose last activity crossed the granularity just
// before they arrived: the first claims the refresh, the others skip it.
// Losing this memory (a restart, a second instance) costs at most one more
// write per session, never correctness.
type refreshes struct {
	every time.Duration

	mu      sync.Mutex
	last    map[string]time.Time // by session token
	sweepAt int                  // prune when the map reaches this size
}

// minSweep keeps pruning rare for a hospital's worth of sessions.
const minSweep = 1024

func newRefreshes(every time.Duration) *refreshes {
	return &refreshes{every: every, last: make(map[string]time.Time), sweepAt: minSweep}
}

// claim reports whether the caller should refresh the session now: false
// when this process saved or began refreshing it less than a granularity ago.
func (r *refreshes) claim(token string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.last[token]; ok && now.Sub(t) < r.every {
		return false
	}
	r.note(token, now)
	return true
}

// saved records a successful save of the session at now.
func (r *refreshes) saved(token string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.note(token, now)
}

// forget drops a claim whose save failed, so the next request tries again.
func (r *refreshes) forget(token string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.last, token)
}

// note records now for token and, when the map has grown, forgets entries
// too old to stop a refresh anyway. Called with mu held.
func (r *refreshes) note(token string, now time.Time) {
	r.last[token] = now
	if len(r.last) < r.sweepAt {
		return
	}
	for tok, t := range r.last {
		if now.Sub(t) >= r.every {
			delete(r.last, tok)
		}
	}
	r.sweepAt = max(minSweep, 2*len(r.last))
}
