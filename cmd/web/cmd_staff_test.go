package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/staff"
)

// cliFixture is a staff store and audit trail on a fresh database.
type cliFixture struct {
	store *staff.Store
	trail *audit.Log
}

func newCLIFixture(t *testing.T, tg dbtest.Target) cliFixture {
	t.Helper()
	d := tg.Open(t)
	// Cheap argon2id keeps the test fast; the CLI uses the production cost.
	cheap := staff.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	return cliFixture{store: staff.NewStore(d, time.Now, staff.WithHashParams(cheap)), trail: audit.New(d, time.Now)}
}

// staff runs `web staff args…` with the given stdin.
func (f cliFixture) staff(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runStaff(context.Background(), f.store, f.trail, args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func (f cliFixture) accountChanges(t *testing.T) []string {
	t.Helper()
	recs, err := f.trail.Query(context.Background(), audit.Filter{Action: audit.ActionAccountChange})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		r := recs[i]
		if r.Username != "cli" {
			t.Errorf("account change recorded as %q, want cli", r.Username)
		}
		out = append(out, r.Outcome+": "+r.Detail)
	}
	return out
}

func isUsage(err error) bool {
	var ue *usageError
	return errors.As(err, &ue)
}

func TestStaffCLI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		f := newCLIFixture(t, tg)
		const pw = "first password here"

		out, _, err := f.staff(t, pw+"\n", "add", "--username", "Alice", "--role", "admin", "--password-stdin")
		if err != nil || !strings.Contains(out, "added alice (admin") {
			t.Fatalf("add: out %q, err %v", out, err)
		}
		// A password piped without a final newline is read too.
		if _, _, err := f.staff(t, "bob's password!", "add", "--password-stdin", "--username=bob", "--role=clinician"); err != nil {
			t.Fatalf("add bob: %v", err)
		}

		out, _, err = f.staff(t, "", "list")
		if err != nil {
			t.Fatal(err)
		}
		// Tab-separated as --help says: a script splitting on tabs gets five fields a line.
		var rows [][]string
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			rows = append(rows, strings.Split(line, "\t"))
		}
		if len(rows) != 3 || strings.Join(rows[0], "|") != "USERNAME|ROLE|STATUS|CREATED|LAST SIGN-IN" ||
			len(rows[1]) != 5 || rows[1][0] != "alice" || rows[1][1] != "admin" || rows[1][2] != "active" ||
			len(rows[2]) != 5 || rows[2][0] != "bob" || rows[2][4] != "never" {
			t.Errorf("list output, split on tabs: %q", rows)
		}

		if _, err := f.store.Authenticate(ctx, "alice", pw, ""); err != nil {
			t.Errorf("alice cannot sign in with the piped password: %v", err)
		}
		if _, err := f.store.Authenticate(ctx, "bob", "bob's password!", ""); err != nil {
			t.Errorf("bob cannot sign in: %v", err)
		}
		if _, _, err := f.staff(t, "", "disable", "bob"); err != nil {
			t.Fatal(err)
		}
		if out, _, _ := f.staff(t, "", "list"); !strings.Contains(out, "disabled") {
			t.Errorf("list after disable:\n%s", out)
		}
		if _, err := f.store.Authenticate(ctx, "bob", "bob's password!", ""); !errors.Is(err, staff.ErrInvalidCredentials) {
			t.Errorf("disabled bob signs in: %v", err)
		}
		if _, _, err := f.staff(t, "", "enable", "bob"); err != nil {
			t.Fatal(err)
		}

		// Flags may follow the positional username; CRLF line endings are trimmed.
		if _, _, err := f.staff(t, "second password here\r\n", "reset-password", "alice", "--password-stdin"); err != nil {
			t.Fatalf("reset-password: %v", err)
		}
		if _, err := f.store.Authenticate(ctx, "alice", "second password here", ""); err != nil {
			t.Errorf("new password rejected: %v", err)
		}

		// Lowering alice's role ends her open sessions: a session keeps the role it signed in with.
		before, _ := f.store.Authenticate(ctx, "alice", "second password here", "")
		out, _, err = f.staff(t, "", "set-role", "alice", "clinician")
		if err != nil || out != "alice is now clinician (was admin); their open sessions are ended\n" {
			t.Errorf("set-role: out %q, err %v", out, err)
		}
		after, err := f.store.Get(ctx, before.ID)
		if err != nil || after.Role != staff.RoleClinician || after.SessionsValidAfter.IsZero() || after.SessionsValidAfter.Before(before.SessionsValidAfter) {
			t.Errorf("after set-role: %+v, %v; want clinician with sessions ended", after, err)
		}
		if out, _, err := f.staff(t, "", "set-role", "alice", "Clinician"); err != nil || !strings.Contains(out, "already clinician") {
			t.Errorf("set-role to the same role: out %q, err %v", out, err)
		}
		if _, _, err := f.staff(t, "", "set-role", "nobody", "admin"); !errors.Is(err, staff.ErrNotFound) {
			t.Errorf("set-role unknown: err = %v, want ErrNotFound", err)
		}

		_, _, err = f.staff(t, "short\n", "add", "--username", "carol", "--role", "clinician", "--password-stdin")
		if !errors.Is(err, staff.ErrWeakPassword) {
			t.Errorf("weak password: err = %v, want ErrWeakPassword", err)
		}
		_, _, err = f.staff(t, pw+"\n", "add", "--username", "alice", "--role", "clinician", "--password-stdin")
		if !errors.Is(err, staff.ErrExists) {
			t.Errorf("duplicate: err = %v, want ErrExists", err)
		}
		if _, _, err := f.staff(t, "", "disable", "nobody"); !errors.Is(err, staff.ErrNotFound) {
			t.Errorf("disable unknown: err = %v, want ErrNotFound", err)
		}

		want := []string{
			"ok: staff add username=alice role=admin",
			"ok: staff add username=bob role=clinician",
			"ok: staff disable username=bob",
			"ok: staff enable username=bob",
			"ok: staff reset-password username=alice",
			"ok: staff set-role username=alice role=clinician previous=admin",
			"ok: staff set-role username=alice role=clinician previous=clinician",
			"failed: staff set-role username=nobody role=admin",
			"failed: staff add username=carol role=clinician",
			"failed: staff add username=alice role=clinician",
			"failed: staff disable username=nobody",
		}
		got := f.accountChanges(t)
		if len(got) != len(want) {
			t.Fatalf("audit records:\n%s\nwant %d records", strings.Join(got, "\n"), len(want))
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("audit record %d = %q, want prefix %q", i, got[i], want[i])
			}
			for _, secret := range []string{pw, "second password here", "bob's password!", "short"} {
				if strings.Contains(got[i], secret) {
					t.Errorf("audit record %d contains a password: %q", i, got[i])
				}
			}
		}
	})
}

