package epic

import (
	"context"
	"errors"
	"time"
)

// tokenCheckWait is the longest CheckToken waits for a token exchange. A health check must answer
// quickly (/readyz gives each check 800 ms, inside HAProxy's 1 s "timeout check"), and Epic answers a token request in
// well under this when it is up; a slower exchange goes on in the background and a later check
// reports its result.
const tokenCheckWait = 500 * time.Millisecond

// errTokenPending is CheckToken's state before any token exchange has finished.
var errTokenPending = errors.New("epic: token: no token exchange has finished yet (one is running)")

// CheckToken reports whether Chartside can get an access token from Epic, for /readyz and the
// token metric, and keeps that answer current without any user request. While a valid token is
// cached it is nil and sends nothing. Otherwise, when no exchange has started for
// TokenCheckInterval (or none ever has), it starts one, the same one user requests share; it waits
// for the exchange it started, or for one already running, until ctx ends or for tokenCheckWait,
// whichever comes first. The result is the last finished exchange's error (nil on success), or
// errTokenPending before the first has finished.
//
// Why it exchanges itself: the state used to be only what the last user request had found, so
// after a token outage a replica with no traffic reported the failure until someone used it, and a
// replica that had never exchanged reported "ok" whatever Epic did. The interval bounds what
// health checks cost Epic: at most one exchange per interval however many probes and scrapes
// arrive, and none while user requests keep exchanging anyway.
func (c *Client) CheckToken(ctx context.Context) error {
	c.mu.Lock()
	now := c.now()
	if c.token != "" && now.Before(c.tokenUntil) {
		c.mu.Unlock()
		return nil
	}
	running := c.tokenRunning
	due := running == nil && (c.tokenTried.IsZero() || now.Sub(c.tokenTried) >= c.cfg.TokenCheckInterval)
	if due {
		c.tokenTried = now // claimed here, so concurrent checks do not start a second exchange
	}
	c.mu.Unlock()

	switch {
	case due:
		waitAtMost(ctx, c.joinExchange(ctx), tokenCheckWait)
	case running != nil:
		waitAtMost(ctx, running, tokenCheckWait)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.tokenDone {
		return errTokenPending
	}
	return c.tokenErr
}

// waitAtMost waits for ch to deliver or close, for ctx to end or for d, whichever comes first.
func waitAtMost[T any](ctx context.Context, ch <-chan T, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
}
