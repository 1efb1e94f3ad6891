package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"

	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
)

func TestOpenRejectsUnknownURL(t *testing.T) {
	tests := []string{"mysql://x", "sqlite:///tmp/x.db", "redis://localhost"}
	for _, u := range tests {
		_, err := db.Open(context.Background(), u, t.TempDir())
		if !errors.Is(err, db.ErrUnsupportedURL) {
			t.Errorf("Open(%q) error = %v, want ErrUnsupportedURL", u, err)
		}
	}
}

func TestOpenSQLiteCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	d, err := db.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Dialect != db.SQLite {
		t.Errorf("Dialect = %v, want sqlite", d.Dialect)
	}
	tests := []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700},
		{filepath.Join(dir, db.FileName), 0o600},
	}
	for _, tt := range tests {
		fi, err := os.Stat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tt.want {
			t.Errorf("mode of %s = %o, want %o", tt.path, got, tt.want)
		}
	}
	var mode string
	if err := d.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	var fk int
	if err := d.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if fk != 1 {
		t.Errorf("foreign_keys = %d, want 1", fk)
	}
}

func TestOpenSQLiteRequiresDataDir(t *testing.T) {
	if _, err := db.Open(context.Background(), "", ""); err == nil {
		t.Fatal("Open with empty data dir succeeded, want error")
	}
}

func TestMigrateIdempotent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t) // migrates once
		ms, err := d.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := d.Migrate(ctx); err != nil {
				t.Fatalf("Migrate again (%d): %v", i, err)
			}
		}
		got, err := d.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := ms[len(ms)-1].Version; got != want {
			t.Errorf("SchemaVersion = %d, want %d", got, want)
		}
		var n int
		if err := d.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) {
			t.Errorf("schema_migrations rows = %d, want %d", n, len(ms))
		}
	})
}

// Replicas starting at the same moment must not apply a migration twice.
func TestMigrateConcurrentReplicas(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		const replicas = 4
		handles := make([]*db.DB, replicas)
		for i := range handles {
			d, err := db.Open(ctx, tg.URL, tg.DataDir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			handles[i] = d
		}
		var wg sync.WaitGroup
		errs := make([]error, replicas)
		for i, d := range handles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = d.Migrate(ctx)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: Migrate: %v", i, err)
			}
		}
		ms, err := handles[0].Migrations()
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := handles[0].QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) {
			t.Errorf("schema_migrations rows = %d, want %d", n, len(ms))
		}
	})
}

func TestMigrationsSameVersionsOnBothDialects(t *testing.T) {
	versions := func(dialect db.Dialect) []int {
		ms, err := (&db.DB{Dialect: dialect}).Migrations()
		if err != nil {
			t.Fatal(err)
		}
		var v []int
		for _, m := range ms {
			v = append(v, m.Version)
		}
		return v
	}
	s, p := versions(db.SQLite), versions(db.Postgres)
	if len(s) == 0 || len(s) != len(p) {
		t.Fatalf("sqlite versions %v, postgres versions %v: want the same, non-empty", s, p)
	}
	for i := range s {
		if s[i] != p[i] {
			t.Errorf("version %d: sqlite %d, postgres %d", i, s[i], p[i])
		}
	}
}

