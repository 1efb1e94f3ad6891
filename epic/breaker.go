package epic

import (
	"sync"
	"time"
)

// breaker is a consecutive-failure circuit breaker. After threshold failures in a row it refuses
// requests for cooldown, then lets one probe through: success closes it, failure re-opens it.
// It exists so that an Epic outage makes the dashboard fail fast instead of stacking up requests
// that each wait for the timeout. The client keeps one per FHIR resource type (Client.breakerFor),
// so the outage of one resource pauses only its own requests.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
	opened    uint64 // times it went from closed to open (a failed probe keeps it open, not counted)
}

// allow reports whether a request may be sent. In the half-open state only one probe is let
// through until its result is reported.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return true
	}
	if b.now().Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true
	return true
}

// success records an answer that shows Epic is up (any 2xx or 4xx except 429).
func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures, b.probing = 0, false
}

// failure records an Epic failure: 5xx, timeout, connection error, garbage response.
func (b *breaker) failure() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	b.probing = false
	if b.failures == b.threshold {
		b.opened++
	}
	if b.failures >= b.threshold {
		b.openUntil = b.now().Add(b.cooldown)
	}
}

// neutral records a result that says nothing about Epic's health (the caller cancelled, 429).
func (b *breaker) neutral() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
}

// state reports whether the breaker is open (refusing requests, or letting its one probe through
// after the cooldown: not closed until a request succeeds) and how many times it has opened.
func (b *breaker) state() (open bool, opened uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures >= b.threshold, b.opened
}
