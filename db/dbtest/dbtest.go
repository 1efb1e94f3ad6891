// Package dbtest gives tests a fresh, migrated Chartside database on each
// engine: a SQLite file in t.TempDir() and a throw-away schema in the
// machine's PostgreSQL, so store tests run against both real engines.
//
// PostgreSQL is found through TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). Each target gets
// its own schema, selected with search_path in the URL and dropped when the
// test ends, so packages testing in parallel never see each other's rows.
// Set TEST_DATABASE_URL=skip to run the SQLite half only.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chartside/chartside/db"
)

// DefaultPostgresURL is used when TEST_DATABASE_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Target is one isolated database a test may open any number of times; each
// Open returns a separate handle, as a separate replica would have.
type Target struct {
	Dialect db.Dialect
	// URL and DataDir are the arguments for db.Open.
	URL     string
	DataDir string
}

// Open opens a new handle to the target, migrates it and closes it when the
// test ends.
func (tg Target) Open(t testing.TB) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := db.Open(ctx, tg.URL, tg.DataDir)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", tg.Dialect, err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", tg.Dialect, err)
	}
	return d
}

// SQLite returns a target backed by a new file in t.TempDir().
func SQLite(t testing.TB) Target {
	t.Helper()
	return Target{Dialect: db.SQLite, DataDir: t.TempDir()}
}

// Postgres returns a target backed by a new schema in the test PostgreSQL,
// dropped (with everything in it) when the test ends.
func Postgres(t testing.TB) Target {
	t.Helper()
	// Reading the environment here is test plumbing; production code takes
	// its configuration from cmd/web only.
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "skip" {
		t.Skip("dbtest: TEST_DATABASE_URL=skip")
	}
	if base == "" {
		base = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := db.Open(ctx, base, "")
	if err != nil {
		t.Fatalf("dbtest: connect to PostgreSQL (set TEST_DATABASE_URL, or =skip): %v", err)
	}
	schema := "chartside_test_" + randomHex(t, 8)
	// The schema name is generated above from hex digits, so quoting is safe.
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		admin.Close()
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA "`+schema+`" CASCADE`); err != nil {
			t.Errorf("dbtest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: parse TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return Target{Dialect: db.Postgres, URL: u.String()}
}

// Run runs fn as a parallel subtest named after each engine, each with its
// own fresh target.
func Run(t *testing.T, fn func(t *testing.T, tg Target)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Postgres(t))
	})
}

// New is shorthand for tg.Open(t) on a fresh target of the given dialect.
func New(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	if dialect == db.Postgres {
		return Postgres(t).Open(t)
	}
	return SQLite(t).Open(t)
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("dbtest: random: %v", err)
	}
	return hex.EncodeToString(b)
}