func TestRebind(t *testing.T) {
	tests := []struct {
		dialect db.Dialect
		in      string
		want    string
	}{
		{db.SQLite, "SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = ? AND c = ?"},
		{db.Postgres, "SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{db.Postgres, "SELECT 1", "SELECT 1"},
		{db.Postgres, "INSERT INTO t (a) VALUES (?) -- é", "INSERT INTO t (a) VALUES ($1) -- é"},
	}
	for _, tt := range tests {
		d := &db.DB{Dialect: tt.dialect}
		if got := d.Rebind(tt.in); got != tt.want {
			t.Errorf("%v Rebind(%q) = %q, want %q", tt.dialect, tt.in, got, tt.want)
		}
	}
}

// A time written with TimeArg reads back equal through Timestamp on both
// engines, and range comparisons on the stored form follow time order.
func TestTimestampRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		d := tg.Open(t)
		typ := "TEXT"
		if d.Dialect == db.Postgres {
			typ = "TIMESTAMPTZ"
		}
		if _, err := d.ExecContext(ctx, "CREATE TABLE ts_test (id INTEGER PRIMARY KEY, at "+typ+")"); err != nil {
			t.Fatal(err)
		}
		paris := time.FixedZone("CET", 3600)
		times := []time.Time{
			time.Date(2026, 1, 2, 3, 4, 5, 123456789, paris),
			time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		}
		for i, tm := range times {
			if _, err := d.ExecContext(ctx, d.Rebind("INSERT INTO ts_test (id, at) VALUES (?, ?)"), i, d.TimeArg(tm)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.ExecContext(ctx, d.Rebind("INSERT INTO ts_test (id, at) VALUES (?, NULL)"), 99); err != nil {
			t.Fatal(err)
		}
		for i, tm := range times {
			var got db.Timestamp
			if err := d.QueryRowContext(ctx, d.Rebind("SELECT at FROM ts_test WHERE id = ?"), i).Scan(&got); err != nil {
				t.Fatal(err)
			}
			want := tm.UTC().Truncate(time.Microsecond)
			if !got.Valid || !got.Time.Equal(want) || got.Time.Location() != time.UTC {
				t.Errorf("row %d: got %v (valid %v), want %v UTC", i, got.Time, got.Valid, want)
			}
		}
		var null db.Timestamp
		if err := d.QueryRowContext(ctx, "SELECT at FROM ts_test WHERE id = 99").Scan(&null); err != nil {
			t.Fatal(err)
		}
		if null.Valid || null.Ptr() != nil {
			t.Errorf("NULL scanned as %+v, want invalid", null)
		}
		// Only the 1999 row is before 2026-01-02T02:00Z.
		var n int
		cut := time.Date(2026, 1, 2, 2, 0, 0, 0, time.UTC)
		if err := d.QueryRowContext(ctx, d.Rebind("SELECT COUNT(*) FROM ts_test WHERE at < ?"), d.TimeArg(cut)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("rows before %v = %d, want 1", cut, n)
		}
	})
}

// The sessions table must match what the scs stores the sessions package
// uses expect, on each engine.
func TestSessionsTableFitsSCSStores(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		d := tg.Open(t)
		var store scs.Store
		if d.Dialect == db.Postgres {
			store = pgxstore.NewWithCleanupInterval(d.Pool, 0)
		} else {
			store = sqlite3store.NewWithCleanupInterval(d.DB, 0)
		}
		if err := store.Commit("tok", []byte("payload"), time.Now().Add(time.Hour)); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		got, found, err := store.Find("tok")
		if err != nil || !found || string(got) != "payload" {
			t.Fatalf("Find = %q, %v, %v; want payload, true, nil", got, found, err)
		}
		if err := store.Commit("old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, found, err := store.Find("old"); err != nil || found {
			t.Errorf("expired Find found = %v, err = %v; want false, nil", found, err)
		}
		if err := store.Delete("tok"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := store.Find("tok"); found {
			t.Error("deleted token still found")
		}
	})
}

// DATABASE_URL is taken as pgx reads it, with Chartside's pool bound unless the operator set
// pool_max_conns there.
func TestOpenPostgresPoolSize(t *testing.T) {
	base := dbtest.Postgres(t).URL
	tests := []struct {
		suffix string
		want   int32
	}{
		{"", 16},
		{"&pool_max_conns=3", 3},
	}
	for _, tt := range tests {
		d, err := db.Open(context.Background(), base+tt.suffix, "")
		if err != nil {
			t.Fatalf("Open(…%s): %v", tt.suffix, err)
		}
		if got := d.Pool.Config().MaxConns; got != tt.want {
			t.Errorf("Open(…%s): pool of %d connections, want %d", tt.suffix, got, tt.want)
		}
		d.Close()
	}
}

// CheckSchema tells a migrated database from an empty or older one without creating anything.
func TestCheckSchema(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		empty, err := db.Open(ctx, tg.URL, tg.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		defer empty.Close()
		ms, err := empty.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		latest := ms[len(ms)-1].Version
		var se *db.SchemaError
		if err := empty.CheckSchema(ctx); !errors.As(err, &se) || se.Have != 0 || se.Want != latest {
			t.Fatalf("empty database: CheckSchema = %v, want SchemaError{0, %d}", err, latest)
		}
		if err := empty.CheckSchema(ctx); !errors.As(err, &se) || se.Have != 0 {
			t.Errorf("CheckSchema created the schema: %v", err)
		}
		d := tg.Open(t) // migrates
		if err := d.CheckSchema(ctx); err != nil {
			t.Errorf("migrated database: CheckSchema = %v, want nil", err)
		}
		if _, err := d.ExecContext(ctx, d.Rebind("DELETE FROM schema_migrations WHERE version = ?"), latest); err != nil {
			t.Fatal(err)
		}
		if err := d.CheckSchema(ctx); !errors.As(err, &se) || se.Have != latest-1 {
			t.Errorf("older database: CheckSchema = %v, want SchemaError{%d, %d}", err, latest-1, latest)
		}
	})
}
