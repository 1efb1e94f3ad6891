package staff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/chartside/chartside/db"
)

// Store keeps staff accounts and sign-in throttling counters in Chartside's
// database.
type Store struct {
	db      *db.DB
	now     func() time.Time
	params  HashParams
	account ThrottlePolicy
	address ThrottlePolicy
	slots   chan struct{}

	dummyMu sync.Mutex
	dummy   string
}

// Option adjusts a Store built by NewStore.
type Option func(*Store)

// WithHashParams sets the argon2id cost for new hashes. Production uses the
// default; tests use a cheap cost to stay fast. Existing hashes keep
// verifying whatever their cost, and are upgraded at the next sign-in.
func WithHashParams(p HashParams) Option {
	return func(s *Store) { s.params = p }
}

// WithThrottle replaces the per-account and per-address throttling policies.
func WithThrottle(account, address ThrottlePolicy) Option {
	return func(s *Store) { s.account, s.address = account, address }
}

// NewStore returns the account store in d. now is the clock (time.Now in
// production), injected so throttling and lock expiry can be tested.
func NewStore(d *db.DB, now func() time.Time, opts ...Option) *Store {
	if now == nil {
		now = time.Now
	}
	s := &Store{
		db:      d,
		now:     now,
		params:  DefaultHashParams(),
		account: DefaultAccountPolicy(),
		address: DefaultAddressPolicy(),
		slots:   make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

const accountColumns = "id, username, role, disabled, created_at, last_sign_in, sessions_valid_after"

// row is an account with its password hash, for use inside this package.
type row struct {
	Account
	hash string
}

func scanAccount(sc interface{ Scan(...any) error }, extra ...any) (Account, error) {
	var (
		a       Account
		role    string
		created db.Timestamp
		last    db.Timestamp
		valid   db.Timestamp
	)
	dest := append([]any{&a.ID, &a.Username, &role, &a.Disabled, &created, &last, &valid}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return Account{}, err
	}
	a.Role = Role(role)
	a.CreatedAt = created.Time
	a.LastSignIn = last.Ptr()
	a.SessionsValidAfter = valid.Time
	return a, nil
}

// Add creates an account. The username is normalised (trimmed, lowercased).
func (s *Store) Add(ctx context.Context, username, password string, role Role) (Account, error) {
	name := NormalizeUsername(username)
	if !validUsername(name) {
		return Account{}, ErrInvalidUsername
	}
	// Exact spelling only: ParseRole is lenient about case for CLI input.
	if r, err := ParseRole(string(role)); err != nil || r != role {
		return Account{}, ErrInvalidRole
	}
	if err := checkPassword(password); err != nil {
		return Account{}, err
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return Account{}, err
	}
	now := db.Truncate(s.now())
	var id int64
	// ON CONFLICT … RETURNING yields no row when the name is taken, which
	// tells "exists" apart without parsing driver-specific errors.
	err = s.db.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO staff_accounts
		(username, password_hash, role, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (username) DO NOTHING RETURNING id`),
		name, h, string(role), false, s.db.TimeArg(now), s.db.TimeArg(now)).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Account{}, ErrExists
	case err != nil:
		return Account{}, fmt.Errorf("staff: add %s: %w", name, err)
	}
	return Account{ID: id, Username: name, Role: role, CreatedAt: now}, nil
}

// List returns every account ordered by username.
func (s *Store) List(ctx context.Context) ([]Account, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+accountColumns+" FROM staff_accounts ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("staff: list: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("staff: list: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("staff: list: %w", err)
	}
	return out, nil
}

// Get returns the account with the given id, or ErrNotFound. Session
// middleware calls it on each request so a disabled account loses access
// at once.
func (s *Store) Get(ctx context.Context, id int64) (Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx,
		s.db.Rebind("SELECT "+accountColumns+" FROM staff_accounts WHERE id = ?"), id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Account{}, ErrNotFound
	case err != nil:
		return Account{}, fmt.Errorf("staff: get %d: %w", id, err)
	}
	return a, nil
}

// byName returns the account and its hash, or ErrNotFound.
func (s *Store) byName(ctx context.Context, name string) (row, error) {
	var r row
	a, err := scanAccount(s.db.QueryRowContext(ctx,
		s.db.Rebind("SELECT "+accountColumns+", password_hash FROM staff_accounts WHERE username = ?"), name), &r.hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return row{}, ErrNotFound
	case err != nil:
		return row{}, fmt.Errorf("staff: look up account: %w", err)
	}
	r.Account = a
	return r, nil
}

// Disable stops an account from signing in; it is kept for the audit trail.
// It also ends the account's open sessions (SessionsValidAfter), so a quick
// Enable afterwards does not bring back a session that made no request while
// the account was disabled.
func (s *Store) Disable(ctx context.Context, username string) error {
	name := NormalizeUsername(username)
	now := s.db.TimeArg(s.now())
	res, err := s.db.ExecContext(ctx, s.db.Rebind("UPDATE staff_accounts SET disabled = ?, updated_at = ?, sessions_valid_after = ? WHERE username = ?"),
		true, now, now, name)
	if err != nil {
		return fmt.Errorf("staff: set disabled=true: %w", err)
	}
	return mustAffect(res)
}

// Enable lets a disabled account sign in again. Sessions ended by Disable
// stay ended.
func (s *Store) Enable(ctx context.Context, username string) error {
	name := NormalizeUsername(username)
	res, err := s.db.ExecContext(ctx, s.db.Rebind("UPDATE staff_accounts SET disabled = ?, updated_at = ? WHERE username = ?"),
		false, s.db.TimeArg(s.now()), name)
	if err != nil {
		return fmt.Errorf("staff: set disabled=false: %w", err)
	}
	return mustAffect(res)
}

// ResetPassword sets a new password and clears the account's sign-in
// throttle, so a locked-out user can sign in with the new password at once.
// It ends the account's open sessions (SessionsValidAfter): a reset usually
// means the old password may be known to someone else.
func (s *Store) ResetPassword(ctx context.Context, username, password string) error {
	name := NormalizeUsername(username)
	if err := checkPassword(password); err != nil {
		return err
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	now := s.db.TimeArg(s.now())
	res, err := s.db.ExecContext(ctx, s.db.Rebind("UPDATE staff_accounts SET password_hash = ?, updated_at = ?, sessions_valid_after = ? WHERE username = ?"),
		h, now, now, name)
	if err != nil {
		return fmt.Errorf("staff: reset password: %w", err)
	}
	if err := mustAffect(res); err != nil {
		return err
	}
	if err := s.clearAccountThrottle(ctx, name); err != nil {
		return fmt.Errorf("staff: reset password: %w", err)
	}
	return nil
}

// SetRole gives an account another role and returns the one it had. A change ends the account's
// open sessions (SessionsValidAfter): a session keeps the role it signed in with, so without this
// an admin lowered to clinician would keep reading the audit trail until signing out. Setting the
// role it already has changes nothing.
func (s *Store) SetRole(ctx context.Context, username string, role Role) (previous Role, err error) {
	name := NormalizeUsername(username)
	if r, err := ParseRole(string(role)); err != nil || r != role {
		return "", ErrInvalidRole
	}
	r, err := s.byName(ctx, name)
	if err != nil {
		return "", err
	}
	if r.Role == role {
		return role, nil
	}
	now := s.db.TimeArg(s.now())
	res, err := s.db.ExecContext(ctx, s.db.Rebind("UPDATE staff_accounts SET role = ?, updated_at = ?, sessions_valid_after = ? WHERE username = ?"),
		string(role), now, now, name)
	if err != nil {
		return "", fmt.Errorf("staff: set role: %w", err)
	}
	return r.Role, mustAffect(res)
}

func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("staff: rows affected: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// EnsureDemo creates or repairs the sandbox demo clinician (DemoUsername /
// DemoPassword): enabled, clinician, with the demo password. Call it only in
// sandbox mode. It runs at every start, so it leaves SessionsValidAfter alone:
// a restart must not sign out the demo account's sessions.
func (s *Store) EnsureDemo(ctx context.Context) error {
	_, err := s.Add(ctx, DemoUsername, DemoPassword, RoleClinician)
	if !errors.Is(err, ErrExists) {
		return err
	}
	h, err := s.hash(ctx, DemoPassword)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, s.db.Rebind(`UPDATE staff_accounts
		SET password_hash = ?, role = ?, disabled = ?, updated_at = ? WHERE username = ?`),
		h, string(RoleClinician), false, s.db.TimeArg(s.now()), DemoUsername)
	if err != nil {
		return fmt.Errorf("staff: ensure demo: %w", err)
	}
	return nil
}

// RemoveDemo deletes the demo account if present. Call it at start-up when
// connected to a real Epic: a publicly known password must never open real
// patient data.
func (s *Store) RemoveDemo(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, s.db.Rebind("DELETE FROM staff_accounts WHERE username = ?"), DemoUsername); err != nil {
		return fmt.Errorf("staff: remove demo: %w", err)
	}
	return nil
}
