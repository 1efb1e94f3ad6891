package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	// The pure-Go SQLite driver registers itself as "sqlite"; importing it
	// here keeps the choice of driver inside this package.
	_ "modernc.org/sqlite"
)

// Dialect names the SQL engine behind a DB.
type Dialect int

const (
	// SQLite is the embedded single-file database used by default.
	SQLite Dialect = iota
	// Postgres is PostgreSQL reached through pgx.
	Postgres
)

// String returns the dialect's lowercase name, as used in test names and logs.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	default:
		return fmt.Sprintf("dialect(%d)", int(d))
	}
}

// ErrUnsupportedURL is returned by Open for a DATABASE_URL that is neither
// empty nor a PostgreSQL URL.
var ErrUnsupportedURL = errors.New("db: unsupported database url (want empty for SQLite or postgres://…)")

// FileName is the SQLite database file created inside the data directory.
const FileName = "chartside.db"

// sqliteBusyTimeout is how long a SQLite connection waits for another writer
// (another goroutine or another process on the same file) before failing.
// Audit appends and sign-in throttling both take the write lock briefly, so a
// generous wait turns contention into latency instead of errors.
const sqliteBusyTimeout = 10 * time.Second

// sqliteConns bounds the SQLite connection pool and keeps that many open. Opening a
// connection (the file, its pragmas, the schema) costs more than most of Chartside's
// queries, and with database/sql's default of two idle connections a loaded server opened
// and closed one for most session reads: 5 % of its CPU at 50 clients (BENCHMARKS.md).
// WAL lets these readers work alongside the one writer; queries beyond the bound wait for a
// free connection. Nothing holds one connection while asking for another (transactions use
// only their own), so the bound cannot deadlock.
const sqliteConns = 8

// postgresConns bounds each process's connections to PostgreSQL unless DATABASE_URL sets
// pool_max_conns. With sessions in PostgreSQL every request reads one, and pgx's default (the
// larger of 4 and the CPU count) kept requests under load waiting for a connection: block profile
// of a 50-client web bench level, 12 s, 814 s of waiting with 4, 569 s with 16 (BENCHMARKS.md).
// Connections are opened only when needed; replicas × 16 must stay under the server's
// max_connections (100 by default).
const postgresConns = 16

// DB is Chartside's database handle: one *sql.DB whichever engine is used.
type DB struct {
	*sql.DB
	// Dialect tells which SQL engine is behind DB.
	Dialect Dialect
	// Pool is the pgx pool behind DB when Dialect is Postgres (nil for SQLite).
	// It is exposed for libraries that want pgx directly, such as the scs
	// pgxstore session store, so they share connections and settings.
	Pool *pgxpool.Pool
}

// Open connects to Chartside's database. An empty databaseURL selects the
// embedded SQLite file {dataDir}/chartside.db, creating dataDir with mode 0700
// because the file holds the audit trail (patient identifiers). A postgres://
// or postgresql:// URL selects PostgreSQL. Open checks the connection before
// returning; call Migrate next.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	switch {
	case databaseURL == "":
		return openSQLite(ctx, dataDir)
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return openPostgres(ctx, databaseURL)
	default:
		// The URL may carry a password, so it is deliberately not echoed.
		return nil, ErrUnsupportedURL
	}
}

func openSQLite(ctx context.Context, dataDir string) (*DB, error) {
	if dataDir == "" {
		return nil, errors.New("db: open sqlite: data directory is empty")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("db: create data directory: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dataDir, FileName))
	if err != nil {
		return nil, fmt.Errorf("db: resolve sqlite path: %w", err)
	}
	q := url.Values{}
	// busy_timeout must be set per connection; WAL lets readers proceed while
	// one writer appends; foreign_keys is off by default in SQLite.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Every transaction starts with BEGIN IMMEDIATE: it takes the write lock
	// up front, so two writers never both read and then deadlock on the
	// upgrade (which SQLite reports as SQLITE_BUSY without waiting). The audit
	// chain relies on this to serialise appends across processes.
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()

	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	sqlDB.SetMaxOpenConns(sqliteConns)
	sqlDB.SetMaxIdleConns(sqliteConns)
	// The file is created by the first connection; tighten it in case the
	// umask was permissive.
	if err := os.Chmod(path, 0o600); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("db: restrict sqlite file mode: %w", err)
	}
	return &DB{DB: sqlDB, Dialect: SQLite}, nil
}

func openPostgres(ctx context.Context, databaseURL string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// pgconn redacts the password when it quotes the URL in this error.
		return nil, fmt.Errorf("db: parse postgres url: %w", err)
	}
	if u, err := url.Parse(databaseURL); err == nil && !u.Query().Has("pool_max_conns") {
		cfg.MaxConns = postgresConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		pool.Close()
		return nil, fmt.Errorf("db: open postgres: %w", err)
	}
	return &DB{DB: sqlDB, Dialect: Postgres, Pool: pool}, nil
}

// Close closes the database handle and, for PostgreSQL, the pgx pool behind it.
func (d *DB) Close() error {
	err := d.DB.Close()
	if d.Pool != nil {
		d.Pool.Close()
	}
	if err != nil {
		return fmt.Errorf("db: close: %w", err)
	}
	return nil
}
