package handlers

import (
	"sync"
	"time"
)

// accountRecheck is how long an account found enabled is taken as enabled without asking the
// database again. A chart is six requests at once (page and sections), and asking for each one
// cost 3–7 % of the server's CPU per chart (`web bench`, 50 clients, 03:36 UTC 2026-11-23). A
// `web staff disable` or `reset-password` still ends the account's sessions within this time.
const accountRecheck = 2 * time.Second

// accountChecks remembers, for each account last found enabled (requireUser), when that was and
// the account's SessionsValidAfter, so a remembered answer still ends a session signed in before
// a reset. Only enabled accounts are remembered: a disabled one is signed out at once and asks
// again next time.
type accountChecks struct {
	now func() time.Time
	mu  sync.Mutex
	ok  map[int64]accountCheck // account id → the last time it was found enabled
}

// accountCheck is one remembered answer.
type accountCheck struct {
	at         time.Time // when the account was found enabled
	validAfter time.Time // its SessionsValidAfter then (zero when never set)
}

func newAccountChecks(now func() time.Time) *accountChecks {
	return &accountChecks{now: now, ok: map[int64]accountCheck{}}
}

// fresh reports whether account id was found enabled less than accountRecheck ago, and its
// SessionsValidAfter at the time.
func (a *accountChecks) fresh(id int64) (validAfter time.Time, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.ok[id]
	if !ok || a.now().Sub(c.at) >= accountRecheck {
		return time.Time{}, false
	}
	return c.validAfter, true
}

// enabled records that account id was just found enabled, with its SessionsValidAfter. Stale
// entries go once the map holds more than a busy hospital's signed-in staff, so it never grows
// with time.
func (a *accountChecks) enabled(id int64, validAfter time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if len(a.ok) >= 4096 {
		for k, c := range a.ok {
			if now.Sub(c.at) >= accountRecheck {
				delete(a.ok, k)
			}
		}
	}
	a.ok[id] = accountCheck{at: now, validAfter: validAfter}
}
