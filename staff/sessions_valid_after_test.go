package staff_test

import (
	"context"
	"errors"
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

// TestSetRole: a role change ends the account's open sessions (a session keeps the role it signed
// in with); setting the role it has changes nothing.
func TestSetRole(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		s := newStore(t, tg.Open(t), c)
		alice, err := s.Add(ctx, "alice", goodPassword, staff.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		c.advance(time.Minute)
		prev, err := s.SetRole(ctx, "Alice", staff.RoleClinician)
		if err != nil || prev != staff.RoleAdmin {
			t.Fatalf("SetRole = %q, %v; want admin, nil", prev, err)
		}
		a, err := s.Get(ctx, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		lowered := c.now()
		if a.Role != staff.RoleClinician || !a.SessionsValidAfter.Equal(lowered) {
			t.Errorf("after SetRole: role %q, SessionsValidAfter %v; want clinician, %v", a.Role, a.SessionsValidAfter, lowered)
		}
		c.advance(time.Minute)
		if prev, err := s.SetRole(ctx, "alice", staff.RoleClinician); err != nil || prev != staff.RoleClinician {
			t.Errorf("SetRole to the same role = %q, %v", prev, err)
		}
		if a, _ := s.Get(ctx, alice.ID); !a.SessionsValidAfter.Equal(lowered) {
			t.Errorf("same role: SessionsValidAfter = %v, want %v (unchanged)", a.SessionsValidAfter, lowered)
		}
		if _, err := s.SetRole(ctx, "nobody", staff.RoleAdmin); !errors.Is(err, staff.ErrNotFound) {
			t.Errorf("unknown account: %v, want ErrNotFound", err)
		}
		if _, err := s.SetRole(ctx, "alice", staff.Role("root")); !errors.Is(err, staff.ErrInvalidRole) {
			t.Errorf("bad role: %v, want ErrInvalidRole", err)
		}
	})
}
