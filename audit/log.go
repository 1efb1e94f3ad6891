package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chartside/chartside/db"
)

// Log is the audit trail stored in Chartside's database. It is safe for
// concurrent use and must not be copied.
type Log struct {
	db  *db.DB
	now func() time.Time

	// On SQLite, the chain-head read and the insert are prepared once instead of in every batch,
	// where preparing them was a third of the audit's CPU under load. PostgreSQL needs neither:
	// pgx keeps its own statement cache, and preparing through database/sql made it slower.
	head, insert *db.Stmt

	// last is the chain head as this Log last wrote it or read it under the append lock, so that
	// on PostgreSQL the next batch can be appended in one statement (see appendBatch). Only the
	// caller holding the writer role touches it (see batch.go).
	last chainHead

	// mu guards the group-commit queue (see batch.go).
	mu      sync.Mutex
	queue   []*pending
	writing bool // a caller holds the writer role: writing a batch or promoted to write the next

	// commits counts committed batch transactions, for tests.
	commits atomic.Int64
}

// New returns the audit trail in d. now supplies record times when an Entry
// has none (time.Now in production).
func New(d *db.DB, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{
		db:     d,
		now:    now,
		head:   d.NewStmt(chainHeadQuery),
		insert: d.NewStmt(`INSERT INTO audit_log (` + recordColumns + `) VALUES (` + strings.Repeat("?, ", 11) + `?)`),
	}
}

// Record appends e to the chain and returns nil only once the transaction
// holding it is committed. Callers must not show the data the entry
// describes if Record fails.
//
// Concurrent calls are written together (group commit, see batch.go): the
// entries waiting when a write starts go into one transaction, chained in the
// order they were queued, and every caller in it gets that transaction's
// outcome. An entry that fails validation fails alone, before it is queued.
//
// ctx bounds the wait for a place in a batch: a caller whose ctx ends while
// its entry is still queued gets an error wrapping ctx.Err(), and its entry
// is never written. Once its batch transaction has begun, the caller gets the
// real outcome of that transaction even if ctx ends meanwhile; the
// transaction runs under its own deadline (batchTimeout), because it holds
// other callers' records too.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	e = sanitize(e)
	if err := e.validate(); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	if err := l.enqueueAndWait(ctx, e); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// chainHead is the position of a chain's last record: what the next record's seq and prev_hash
// follow.
type chainHead struct {
	seq   int64
	hash  string
	known bool
}

// appendBatch appends entries, in order, to the chain in one transaction, so
// either all of them are stored or none is and the chain head is unchanged.
//
// On PostgreSQL, once this Log knows the chain head, the batch is one INSERT
// chained onto it (appendAfter): one round trip instead of the five of
// appendLocked, whose transaction held every other page's audit record (and
// so the page) waiting behind it under load. seq is the primary key, so if
// another replica appended meanwhile the INSERT fails as a whole with a
// unique violation and the batch is appended under the lock instead, after
// the true head. On SQLite the transaction costs no round trips, and every
// batch is appended under the lock.
func (l *Log) appendBatch(ctx context.Context, entries []Entry) error {
	if l.db.Dialect == db.Postgres && l.last.known {
		err := l.appendAfter(ctx, l.last, entries)
		if !db.IsUniqueViolation(err) {
			return err
		}
	}
	return l.appendLocked(ctx, entries)
}

// appendAfter inserts entries chained onto head in one statement, outside any
// transaction (PostgreSQL only).
func (l *Log) appendAfter(ctx context.Context, head chainHead, entries []Entry) error {
	records := chain(head, entries)
	if err := insertPostgres(ctx, l.db, records); err != nil {
		// The outcome of a statement that failed on its way back is unknown:
		// the next batch reads the head again.
		l.last.known = false
		return fmt.Errorf("insert: %w", err)
	}
	l.remember(records)
	return nil
}

