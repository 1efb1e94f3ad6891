package staff_test

import (
	"context"
	"testing"
	"time"

	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/staff"
)

// TestSessionsValidAfter: a password reset and a disable end the account's open sessions by
// setting SessionsValidAfter to that moment; Enable and EnsureDemo (run at every start) leave it
// as it was, and another account's reset does not touch it.
func TestSessionsValidAfter(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		s := newStore(t, tg.Open(t), c)
		alice, err := s.Add(ctx, "alice", goodPassword, staff.RoleClinician)
		if err != nil {
			t.Fatal(err)
		}
		bob, err := s.Add(ctx, "bob", goodPassword, staff.RoleClinician)
		if err != nil {
			t.Fatal(err)
		}
		validAfter := func(id int64) time.Time {
			t.Helper()
			a, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return a.SessionsValidAfter
		}
		if got := validAfter(alice.ID); !got.IsZero() {
			t.Errorf("new account: SessionsValidAfter = %v, want zero", got)
		}

		c.advance(time.Minute)
		if err := s.Disable(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		disabledAt := c.now()
		if got := validAfter(alice.ID); !got.Equal(disabledAt) {
			t.Errorf("after Disable: SessionsValidAfter = %v, want %v", got, disabledAt)
		}

		c.advance(time.Minute)
		if err := s.Enable(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if got := validAfter(alice.ID); !got.Equal(disabledAt) {
			t.Errorf("after Enable: SessionsValidAfter = %v, want %v (unchanged)", got, disabledAt)
		}

		c.advance(time.Minute)
		if err := s.ResetPassword(ctx, "alice", "a brand new passphrase"); err != nil {
			t.Fatal(err)
		}
		resetAt := c.now()
		if got := validAfter(alice.ID); !got.Equal(resetAt) {
			t.Errorf("after ResetPassword: SessionsValidAfter = %v, want %v", got, resetAt)
		}
		if got := validAfter(bob.ID); !got.IsZero() {
			t.Errorf("bob after alice's reset and disable: SessionsValidAfter = %v, want zero", got)
		}
		if list, err := s.List(ctx); err != nil || len(list) != 2 || !list[0].SessionsValidAfter.Equal(resetAt) {
			t.Errorf("List = %+v, %v; want alice first with SessionsValidAfter %v", list, err, resetAt)
		}

		// The demo account: EnsureDemo never sets it, and leaves a reset's value alone.
		if err := s.EnsureDemo(ctx); err != nil {
			t.Fatal(err)
		}
		c.advance(time.Minute)
		if err := s.EnsureDemo(ctx); err != nil {
			t.Fatal(err)
		}
		demo, err := s.Authenticate(ctx, staff.DemoUsername, staff.DemoPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := validAfter(demo.ID); !got.IsZero() {
			t.Errorf("demo after EnsureDemo: SessionsValidAfter = %v, want zero", got)
		}
		c.advance(time.Minute)
		if err := s.Disable(ctx, staff.DemoUsername); err != nil {
			t.Fatal(err)
		}
		demoDisabledAt := c.now()
		c.advance(time.Minute)
		if err := s.EnsureDemo(ctx); err != nil {
			t.Fatal(err)
		}
		if got := validAfter(demo.ID); !got.Equal(demoDisabledAt) {
			t.Errorf("demo repaired by EnsureDemo: SessionsValidAfter = %v, want %v (unchanged)", got, demoDisabledAt)
		}
	})
}
