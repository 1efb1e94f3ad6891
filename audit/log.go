package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/chartside/chartside/db"
)

// Log is the audit trail stored in Chartside's database.
type Log struct {
	db  *db.DB
	now func() time.Time
}

// New returns the audit trail in d. now supplies record times when an Entry
// has none (time.Now in production).
func New(d *db.DB, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{db: d, now: now}
}

// Record appends e to the chain and returns only once it is committed.
// Callers must not show the data the entry describes if Record fails.
//
// The append takes the database's write lock for the whole read-last-record,
// hash, insert sequence: SQLite transactions begin IMMEDIATE (see db.Open),
// PostgreSQL takes a SHARE ROW EXCLUSIVE lock on audit_log, which conflicts
// with itself but not with readers. seq is the primary key, so even a broken
// lock could never produce two records claiming the same place.
func (l *Log) Record(ctx context.Context, e Entry) (err error) {
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	e = sanitize(e)
	if err := e.validate(); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit: record: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if l.db.Dialect == db.Postgres {
		if _, err := tx.ExecContext(ctx, "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return fmt.Errorf("audit: record: lock: %w", err)
		}
	}
	var (
		lastSeq  int64
		prevHash = GenesisHash
	)
	err = tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&lastSeq, &prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: record: read chain head: %w", err)
	}
	seq := lastSeq + 1
	hash := chainHash(seq, e, prevHash)
	_, err = tx.ExecContext(ctx, l.db.Rebind(`INSERT INTO audit_log
		(seq, at, username, action, patient_id, mrn, outcome, client_addr, request_id, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		seq, l.db.TimeArg(e.Time), e.Username, e.Action, e.PatientID, e.MRN, e.Outcome,
		e.ClientAddr, e.RequestID, e.Detail, prevHash, hash)
	if err != nil {
		return fmt.Errorf("audit: record: insert: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit: record: commit: %w", err)
	}
	return nil
}
