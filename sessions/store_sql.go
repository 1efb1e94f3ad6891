package sessions

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/chartside/chartside/db"
)

// SQLStore keeps sessions in the "sessions" table of Chartside's own
// database (created by db's migrations), on SQLite or PostgreSQL.
//
// It replaces scs's sqlite3store and pgxstore for three reasons: it takes a
// context (a cancelled request stops waiting on the database), it starts no
// background goroutine (cleanup runs only when the caller asks, see
// RunCleanup), and it compares expiry against this process's clock rather
// than the database server's, so the idle timeout means the same thing on
// both engines. The schema is scs's own: SQLite stores expiry as a Julian
// day number (REAL), PostgreSQL as TIMESTAMPTZ.
type SQLStore struct {
	db  *db.DB
	now func() time.Time
	// find is FindCtx's statement, prepared on first use: it runs on every request, and
	// preparing it each time was half of its cost on SQLite (BENCHMARKS.md).
	find *db.Stmt
}

// NewSQLStore returns a session store on d.
func NewSQLStore(d *db.DB) *SQLStore {
	s := &SQLStore{db: d, now: time.Now}
	s.find = d.NewStmt("SELECT data FROM sessions WHERE token = ? AND expiry > " + s.expiryExpr())
	return s
}

var (
	_ scs.CtxStore         = (*SQLStore)(nil)
	_ scs.IterableCtxStore = (*SQLStore)(nil)
)

// expiryExpr is the SQL for a bound expiry value in the column's type.
func (s *SQLStore) expiryExpr() string {
	if s.db.Dialect == db.SQLite {
		return "julianday(?)"
	}
	return "?"
}

// expiryArg converts t to what expiryExpr binds.
func (s *SQLStore) expiryArg(t time.Time) any {
	if s.db.Dialect == db.SQLite {
		// julianday() reads ISO-8601 text; milliseconds are what it keeps.
		return t.UTC().Format("2006-01-02T15:04:05.000")
	}
	return t.UTC()
}

// FindCtx returns the data of an unexpired session.
func (s *SQLStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	stmt, err := s.find.Prepared(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("sessions: find session: %w", err)
	}
	var b []byte
	err = stmt.QueryRowContext(ctx, token, s.expiryArg(s.now())).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sessions: find session: %w", err)
	}
	return b, true, nil
}

// CommitCtx inserts or replaces a session.
func (s *SQLStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	q := s.db.Rebind("INSERT INTO sessions (token, data, expiry) VALUES (?, ?, " + s.expiryExpr() + ")" +
		" ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry")
	if _, err := s.db.ExecContext(ctx, q, token, b, s.expiryArg(expiry)); err != nil {
		return fmt.Errorf("sessions: commit session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session; a missing token is not an error.
func (s *SQLStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, s.db.Rebind("DELETE FROM sessions WHERE token = ?"), token); err != nil {
		return fmt.Errorf("sessions: delete session: %w", err)
	}
	return nil
}

// AllCtx returns every unexpired record keyed by (hashed) token.
func (s *SQLStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	q := s.db.Rebind("SELECT token, data FROM sessions WHERE expiry > " + s.expiryExpr())
	rows, err := s.db.QueryContext(ctx, q, s.expiryArg(s.now()))
	if err != nil {
		return nil, fmt.Errorf("sessions: list sessions: %w", err)
	}
	defer rows.Close()
	all := make(map[string][]byte)
	for rows.Next() {
		var (
			token string
			b     []byte
		)
		if err := rows.Scan(&token, &b); err != nil {
			return nil, fmt.Errorf("sessions: list sessions: %w", err)
		}
		all[token] = b
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sessions: list sessions: %w", err)
	}
	return all, nil
}

// DeleteExpired removes expired records and returns how many went.
func (s *SQLStore) DeleteExpired(ctx context.Context) (int64, error) {
	q := s.db.Rebind("DELETE FROM sessions WHERE expiry <= " + s.expiryExpr())
	res, err := s.db.ExecContext(ctx, q, s.expiryArg(s.now()))
	if err != nil {
		return 0, fmt.Errorf("sessions: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sessions: delete expired sessions: %w", err)
	}
	return n, nil
}

// Find implements scs.Store for callers without a context.
func (s *SQLStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store for callers without a context.
func (s *SQLStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store for callers without a context.
func (s *SQLStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
