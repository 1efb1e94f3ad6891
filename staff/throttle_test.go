package staff_test

// Sign-in throttling: increasing delays, locks, per-address counters, shared across replicas.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/staff"
)

func isThrottled(err error) (time.Duration, bool) {
	var te *staff.ThrottledError
	if errors.As(err, &te) && errors.Is(err, staff.ErrThrottled) {
		return te.RetryAfter, true
	}
	return 0, false
}

// After five failures each attempt must wait longer; a success clears it.
func TestThrottleIncreasingDelay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		s := newStore(t, tg.Open(t), c)
		if _, err := s.Add(ctx, "alice", goodPassword, staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 5; i++ {
			if _, err := s.Authenticate(ctx, "alice", "wrong password!", "10.0.0.1"); err != staff.ErrInvalidCredentials {
				t.Fatalf("failure %d: error = %v, want ErrInvalidCredentials", i, err)
			}
		}
		for _, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
			// Even the right password is refused while waiting.
			_, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.0.1")
			got, ok := isThrottled(err)
			if !ok || got != want {
				t.Fatalf("during delay: error = %v, want ThrottledError{%v}", err, want)
			}
			c.advance(want - time.Millisecond)
			if _, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.0.1"); !errors.Is(err, staff.ErrThrottled) {
				t.Fatalf("1 ms before the delay ends: error = %v, want throttled", err)
			}
			c.advance(time.Millisecond)
			if _, err := s.Authenticate(ctx, "alice", "wrong password!", "10.0.0.1"); err != staff.ErrInvalidCredentials {
				t.Fatalf("after the delay: error = %v, want ErrInvalidCredentials", err)
			}
		}
		c.advance(8 * time.Second)
		if _, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.0.1"); err != nil {
			t.Fatalf("right password after delay: %v", err)
		}
		// The success cleared the account counter: five fresh failures are free.
		for i := 1; i <= 5; i++ {
			if _, err := s.Authenticate(ctx, "alice", "wrong password!", "10.0.0.1"); err != staff.ErrInvalidCredentials {
				t.Fatalf("after success, failure %d: error = %v", i, err)
			}
		}
	})
}

// 20 failures within an hour lock the account for 15 minutes; the lock expires.
func TestThrottleLockAndExpiry(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		s := newStore(t, tg.Open(t), c)
		if _, err := s.Add(ctx, "alice", goodPassword, staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		// Make 20 failures as fast as the increasing delay allows, from
		// different addresses so only the account counter matters.
		start := c.now()
		for failures := 0; failures < 20; {
			_, err := s.Authenticate(ctx, "alice", "wrong password!", fmt.Sprintf("10.0.1.%d", failures))
			if wait, ok := isThrottled(err); ok {
				c.advance(wait)
				continue
			}
			if err != staff.ErrInvalidCredentials {
				t.Fatalf("failure %d: error = %v", failures+1, err)
			}
			failures++
		}
		if elapsed := c.now().Sub(start); elapsed >= time.Hour {
			t.Fatalf("20 failures took %v, want within the hour window", elapsed)
		}
		_, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.2.1")
		if got, ok := isThrottled(err); !ok || got != 15*time.Minute {
			t.Fatalf("after 20 failures: error = %v, want ThrottledError{15m}", err)
		}
		c.advance(15*time.Minute - time.Second)
		if _, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.2.1"); !errors.Is(err, staff.ErrThrottled) {
			t.Fatalf("just before lock expiry: error = %v, want throttled", err)
		}
		c.advance(time.Second)
		if _, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.2.1"); err != nil {
			t.Fatalf("after lock expiry: %v", err)
		}
	})
}

// Failures for many usernames from one address throttle that address only.
func TestThrottlePerAddress(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		addr := staff.ThrottlePolicy{FreeFailures: 3, BaseDelay: time.Second, MaxDelay: time.Minute,
			LockFailures: 10, Window: time.Hour, LockDuration: 15 * time.Minute}
		s := newStore(t, tg.Open(t), c, staff.WithThrottle(staff.DefaultAccountPolicy(), addr))
		if _, err := s.Add(ctx, "alice", goodPassword, staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if _, err := s.Authenticate(ctx, fmt.Sprintf("guess%d", i), "password spray", "198.51.100.9"); err != staff.ErrInvalidCredentials {
				t.Fatalf("spray %d: %v", i, err)
			}
		}
		if _, err := s.Authenticate(ctx, "alice", goodPassword, "198.51.100.9"); !errors.Is(err, staff.ErrThrottled) {
			t.Errorf("same address: error = %v, want throttled", err)
		}
		if _, err := s.Authenticate(ctx, "alice", goodPassword, "198.51.100.10"); err != nil {
			t.Errorf("other address: %v", err)
		}
	})
}

// Counters live in the database: failures through one replica throttle
// attempts through another.
func TestThrottleSharedAcrossReplicas(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		a, b := newStore(t, tg.Open(t), c), newStore(t, tg.Open(t), c)
		if _, err := a.Add(ctx, "alice", goodPassword, staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			store := []*staff.Store{a, b}[i%2]
			if _, err := store.Authenticate(ctx, "alice", "wrong password!", ""); err != staff.ErrInvalidCredentials {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		for _, store := range []*staff.Store{a, b} {
			if _, err := store.Authenticate(ctx, "alice", goodPassword, ""); !errors.Is(err, staff.ErrThrottled) {
				t.Errorf("after 5 failures across replicas: error = %v, want throttled", err)
			}
		}
	})
}

// Parallel guesses at the same instant cannot exceed the free failures:
// each attempt is counted in the same transaction that admits it.
func TestThrottleParallelGuesses(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		stores := []*staff.Store{newStore(t, tg.Open(t), c), newStore(t, tg.Open(t), c)}
		if _, err := stores[0].Add(ctx, "alice", goodPassword, staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		const attempts = 12
		var (
			wg                 sync.WaitGroup
			mu                 sync.Mutex
			checked, throttled int
			unexpected         []error
		)
		for i := 0; i < attempts; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := stores[i%2].Authenticate(ctx, "alice", "wrong password!", "")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == staff.ErrInvalidCredentials:
					checked++
				case errors.Is(err, staff.ErrThrottled):
					throttled++
				default:
					unexpected = append(unexpected, err)
				}
			}()
		}
		wg.Wait()
		if len(unexpected) > 0 {
			t.Fatalf("unexpected errors: %v", unexpected)
		}
		if checked != 5 || throttled != attempts-5 {
			t.Errorf("passwords checked = %d, throttled = %d; want 5 and %d", checked, throttled, attempts-5)
		}
	})
}

// Unknown usernames are throttled exactly like real ones, so throttling does
// not reveal which accounts exist.
func TestThrottleUnknownUserLikeKnown(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := newStore(t, dbtest.New(t, db.SQLite), c)
	if _, err := s.Add(ctx, "alice", goodPassword, staff.RoleClinician); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"alice", "nobody"} {
		var errs []string
		for i := 0; i < 7; i++ {
			_, err := s.Authenticate(ctx, user, "wrong password!", "")
			errs = append(errs, fmt.Sprint(err))
		}
		want := strings.Repeat(staff.ErrInvalidCredentials.Error()+" ", 5)
		if got := strings.Join(errs[:5], " ") + " "; got != want || !strings.Contains(errs[5], "retry after 1s") {
			t.Errorf("%s: errors %q", user, errs)
		}
	}
}
