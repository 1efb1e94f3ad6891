package staff_test

// Accounts: validation, lifecycle, generic sign-in failures, hash upgrade, the
// demo account; the helpers shared by the package's tests.

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
