package sessions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/chartside/chartside/db/dbtest"
)

const defaultTestRedisURL = "redis://127.0.0.1:6379/0"

// storeCase is one real session store under test.
type storeCase struct {
	name string
	open func(t *testing.T) scs.Store
}

// storeCases returns SQLite, PostgreSQL and Redis stores, each fresh and
// isolated, so every behaviour is checked on each engine.
func storeCases() []storeCase {
	return []storeCase{
		{"sqlite", func(t *testing.T) scs.Store { return NewSQLStore(dbtest.SQLite(t).Open(t)) }},
		{"postgres", func(t *testing.T) scs.Store { return NewSQLStore(dbtest.Postgres(t).Open(t)) }},
		{"redis", openTestRedis},
	}
}

func openTestRedis(t *testing.T) scs.Store {
	t.Helper()
	url := os.Getenv("TEST_REDIS_URL")
	if url == "skip" {
		t.Skip("TEST_REDIS_URL=skip")
	}
	if url == "" {
		url = defaultTestRedisURL
	}
	prefix := "chartside-test:" + randomHex(t) + ":"
	st, err := newRedisStore(url, prefix)
	if err != nil {
		t.Fatalf("open redis (set TEST_REDIS_URL, or =skip): %v", err)
	}
	t.Cleanup(func() {
		// Leave nothing behind in a shared Redis.
		if all, err := st.AllCtx(context.Background()); err == nil {
			for k := range all {
				st.DeleteCtx(context.Background(), k)
			}
		}
		if err := st.Close(); err != nil {
			t.Errorf("close redis: %v", err)
		}
	})
	return st
}

func randomHex(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func TestStores(t *testing.T) {
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			st := sc.open(t)
			ctx := context.Background()
			live, dead, gone := "live-"+randomHex(t), "dead-"+randomHex(t), "gone-"+randomHex(t)

			if err := storeCommit(ctx, st, live, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
				t.Fatalf("commit: %v", err)
			}
			// Overwrite: data and expiry replaced, not duplicated.
			if err := storeCommit(ctx, st, live, []byte("v2"), time.Now().Add(2*time.Hour)); err != nil {
				t.Fatalf("commit again: %v", err)
			}
			if err := storeCommit(ctx, st, dead, []byte("old"), time.Now().Add(-time.Minute)); err != nil {
				t.Fatalf("commit expired: %v", err)
			}
			if err := storeCommit(ctx, st, gone, []byte("x"), time.Now().Add(time.Hour)); err != nil {
				t.Fatalf("commit: %v", err)
			}
			if err := storeDelete(ctx, st, gone); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if err := storeDelete(ctx, st, "never-"+randomHex(t)); err != nil {
				t.Fatalf("delete of a missing token must be a no-op, got %v", err)
			}

			tests := []struct {
				token     string
				wantFound bool
				wantData  string
			}{
				{live, true, "v2"},
				{dead, false, ""},
				{gone, false, ""},
				{"never-" + randomHex(t), false, ""},
			}
			for _, tt := range tests {
				b, found, err := storeFind(ctx, st, tt.token)
				if err != nil {
					t.Fatalf("find %s: %v", tt.token, err)
				}
				if found != tt.wantFound || string(b) != tt.wantData {
					t.Errorf("find %s = (%q, %v), want (%q, %v)", tt.token, b, found, tt.wantData, tt.wantFound)
				}
			}

			all, err := st.(scs.IterableCtxStore).AllCtx(ctx)
			if err != nil {
				t.Fatalf("all: %v", err)
			}
			if got := string(all[live]); got != "v2" {
				t.Errorf("all[live] = %q, want v2", got)
			}
			for _, tok := range []string{dead, gone} {
				if _, ok := all[tok]; ok {
					t.Errorf("all contains %s, want only unexpired sessions", tok)
				}
			}
		})
	}
}

func TestSQLStoreDeleteExpired(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		st := NewSQLStore(tg.Open(t))
		ctx := context.Background()
		for i, exp := range []time.Duration{-time.Hour, -time.Second, time.Hour} {
			if err := st.CommitCtx(ctx, "t"+string(rune('a'+i)), []byte("x"), time.Now().Add(exp)); err != nil {
				t.Fatal(err)
			}
		}
		n, err := st.DeleteExpired(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("DeleteExpired removed %d, want 2", n)
		}
		var left int
		if err := st.db.QueryRowContext(ctx, "SELECT count(*) FROM sessions").Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 1 {
			t.Errorf("%d rows left, want 1", left)
		}
	})
}

func TestRunCleanupStopsWithContext(t *testing.T) {
	d := dbtest.SQLite(t).Open(t)
	st := NewSQLStore(d)
	if err := st.CommitCtx(context.Background(), "old", []byte("x"), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	m := New(st, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		m.RunCleanup(ctx, time.Millisecond)
		close(done)
	}()
	// Wait until the cleaner has run at least once, then stop it; the test
	// fails by timing out (go test -timeout) if RunCleanup ignores ctx.
	for {
		var n int
		if err := d.QueryRow("SELECT count(*) FROM sessions").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
