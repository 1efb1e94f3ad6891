package staff_test

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

// cheap keeps argon2id fast in tests; production uses DefaultHashParams.
var cheap = staff.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)} }

func newStore(t *testing.T, d *db.DB, c *clock, opts ...staff.Option) *staff.Store {
	t.Helper()
	return staff.NewStore(d, c.now, append([]staff.Option{staff.WithHashParams(cheap)}, opts...)...)
}

const goodPassword = "correct horse battery"

func TestDefaultHashParamsAreOWASP(t *testing.T) {
	want := staff.HashParams{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	if got := staff.DefaultHashParams(); got != want {
		t.Errorf("DefaultHashParams() = %+v, want %+v", got, want)
	}
}

func TestAddValidation(t *testing.T) {
	s := newStore(t, dbtest.New(t, db.SQLite), newClock())
	tests := []struct {
		name, username, password string
		role                     staff.Role
		want                     error
	}{
		{"ok", "alice", goodPassword, staff.RoleClinician, nil},
		{"twelve chars ok", "bob", "123456789012", staff.RoleAdmin, nil},
		{"eleven chars", "carol", "12345678901", staff.RoleClinician, staff.ErrWeakPassword},
		{"eleven runes in more bytes", "dave", "ééééééééééé", staff.RoleClinician, staff.ErrWeakPassword},
		{"twelve runes ok", "erin", "éééééééééééé", staff.RoleClinician, nil},
		{"too long", "frank", strings.Repeat("x", staff.MaxPasswordBytes+1), staff.RoleClinician, staff.ErrPasswordTooLong},
		{"empty username", "  ", goodPassword, staff.RoleClinician, staff.ErrInvalidUsername},
		{"space inside", "a b", goodPassword, staff.RoleClinician, staff.ErrInvalidUsername},
		{"starts with dot", ".x", goodPassword, staff.RoleClinician, staff.ErrInvalidUsername},
		{"reserved cli", "CLI", goodPassword, staff.RoleClinician, staff.ErrInvalidUsername},
		{"too long username", strings.Repeat("a", 65), goodPassword, staff.RoleClinician, staff.ErrInvalidUsername},
		{"email-like ok", "j.doe@ward-3", goodPassword, staff.RoleClinician, nil},
		{"bad role", "gina", goodPassword, staff.Role("root"), staff.ErrInvalidRole},
		{"role case", "hank", goodPassword, staff.Role("Admin"), staff.ErrInvalidRole},
		{"duplicate", "alice", goodPassword, staff.RoleAdmin, staff.ErrExists},
		{"duplicate other case", " ALICE ", goodPassword, staff.RoleAdmin, staff.ErrExists},
	}
	for _, tt := range tests {
		_, err := s.Add(context.Background(), tt.username, tt.password, tt.role)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Add error = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in   string
		want staff.Role
		err  error
	}{
		{"clinician", staff.RoleClinician, nil},
		{" Admin ", staff.RoleAdmin, nil},
		{"nurse", "", staff.ErrInvalidRole},
	}
	for _, tt := range tests {
		got, err := staff.ParseRole(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestAccountLifecycle(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		s := newStore(t, tg.Open(t), c)
		created, err := s.Add(ctx, "Alice", goodPassword, staff.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(ctx, "bob", "bob's long password", staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := staff.Account{ID: created.ID, Username: "alice", Role: staff.RoleAdmin, CreatedAt: c.now()}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Get = %+v, want %+v", got, want)
		}
		if _, err := s.Get(ctx, created.ID+1000); !errors.Is(err, staff.ErrNotFound) {
			t.Errorf("Get(unknown) error = %v, want ErrNotFound", err)
		}

		c.advance(time.Minute)
		acct, err := s.Authenticate(ctx, " ALICE", goodPassword, "10.0.0.1")
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		if acct.ID != created.ID || acct.LastSignIn == nil || !acct.LastSignIn.Equal(c.now()) {
			t.Errorf("Authenticate = %+v, want alice with LastSignIn %v", acct, c.now())
		}

		list, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range list {
			names = append(names, fmt.Sprintf("%s/%s/%v/%v", a.Username, a.Role, a.Disabled, a.LastSignIn != nil))
		}
		if want := "[alice/admin/false/true bob/clinician/false/false]"; fmt.Sprint(names) != want {
			t.Errorf("List = %v, want %v", names, want)
		}

		if err := s.Disable(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.0.1"); !errors.Is(err, staff.ErrInvalidCredentials) {
			t.Errorf("disabled Authenticate error = %v, want ErrInvalidCredentials", err)
		}
		if got, _ := s.Get(ctx, created.ID); !got.Disabled {
			t.Error("Get after Disable: Disabled = false")
		}
		if err := s.Enable(ctx, "alice"); err != nil {
			t.Fatal(err)
		}

		if err := s.ResetPassword(ctx, "alice", "short"); !errors.Is(err, staff.ErrWeakPassword) {
			t.Errorf("ResetPassword(short) = %v, want ErrWeakPassword", err)
		}
		if err := s.ResetPassword(ctx, "nobody", goodPassword); !errors.Is(err, staff.ErrNotFound) {
			t.Errorf("ResetPassword(unknown) = %v, want ErrNotFound", err)
		}
		if err := s.Disable(ctx, "nobody"); !errors.Is(err, staff.ErrNotFound) {
			t.Errorf("Disable(unknown) = %v, want ErrNotFound", err)
		}
		if err := s.ResetPassword(ctx, "alice", "a brand new passphrase"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "alice", goodPassword, "10.0.0.1"); !errors.Is(err, staff.ErrInvalidCredentials) {
			t.Errorf("old password error = %v, want ErrInvalidCredentials", err)
		}
		if _, err := s.Authenticate(ctx, "alice", "a brand new passphrase", "10.0.0.1"); err != nil {
			t.Errorf("new password: %v", err)
		}
	})
}

func TestAuthenticateGenericFailures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		s := newStore(t, tg.Open(t), newClock())
		if _, err := s.Add(ctx, "alice", goodPassword, staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(ctx, "off", goodPassword, staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		if err := s.Disable(ctx, "off"); err != nil {
			t.Fatal(err)
		}
		tests := []struct{ name, user, pw string }{
			{"wrong password", "alice", "not the password"},
			{"unknown user", "mallory", goodPassword},
			{"disabled", "off", goodPassword},
			{"invalid username", "a b", goodPassword},
			{"empty", "", ""},
			{"huge password", "alice", strings.Repeat("x", 5000)},
		}
		for _, tt := range tests {
			_, err := s.Authenticate(ctx, tt.user, tt.pw, "")
			if err != staff.ErrInvalidCredentials {
				t.Errorf("%s: error = %v, want exactly ErrInvalidCredentials", tt.name, err)
			}
		}
	})
}

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

func TestStaleHashUpgradedAtSignIn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t)
		c := newClock()
		old := newStore(t, d, c)
		if _, err := old.Add(ctx, "alice", goodPassword, staff.RoleClinician); err != nil {
			t.Fatal(err)
		}
		stronger := cheap
		stronger.Time = 3
		current := staff.NewStore(d, c.now, staff.WithHashParams(stronger))
		if _, err := current.Authenticate(ctx, "alice", goodPassword, ""); err != nil {
			t.Fatal(err)
		}
		var phc string
		if err := d.QueryRowContext(ctx, "SELECT password_hash FROM staff_accounts WHERE username = 'alice'").Scan(&phc); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=3,p=1$") {
			t.Errorf("hash after sign-in = %q, want upgraded to t=3", phc)
		}
		if _, err := current.Authenticate(ctx, "alice", goodPassword, ""); err != nil {
			t.Errorf("sign-in with upgraded hash: %v", err)
		}
	})
}

func TestDemoAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		s := newStore(t, tg.Open(t), newClock())
		for i := 0; i < 2; i++ {
			if err := s.EnsureDemo(ctx); err != nil {
				t.Fatalf("EnsureDemo #%d: %v", i+1, err)
			}
		}
		acct, err := s.Authenticate(ctx, staff.DemoUsername, staff.DemoPassword, "")
		if err != nil {
			t.Fatalf("demo sign-in: %v", err)
		}
		if acct.Role != staff.RoleClinician {
			t.Errorf("demo role = %q, want clinician", acct.Role)
		}
		// A tampered demo account is repaired.
		if err := s.ResetPassword(ctx, "demo", "something else entirely"); err != nil {
			t.Fatal(err)
		}
		if err := s.Disable(ctx, "demo"); err != nil {
			t.Fatal(err)
		}
		if err := s.EnsureDemo(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "demo", "chartside-demo", ""); err != nil {
			t.Errorf("demo sign-in after repair: %v", err)
		}
		for i := 0; i < 2; i++ {
			if err := s.RemoveDemo(ctx); err != nil {
				t.Fatalf("RemoveDemo #%d: %v", i+1, err)
			}
		}
		if _, err := s.Authenticate(ctx, "demo", "chartside-demo", ""); err != staff.ErrInvalidCredentials {
			t.Errorf("demo sign-in after RemoveDemo: error = %v, want ErrInvalidCredentials", err)
		}
		list, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("List after RemoveDemo = %v, want empty", list)
		}
	})
}
