package db

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rebind rewrites "?" placeholders to PostgreSQL's "$1, $2, …" when d is
// PostgreSQL and returns query unchanged for SQLite. Queries passed here must
// not contain a literal "?" (none of Chartside's do).
func (d *DB) Rebind(query string) string {
	if d.Dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sqliteTimeLayout stores instants as fixed-width UTC text: it sorts and
// compares correctly as a string, which SQLite needs for range filters, and
// keeps microseconds, PostgreSQL's TIMESTAMPTZ precision, so a value reads
// back identically from either engine.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// TimeArg returns t in the form d's timestamp columns store: time.Time for
// PostgreSQL's TIMESTAMPTZ, fixed-width UTC text for SQLite. t is converted
// to UTC and truncated to microseconds in both cases.
func (d *DB) TimeArg(t time.Time) any {
	t = Truncate(t)
	if d.Dialect == Postgres {
		return t
	}
	return t.Format(sqliteTimeLayout)
}

// Truncate returns t in UTC at the microsecond precision both engines keep.
// Callers that hash or compare a time they also store use it first so the
// value they hold equals the value that reads back.
func Truncate(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// Timestamp scans a timestamp column from either engine. Valid is false for
// SQL NULL.
type Timestamp struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner for TIMESTAMPTZ (time.Time) and SQLite text.
func (ts *Timestamp) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*ts = Timestamp{}
		return nil
	case time.Time:
		*ts = Timestamp{Time: Truncate(v), Valid: true}
		return nil
	case string:
		return ts.parse(v)
	case []byte:
		return ts.parse(string(v))
	default:
		return fmt.Errorf("db: scan timestamp: unsupported type %T", src)
	}
}

func (ts *Timestamp) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("db: scan timestamp: %w", err)
	}
	*ts = Timestamp{Time: Truncate(t), Valid: true}
	return nil
}

// Ptr returns a pointer to the time, or nil when the column was NULL.
func (ts Timestamp) Ptr() *time.Time {
	if !ts.Valid {
		return nil
	}
	t := ts.Time
	return &t
}
