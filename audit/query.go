package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/chartside/chartside/db"
)

// Filter selects records. Zero fields do not filter.
type Filter struct {
	Username  string
	PatientID string
	MRN       string
	Action    string
	From      time.Time // inclusive
	To        time.Time // exclusive
	// Limit caps the records returned: Query defaults to DefaultLimit and
	// never exceeds MaxLimit; Export returns everything when zero.
	Limit int
	// BeforeSeq pages backwards: only records with a smaller seq (0 = none).
	BeforeSeq int64
}

// Paging limits for Query.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

const recordColumns = "seq, at, username, action, patient_id, mrn, outcome, client_addr, request_id, detail, prev_hash, hash"

// Query returns matching records newest first. To fetch the next (older)
// page, pass the last record's Seq as BeforeSeq.
func (l *Log) Query(ctx context.Context, f Filter) ([]Record, error) {
	switch {
	case f.Limit <= 0:
		f.Limit = DefaultLimit
	case f.Limit > MaxLimit:
		f.Limit = MaxLimit
	}
	rows, err := l.selectRecords(ctx, f, "DESC")
	if err != nil {
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: query: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	return out, nil
}

// selectRecords runs the filtered select; order is "ASC" or "DESC" by seq.
func (l *Log) selectRecords(ctx context.Context, f Filter, order string) (*sql.Rows, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.Username != "" {
		add("username = ?", f.Username)
	}
	if f.PatientID != "" {
		add("patient_id = ?", f.PatientID)
	}
	if f.MRN != "" {
		add("mrn = ?", f.MRN)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= ?", l.db.TimeArg(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", l.db.TimeArg(f.To))
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	q := "SELECT " + recordColumns + " FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq " + order
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return l.db.QueryContext(ctx, l.db.Rebind(q), args...)
}

func scanRecord(rows *sql.Rows) (Record, error) {
	var (
		r  Record
		at db.Timestamp
	)
	err := rows.Scan(&r.Seq, &at, &r.Username, &r.Action, &r.PatientID, &r.MRN, &r.Outcome,
		&r.ClientAddr, &r.RequestID, &r.Detail, &r.PrevHash, &r.Hash)
	if err != nil {
		return Record{}, fmt.Errorf("scan record: %w", err)
	}
	r.Time = at.Time
	return r, nil
}
