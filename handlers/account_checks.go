package handlers

import (
	"sync"
	"time"
)

// accountRecheck is how long an account found enabled is taken as enabled without asking the
// database again. A chart is six requests at once (page and sections), and asking for each one
// cost 3–7 % of the server's CPU per chart (`web bench`, 50 clients, 03:36 UTC 2026-11-23). A
// `web staff disable` still ends the account's sessions within this time.
const accountRecheck = 2 * time.Second

// accountChecks remembers when each account was last found enabled (requireUser). Only enabled
// accounts are remembered: a disabled one is signed out at once and asks again next time.
type accountChecks struct {
	now func() time.Time
	mu  sync.Mutex
	ok  map[int64]time.Time // account id → when it was found enabled
}

func newAccountChecks(now func() time.Time) *accountChecks {
	return &accountChecks{now: now, ok: map[int64]time.Time{}}
}

// fresh reports whether account id was found enabled less than accountRecheck ago.
func (a *accountChecks) fresh(id int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.ok[id]
	return ok && a.now().Sub(at) < accountRecheck
}

// enabled records that account id was just found enabled. Stale entries go once the map holds
// more than a busy hospital's signed-in staff, so it never grows with time.
func (a *accountChecks) enabled(id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if len(a.ok) >= 4096 {
		for k, at := range a.ok {
			if now.Sub(at) >= accountRecheck {
				delete(a.ok, k)
			}
		}
	}
	a.ok[id] = now
}
