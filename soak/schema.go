package soak

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/chartside/chartside/db"
)

// FreshSchema creates an empty schema for one run in the PostgreSQL at serverURL and returns a
// DATABASE_URL that uses it, and a function that drops it: each run's audit trail is its own.
func FreshSchema(ctx context.Context, serverURL string) (string, func(), error) {
	admin, err := db.Open(ctx, serverURL, "")
	if err != nil {
		return "", nil, fmt.Errorf("soak: postgres: %w", err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		admin.Close()
		return "", nil, err
	}
	schema := "chartside_soak_" + hex.EncodeToString(b[:])
	// The name is hex digits generated above: quoting is safe.
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("soak: postgres: create schema: %w", err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, `DROP SCHEMA "`+schema+`" CASCADE`)
		admin.Close()
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		drop()
		return "", nil, fmt.Errorf("soak: postgres: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
