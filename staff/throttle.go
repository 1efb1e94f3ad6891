package staff

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// ThrottlePolicy says how failed sign-ins slow down further attempts for one
// key (an account or a client address).
type ThrottlePolicy struct {
	// FreeFailures may happen before any delay.
	FreeFailures int
	// BaseDelay is the wait after failure number FreeFailures; each further
	// failure doubles it, up to MaxDelay.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// LockFailures failures within Window lock the key for LockDuration.
	LockFailures int
	Window       time.Duration
	LockDuration time.Duration
}

// DefaultAccountPolicy: 5 failures, then 1 s, 2 s, 4 s … (at most 5 min)
// between attempts; 20 failures within an hour lock the account for 15 min.
func DefaultAccountPolicy() ThrottlePolicy {
	return ThrottlePolicy{FreeFailures: 5, BaseDelay: time.Second, MaxDelay: 5 * time.Minute,
		LockFailures: 20, Window: time.Hour, LockDuration: 15 * time.Minute}
}

// DefaultAddressPolicy is looser than the account policy because one address
// often stands for many people: a ward kiosk, a NAT gateway, a proxy. It
// exists to stop one client spraying guesses across many usernames.
func DefaultAddressPolicy() ThrottlePolicy {
	return ThrottlePolicy{FreeFailures: 20, BaseDelay: time.Second, MaxDelay: time.Minute,
		LockFailures: 100, Window: time.Hour, LockDuration: 15 * time.Minute}
}

// wait is how long after the last failure the next attempt must wait, given
// the failures counted in the current window.
func (p ThrottlePolicy) wait(failures int) time.Duration {
	switch {
	case failures < p.FreeFailures:
		return 0
	case failures >= p.LockFailures:
		return p.LockDuration
	}
	d := p.BaseDelay
	for i := p.FreeFailures; i < failures && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}

// horizon is how long after its last failure a counter can matter.
func (p ThrottlePolicy) horizon() time.Duration {
	return p.Window + max(p.LockDuration, p.MaxDelay)
}

// ThrottledError refuses a sign-in attempt without checking the password.
// It matches ErrThrottled with errors.Is.
type ThrottledError struct {
	RetryAfter time.Duration // whole seconds, at least 1 s
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("staff: too many failed sign-in attempts; retry after %s", e.RetryAfter)
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// Throttle scopes, as stored.
const (
	scopeAccount = "account"
	scopeAddress = "address"
)

// throttleKey identifies one counter. The key is hashed before storage so
// that a password typed into the username box is not kept in clear.
type throttleKey struct {
	scope  string
	hash   string
	policy ThrottlePolicy
}

func (s *Store) keys(name, clientAddr string) []throttleKey {
	keys := []throttleKey{{scopeAccount, keyHash(scopeAccount, name), s.account}}
	// Without a client address (not resolvable through trusted proxies) the
	// account counter still applies; lumping all unknown clients into one
	// counter would let one guesser lock everyone out.
	if clientAddr != "" {
		keys = append(keys, throttleKey{scopeAddress, keyHash(scopeAddress, clientAddr), s.address})
	}
	return keys
}

func keyHash(scope, key string) string {
	sum := sha256.Sum256([]byte(scope + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// counter is one row of login_throttle.
type counter struct {
	failures    int
	windowStart int64 // unix ms
	lastFailure int64 // unix ms
}

// begin admits an attempt or refuses it with *ThrottledError. An admitted
// attempt is counted as a failure straight away, in the same transaction as
// the check, so parallel guesses (even on different replicas) cannot all
// slip through before any of them is counted; a success then takes it back.
func (s *Store) begin(ctx context.Context, keys []throttleKey) (err error) {
	now := s.now()
	nowMS := now.UnixMilli()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("staff: throttle: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	// The upsert below locks each key's row (on PostgreSQL; SQLite's transaction holds the
	// database's write lock), which serialises attempts on the same key across replicas; keys are
	// always taken account-then-address, so no deadlock.
	counters := make([]counter, len(keys))
	var retry time.Duration
	for i, k := range keys {
		// One statement creates the counter or locks the existing one and reads it. (An insert
		// followed by a locking read raced on PostgreSQL: a concurrent successful sign-in could
		// delete the row in between, and the read found nothing: a 500 at sign-in.)
		var c counter
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO login_throttle
			(scope, key_hash, failures, window_start, last_failure) VALUES (?, ?, 0, ?, 0)
			ON CONFLICT (scope, key_hash) DO UPDATE SET failures = login_throttle.failures
			RETURNING failures, window_start, last_failure`), k.scope, k.hash, nowMS).
			Scan(&c.failures, &c.windowStart, &c.lastFailure); err != nil {
			return fmt.Errorf("staff: throttle: read: %w", err)
		}
		// Only a real delay can refuse: with none due, a last_failure later than now is just a
		// concurrent attempt that took the lock first (now is read before the lock).
		wait := k.policy.wait(c.failures)
		if until := time.UnixMilli(c.lastFailure).Add(wait); wait > 0 && now.Before(until) {
			retry = max(retry, until.Sub(now))
			continue
		}
		// The window only restarts once nothing is pending, so a lock taken
		// near the end of a window still lasts its full duration.
		if now.Sub(time.UnixMilli(c.windowStart)) >= k.policy.Window {
			c = counter{windowStart: nowMS}
		}
		counters[i] = c
	}
	if retry > 0 {
		_ = tx.Rollback()
		return &ThrottledError{RetryAfter: (retry + time.Second - 1).Truncate(time.Second)}
	}
	var horizon time.Duration
	for i, k := range keys {
		c := counters[i]
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE login_throttle
			SET failures = ?, window_start = ?, last_failure = ? WHERE scope = ? AND key_hash = ?`),
			c.failures+1, c.windowStart, nowMS, k.scope, k.hash); err != nil {
			return fmt.Errorf("staff: throttle: count attempt: %w", err)
		}
		horizon = max(horizon, k.policy.horizon())
	}
	// Counters idle past every policy's horizon behave like absent rows;
	// dropping them keeps the table small.
	cutoff := now.Add(-max(horizon, s.account.horizon(), s.address.horizon())).UnixMilli()
	if _, err := tx.ExecContext(ctx, s.db.Rebind("DELETE FROM login_throttle WHERE last_failure < ?"), cutoff); err != nil {
		return fmt.Errorf("staff: throttle: prune: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("staff: throttle: commit: %w", err)
	}
	return nil
}

// succeed takes back the attempt begin counted: the account's counter is
// cleared, the address's is decremented (other people's failures from the
// same address still count).
func (s *Store) succeed(ctx context.Context, keys []throttleKey) error {
	for _, k := range keys {
		var err error
		if k.scope == scopeAccount {
			_, err = s.db.ExecContext(ctx, s.db.Rebind("DELETE FROM login_throttle WHERE scope = ? AND key_hash = ?"), k.scope, k.hash)
		} else {
			_, err = s.db.ExecContext(ctx, s.db.Rebind(`UPDATE login_throttle
				SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END
				WHERE scope = ? AND key_hash = ?`), k.scope, k.hash)
		}
		if err != nil {
			return fmt.Errorf("staff: throttle: reset: %w", err)
		}
	}
	return nil
}

func (s *Store) clearAccountThrottle(ctx context.Context, name string) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind("DELETE FROM login_throttle WHERE scope = ? AND key_hash = ?"),
		scopeAccount, keyHash(scopeAccount, name))
	return err
}
