package staff

import (
	"context"
	"errors"
	"fmt"

	"github.com/chartside/chartside/db"
)

// Authenticate checks a sign-in attempt from clientAddr (the address
// resolved through trusted proxies; "" when unknown).
//
// It returns the account on success, ErrInvalidCredentials for an unknown
// user, a wrong password or a disabled account alike (taking the same time
// for each), or a *ThrottledError when too many recent attempts failed for
// this username or address; a throttled attempt's password is not checked.
// Any other error is a database failure.
func (s *Store) Authenticate(ctx context.Context, username, password, clientAddr string) (Account, error) {
	name := NormalizeUsername(username)
	keys := s.keys(name, clientAddr)
	if err := s.begin(ctx, keys); err != nil {
		return Account{}, err
	}

	var r row
	found := false
	if validUsername(name) {
		var err error
		r, err = s.byName(ctx, name)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, ErrNotFound):
			return Account{}, err
		}
	}
	phc := r.hash
	if !found {
		dummy, err := s.dummyHash(ctx)
		if err != nil {
			return Account{}, err
		}
		phc = dummy
	}
	ok, stale := false, false
	if len(password) <= MaxPasswordBytes {
		var err error
		ok, stale, err = s.verify(ctx, phc, password)
		if err != nil {
			return Account{}, fmt.Errorf("staff: authenticate: %w", err)
		}
	}
	if !found || !ok || r.Disabled {
		return Account{}, ErrInvalidCredentials
	}

	if err := s.succeed(ctx, keys); err != nil {
		return Account{}, err
	}
	now := db.Truncate(s.now())
	if _, err := s.db.ExecContext(ctx, s.db.Rebind("UPDATE staff_accounts SET last_sign_in = ? WHERE id = ?"),
		s.db.TimeArg(now), r.ID); err != nil {
		return Account{}, fmt.Errorf("staff: record sign-in: %w", err)
	}
	r.LastSignIn = &now
	if stale {
		s.upgradeHash(ctx, r.ID, password)
	}
	return r.Account, nil
}

// upgradeHash re-hashes a password made with older cost parameters. It is
// best effort: the user is already authenticated and the old hash still
// works, so a failure here must not fail the sign-in; it is retried at the
// next one.
func (s *Store) upgradeHash(ctx context.Context, id int64, password string) {
	h, err := s.hash(ctx, password)
	if err != nil {
		return
	}
	_, _ = s.db.ExecContext(ctx, s.db.Rebind("UPDATE staff_accounts SET password_hash = ? WHERE id = ?"), h, id)
}
