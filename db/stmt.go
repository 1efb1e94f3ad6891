package db

import (
	"context"
	"database/sql"
	"sync/atomic"
)

// Stmt is a query prepared on first use and reused from then on; database/sql prepares it again,
// once, on each pooled connection that runs it. It is for queries run on every request or every
// audit batch, where preparing them each time was a measurable part of the server's CPU under
// load (BENCHMARKS.md). A Stmt lives as long as its DB.
type Stmt struct {
	db    *DB
	query string
	st    atomic.Pointer[sql.Stmt]
}

// NewStmt returns query, written with "?" placeholders (see Rebind), to be prepared on first use.
func (d *DB) NewStmt(query string) *Stmt {
	return &Stmt{db: d, query: d.Rebind(query)}
}

// Prepared returns the prepared statement, preparing it the first time. After a failure the next
// call tries again. Run it inside a transaction with tx.StmtContext.
func (s *Stmt) Prepared(ctx context.Context) (*sql.Stmt, error) {
	if st := s.st.Load(); st != nil {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, s.query)
	if err != nil {
		return nil, err
	}
	if !s.st.CompareAndSwap(nil, st) {
		st.Close() // another caller prepared it first
		return s.st.Load(), nil
	}
	return st, nil
}