func TestStaffCLIUsageErrors(t *testing.T) {
	f := newCLIFixture(t, dbtest.SQLite(t))
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"no command", "", nil},
		{"unknown command", "", []string{"delete", "alice"}},
		{"add without role", "a long password\n", []string{"add", "--username", "x", "--password-stdin"}},
		{"add bad role", "a long password\n", []string{"add", "--username", "x", "--role", "root", "--password-stdin"}},
		{"add unknown flag", "", []string{"add", "--admin"}},
		// stdin is not a terminal: no prompt, a clear error instead.
		{"add without password source", "a long password\n", []string{"add", "--username", "x", "--role", "admin"}},
		{"reset without password source", "", []string{"reset-password", "x"}},
		{"disable without username", "", []string{"disable"}},
		{"disable two usernames", "", []string{"disable", "a", "b"}},
		{"list with argument", "", []string{"list", "all"}},
		{"set-role without role", "", []string{"set-role", "alice"}},
		{"set-role bad role", "", []string{"set-role", "alice", "root"}},
		{"set-role the demo account", "", []string{"set-role", "demo", "admin"}},
		// The sandbox's demo account (published password) is not for people.
		{"add the demo username", "a long password\n", []string{"add", "--username", "Demo", "--role", "clinician", "--password-stdin"}},
	}
	for _, tt := range tests {
		_, stderr, err := f.staff(t, tt.stdin, tt.args...)
		if !isUsage(err) {
			t.Errorf("%s: err = %v, want a usage error", tt.name, err)
		}
		if strings.Contains(strings.ToLower(stderr), "password:") {
			t.Errorf("%s: prompted for a password with stdin not a terminal: %q", tt.name, stderr)
		}
	}
	if accounts, err := f.store.List(context.Background()); err != nil || len(accounts) != 0 {
		t.Errorf("accounts after usage errors: %v, %v; want none", accounts, err)
	}
}

func TestStaffCLIEmptyStdin(t *testing.T) {
	f := newCLIFixture(t, dbtest.SQLite(t))
	for _, stdin := range []string{"", "\n"} {
		_, _, err := f.staff(t, stdin, "add", "--username", "x", "--role", "admin", "--password-stdin")
		if err == nil || !strings.Contains(err.Error(), "password-stdin") {
			t.Errorf("stdin %q: err = %v, want a --password-stdin error", stdin, err)
		}
	}
}
