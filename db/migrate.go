package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// migrationFiles holds the versioned schema, one directory per dialect. The
// two directories must carry the same version numbers.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrateLockKey is the pg_advisory_xact_lock key that stops two replicas
// starting together from applying the same migration twice.
const migrateLockKey int64 = 0x63686172_74736465 // "chartsde"

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations for d's dialect, in version order.
func (d *DB) Migrations() ([]Migration, error) {
	dir := "migrations/" + d.Dialect.String()
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("db: read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("db: migration %q: name must be NNNN_description.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("db: migration %q: bad version number", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("db: read migration %q: %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("db: migrations %q and %q share version %d", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// Migrate applies every embedded migration not yet recorded in
// schema_migrations, each in its own transaction. It is idempotent and safe
// to call from several processes at once: SQLite transactions take the write
// lock up front (BEGIN IMMEDIATE) and PostgreSQL ones take an advisory lock,
// so a migration is applied exactly once.
//
// A schema already at the last migration is left alone, without the DDL and the lock: then a role
// that may only read and write rows (the DBA owns the tables; the server's role cannot alter or
// drop them, nor disable audit_log's append-only trigger) starts as well as the owner does.
func (d *DB) Migrate(ctx context.Context) error {
	migrations, err := d.Migrations()
	if err != nil {
		return err
	}
	if d.CheckSchema(ctx) == nil {
		return nil
	}
	for _, m := range migrations {
		if err := d.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) apply(ctx context.Context, m Migration) (err error) {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: migrate %s: begin: %w", m.Name, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if d.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
			return fmt.Errorf("db: migrate %s: lock: %w", m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, d.schemaMigrationsDDL()); err != nil {
		return fmt.Errorf("db: migrate %s: create schema_migrations: %w", m.Name, err)
	}
	var one int
	err = tx.QueryRowContext(ctx, d.Rebind("SELECT 1 FROM schema_migrations WHERE version = ?"), m.Version).Scan(&one)
	switch {
	case err == nil:
		return tx.Commit() // already applied
	case err != sql.ErrNoRows:
		return fmt.Errorf("db: migrate %s: check version: %w", m.Name, err)
	}
	// No arguments: both drivers then run the file as a multi-statement script.
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("db: migrate %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, d.Rebind("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"), m.Version, m.Name); err != nil {
		return fmt.Errorf("db: migrate %s: record version: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: migrate %s: commit: %w", m.Name, err)
	}
	return nil
}

func (d *DB) schemaMigrationsDDL() string {
	if d.Dialect == Postgres {
		return `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER     PRIMARY KEY,
	name       TEXT        NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`
	}
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
)`
}

// SchemaVersion returns the highest applied migration version, 0 when none.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := d.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("db: schema version: %w", err)
	}
	return int(v.Int64), nil
}

// SchemaError is a database whose schema is not at the version this build's migrations end at.
// Have is 0 when the database has no Chartside schema at all.
type SchemaError struct {
	Have, Want int
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("db: the database schema is at version %d, this build expects %d", e.Have, e.Want)
}

// CheckSchema reports, without changing anything, whether the schema is at the last embedded
// migration's version: nil if so, a *SchemaError if not. It is for commands that only read (a
// role with SELECT alone cannot run Migrate, which creates schema_migrations if missing).
func (d *DB) CheckSchema(ctx context.Context) error {
	ms, err := d.Migrations()
	if err != nil {
		return err
	}
	want := ms[len(ms)-1].Version
	exists := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	if d.Dialect == Postgres {
		// to_regclass follows search_path, as the unqualified table names in queries do.
		exists = "SELECT COUNT(*) FROM (SELECT to_regclass('schema_migrations') AS t) r WHERE t IS NOT NULL"
	}
	var n int
	if err := d.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return fmt.Errorf("db: check schema: %w", err)
	}
	have := 0
	if n > 0 {
		if have, err = d.SchemaVersion(ctx); err != nil {
			return err
		}
	}
	if have != want {
		return &SchemaError{Have: have, Want: want}
	}
	return nil
}
