package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/staff"
)

// readOnlyRole creates a PostgreSQL login role that may only SELECT from the tables of tg's schema
// (an auditor's or a DBA's read-only account), dropped when the test ends, and returns tg's URL
// signed in as that role.
func readOnlyRole(t *testing.T, tg dbtest.Target, admin *db.DB) string {
	t.Helper()
	return limitedRole(t, tg, admin, "SELECT")
}

// limitedRole creates a PostgreSQL login role with the given privileges on the tables of tg's schema
// (and use of its sequences), and no right to create, alter or drop anything, dropped when the test
// ends; it returns tg's URL signed in as that role.
func limitedRole(t *testing.T, tg dbtest.Target, admin *db.DB, privileges string) string {
	t.Helper()
	u, err := url.Parse(tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	b := make([]byte, 6)
	rand.Read(b)
	role := "chartside_ro_" + hex.EncodeToString(b)
	// The role and schema names are made of hex digits and underscores, so quoting is safe.
	for _, stmt := range []string{
		`CREATE ROLE "` + role + `" LOGIN`,
		`GRANT USAGE ON SCHEMA "` + schema + `" TO "` + role + `"`,
		`GRANT ` + privileges + ` ON ALL TABLES IN SCHEMA "` + schema + `" TO "` + role + `"`,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "` + schema + `" TO "` + role + `"`,
	} {
		if _, err := admin.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		// Cleanups run last-registered first: this runs before dbtest drops the schema.
		for _, stmt := range []string{`DROP OWNED BY "` + role + `"`, `DROP ROLE "` + role + `"`} {
			if _, err := admin.Exec(stmt); err != nil {
				t.Errorf("%s: %v", stmt, err)
			}
		}
	})
	u.User = url.User(role)
	return u.String()
}

// runWeb runs `web args…` as run does, in a sandbox-mode environment with env added.
func runWeb(t *testing.T, env map[string]string, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, testEnv(t, env), strings.NewReader(""), &out, &errOut)
	return out.String(), err
}

// TestReadCommandsWithSelectOnlyRole: with a PostgreSQL role that may only read, `web audit verify`,
// `web audit export` and `web staff list` work (they used to fail trying to create
// schema_migrations: "permission denied for schema"), and change nothing; a command that changes
// accounts still needs a role that may write.
func TestReadCommandsWithSelectOnlyRole(t *testing.T) {
	tg := dbtest.Postgres(t)
	d := tg.Open(t) // migrated by the owner, as `web serve` would
	ctx := context.Background()
	trail := audit.New(d, time.Now)
	for i := range 3 {
		if err := trail.Record(ctx, audit.Entry{Username: "alice", Action: audit.ActionSignIn, Outcome: audit.OutcomeOK, RequestID: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := staff.NewStore(d, time.Now, staff.WithHashParams(staff.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})).
		Add(ctx, "alice", "a long enough password", staff.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": readOnlyRole(t, tg, d)}

	out, err := runWeb(t, env, "audit", "verify")
	if err != nil || !strings.HasPrefix(out, "audit trail OK: 3 records, last hash ") {
		t.Errorf("audit verify as a read-only role: out %q, err %v", out, err)
	}
	out, err = runWeb(t, env, "staff", "list")
	if err != nil || !strings.Contains(out, "alice") {
		t.Errorf("staff list as a read-only role: out %q, err %v", out, err)
	}
	// An export records itself before it runs (it holds patient identifiers): a role that cannot add
	// to audit_log is refused for that reason, not for the schema.
	_, err = runWeb(t, env, "audit", "export", "--since", "2020-01-01")
	if err == nil || !strings.Contains(err.Error(), "the export could not be recorded") {
		t.Errorf("audit export as a SELECT-only role: err %v, want refused as unrecorded", err)
	}
	_, err = runWeb(t, env, "staff", "disable", "alice")
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("staff disable as a read-only role: err %v, want permission denied", err)
	}
	if res, err := trail.Verify(ctx); err != nil || !res.OK || res.Records != 3 {
		t.Errorf("trail after the read-only commands: %+v, %v; want the same 3 records", res, err)
	}
}

// TestServeWithRowsOnlyRole: a hospital DBA owns the tables and gives the server's role only
// SELECT, INSERT, UPDATE and DELETE, so that the account on every app host cannot alter or drop
// them, nor disable audit_log's append-only trigger (an owner can). Chartside refused to start with
// such a role even with the schema current ("create schema_migrations: permission denied for
// schema"), since every start re-ran CREATE TABLE IF NOT EXISTS. Now a current schema is left
// alone: the server starts, is ready and records, and the staff commands work.
func TestServeWithRowsOnlyRole(t *testing.T) {
	tg := dbtest.Postgres(t)
	d := tg.Open(t) // migrated by the owner, as the DBA (or a first start as the owner) would
	env := map[string]string{"DATABASE_URL": limitedRole(t, tg, d, "SELECT, INSERT, UPDATE, DELETE"), "SANDBOX": "true"}

	base, logs, stop := startServer(t, testEnv(t, env))
	waitHealthy(t, base)
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz as a rows-only role: %d %s", resp.StatusCode, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("web serve as a rows-only role: %v\n%s", err, logs.String())
	}

	if _, err := runWeb(t, env, "staff", "disable", staff.DemoUsername); err != nil {
		t.Errorf("staff disable as a rows-only role: %v", err)
	}
	res, err := audit.New(d, time.Now).Verify(context.Background())
	if err != nil || !res.OK || res.Records == 0 {
		t.Errorf("trail after the rows-only role's commands: %+v, %v; want its records, chained", res, err)
	}

	// A schema an upgrade left behind (its last migration not yet applied) is not this role's to
	// change: the one line says so and what to run, instead of a bare "permission denied".
	ms, err := d.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(d.Rebind("DELETE FROM schema_migrations WHERE version = ?"), ms[len(ms)-1].Version); err != nil {
		t.Fatal(err)
	}
	_, err = runWeb(t, env, "serve")
	if err == nil || !strings.Contains(err.Error(), "start this version's `web serve` once with the tables' owner's DATABASE_URL") || strings.Contains(err.Error(), "\n") {
		t.Errorf("serve as a rows-only role on an older schema: err %v, want one line saying to upgrade as the owner", err)
	}
}

// TestReadCommandsCheckSchema: a read command on a database whose schema is not this build's says
// so in one line and what to run, and leaves the database as it was.
func TestReadCommandsCheckSchema(t *testing.T) {
	tg := dbtest.Postgres(t)
	d := tg.Open(t)
	ms, err := d.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	latest := ms[len(ms)-1].Version
	// An older schema: the last migration not yet applied (its column is left in place; only the
	// recorded version matters to the check).
	if _, err := d.Exec(d.Rebind("DELETE FROM schema_migrations WHERE version = ?"), latest); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": tg.URL}
	for _, args := range [][]string{{"audit", "verify"}, {"staff", "list"}, {"audit", "export", "--since", "2020-01-01"}} {
		_, err := runWeb(t, env, args...)
		want := "the schema is at version " + strconv.Itoa(latest-1) + ", this web expects " + strconv.Itoa(latest) + ": start this version's `web serve` once"
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q on an older schema: err %v, want one line containing %q", args, err, want)
		}
	}
	if v, err := d.SchemaVersion(context.Background()); err != nil || v != latest-1 {
		t.Errorf("schema version after the read commands = %d, %v; want %d (unchanged)", v, err, latest-1)
	}

	// No Chartside schema at all (a wrong search_path or database): version 0, nothing created.
	empty := dbtest.Postgres(t)
	_, err = runWeb(t, map[string]string{"DATABASE_URL": empty.URL}, "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "no Chartside schema there") {
		t.Errorf("verify on an empty schema: err %v", err)
	}
	e, err := db.Open(context.Background(), empty.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.CheckSchema(context.Background()); err == nil || !strings.Contains(err.Error(), "version 0") {
		t.Errorf("empty schema after verify: CheckSchema = %v, want still version 0 (nothing created)", err)
	}

	// SQLite: a DATA_DIR with no database is named, not turned into an empty trail.
	dir := t.TempDir()
	_, err = runWeb(t, map[string]string{"DATA_DIR": dir}, "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "DATA_DIR") || !strings.Contains(err.Error(), "holds no Chartside database") {
		t.Errorf("verify on an empty DATA_DIR: err %v", err)
	}
}
