package staff_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/staff"
)

// TestThrottleIgnoresAttemptOrder: an attempt that read the clock before another attempt from the
// same address or for the same account was counted (concurrent sign-ins: the time is read before
// the database lock is taken) must not be refused while nothing is throttled. The soak run found
// correct concurrent sign-ins answered 429 with a Retry-After of one second.
func TestThrottleIgnoresAttemptOrder(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		s := newStore(t, tg.Open(t), c)
		for _, name := range []string{"alice", "bob"} {
			if _, err := s.Add(ctx, name, goodPassword, staff.RoleClinician); err != nil {
				t.Fatal(err)
			}
		}
		// alice signs in; bob's attempt, from the same ward address, read the clock 5 ms earlier.
		if _, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.0.7"); err != nil {
			t.Fatalf("alice: %v", err)
		}
		c.advance(-5 * time.Millisecond)
		if _, err := s.Authenticate(ctx, "bob", goodPassword, "10.0.0.7"); err != nil {
			t.Errorf("bob, same address, earlier clock reading: %v (want a sign-in: nothing is throttled)", err)
		}
		// The same for one account signing in from two tabs.
		c.advance(-5 * time.Millisecond)
		if _, err := s.Authenticate(ctx, "bob", goodPassword, "10.0.0.8"); err != nil {
			t.Errorf("bob again, earlier clock reading: %v", err)
		}
	})
}

// TestConcurrentSignInsOneAccount: correct sign-ins of one account from one address, four at a
// time (under the account's free failures: attempts are counted before the password is checked,
// by design), all succeed. On PostgreSQL a successful attempt deleting the account's throttle row while
// another attempt was between its insert and its locking read used to fail that attempt ("no rows",
// a 500 at sign-in; found by the soak run). The race is timing-dependent: this test makes it likely,
// not certain.
func TestConcurrentSignInsOneAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		s := staff.NewStore(tg.Open(t), time.Now, staff.WithHashParams(cheap))
		if _, err := s.Add(ctx, "alice", goodPassword, staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		const workers, each = 4, 50
		errs := make(chan error, workers*each)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					if _, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.0.9"); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent correct sign-in: %v", err)
		}
	})
}
