package staff_test

import (
	"context"
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