// appendLocked appends entries in a transaction that holds the database's
// write lock for the whole read-last-record, hash, insert sequence: SQLite
// transactions begin IMMEDIATE (see db.Open), PostgreSQL takes a SHARE ROW
// EXCLUSIVE lock on audit_log, which conflicts with itself and with inserts
// but not with readers. So several replicas, each batching its own callers,
// still build one chain. seq is the primary key, so even a broken lock could
// never produce two records claiming the same place.
func (l *Log) appendLocked(ctx context.Context, entries []Entry) (err error) {
	l.last.known = false
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if l.db.Dialect == db.Postgres {
		if _, err := tx.ExecContext(ctx, "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
	}
	head := chainHead{hash: GenesisHash, known: true}
	err = l.readChainHead(ctx, tx).Scan(&head.seq, &head.hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read chain head: %w", err)
	}
	records := chain(head, entries)
	if err := l.insertBatch(ctx, tx, records); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	l.remember(records)
	return nil
}

// chain gives entries their places after head: consecutive seqs, each
// record's hash covering the one before it.
func chain(head chainHead, entries []Entry) []Record {
	records := make([]Record, len(entries))
	prevHash := head.hash
	for i, e := range entries {
		seq := head.seq + 1 + int64(i)
		hash := chainHash(seq, e, prevHash)
		records[i] = Record{Seq: seq, Entry: e, PrevHash: prevHash, Hash: hash}
		prevHash = hash
	}
	return records
}

// remember notes the last of the records just committed as the chain head.
func (l *Log) remember(records []Record) {
	last := records[len(records)-1]
	l.last = chainHead{seq: last.Seq, hash: last.Hash, known: true}
	l.commits.Add(1)
}

const chainHeadQuery = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"

// readChainHead reads the last record's seq and hash within tx (sql.ErrNoRows when there is none).
func (l *Log) readChainHead(ctx context.Context, tx *sql.Tx) *sql.Row {
	if l.db.Dialect == db.Postgres {
		return tx.QueryRowContext(ctx, chainHeadQuery)
	}
	head, err := l.head.Prepared(ctx)
	if err != nil {
		return tx.QueryRowContext(ctx, chainHeadQuery) // unprepared: it fails the same way or works
	}
	return tx.StmtContext(ctx, head).QueryRowContext(ctx)
}

// textColumns returns r's text columns in the order recordColumns lists them
// after seq and at.
func (r Record) textColumns() []string {
	return []string{r.Username, r.Action, r.PatientID, r.MRN, r.Outcome, r.ClientAddr, r.RequestID, r.Detail, r.PrevHash, r.Hash}
}

// insertBatch inserts records within tx in as few statements as the engine
// makes worthwhile.
func (l *Log) insertBatch(ctx context.Context, tx *sql.Tx, records []Record) error {
	if l.db.Dialect == db.Postgres {
		return insertPostgres(ctx, tx, records)
	}
	return l.insertSQLite(ctx, tx, records)
}

// execer is a *sql.Tx, or the *db.DB for a statement that is a transaction of its own.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertPostgres sends every record in one statement, one array per column
// zipped back into rows by unnest: one round trip however many records (made
// with the table locked, or as the whole of appendAfter's write), and one
// statement text whatever the batch size keeps a single entry in pgx's
// statement cache. A statement is atomic: all the records or none.
func insertPostgres(ctx context.Context, ex execer, records []Record) error {
	seqs := make([]int64, len(records))
	ats := make([]time.Time, len(records))
	texts := make([][]string, len(records[0].textColumns()))
	for j := range texts {
		texts[j] = make([]string, len(records))
	}
	for i, r := range records {
		seqs[i] = r.Seq
		ats[i] = r.Time // sanitize made it UTC, to the microsecond
		for j, v := range r.textColumns() {
			texts[j][i] = v
		}
	}
	args := []any{seqs, ats}
	for _, col := range texts {
		args = append(args, col)
	}
	_, err := ex.ExecContext(ctx, `INSERT INTO audit_log (`+recordColumns+`)
		SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
			$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])`, args...)
	return err
}

// insertSQLite executes one prepared statement per record: SQLite runs in
// process, so that costs no round trips.
func (l *Log) insertSQLite(ctx context.Context, tx *sql.Tx, records []Record) error {
	insert, err := l.insert.Prepared(ctx)
	if err != nil {
		return err
	}
	stmt := tx.StmtContext(ctx, insert)
	for _, r := range records {
		args := []any{r.Seq, l.db.TimeArg(r.Time)}
		for _, v := range r.textColumns() {
			args = append(args, v)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}
