package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chartside/chartside/db"
)

// connectDatabase opens Chartside's database (SQLite in DATA_DIR, or DATABASE_URL) as it is,
// turning a failure into the setting to fix.
func connectDatabase(ctx context.Context, cfg Config) (*db.DB, error) {
	database, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	switch {
	case err != nil && cfg.DatabaseURL != "":
		// pgx's connection errors name the host, user and database, never the password.
		return nil, &ConfigError{Var: "DATABASE_URL", Problem: fmt.Sprintf("cannot be used (%v)", err),
			Fix: "check the host, port, database name and credentials, and that PostgreSQL is running and reachable from this host"}
	case err != nil:
		return nil, &ConfigError{Var: "DATA_DIR", Problem: fmt.Sprintf("is %q, where the database cannot be opened (%v)", cfg.DataDir, unwrapPathError(err)),
			Fix: "point it at a directory the account Chartside runs as can create and write"}
	}
	return database, nil
}

// openDatabaseToRead opens the database for the commands that read it (audit verify and export,
// staff list) without migrating it: they must work with a role that may only read (an auditor's,
// a DBA's read-only account), and must not change the schema under running servers. The schema
// must already be the one this build expects; otherwise one line says what to run.
func openDatabaseToRead(ctx context.Context, cfg Config) (*db.DB, error) {
	if cfg.DatabaseURL == "" {
		// db.Open would create an empty database here, and the command would then report an
		// empty trail or no accounts instead of the wrong directory.
		path := filepath.Join(cfg.DataDir, db.FileName)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, &ConfigError{Var: "DATA_DIR", Problem: fmt.Sprintf("is %q, which holds no Chartside database (%s not found)", cfg.DataDir, db.FileName),
				Fix: "point it at the directory `web serve` uses (or set DATABASE_URL to its PostgreSQL)"}
		}
	}
	database, err := connectDatabase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := database.CheckSchema(ctx); err != nil {
		database.Close()
		var se *db.SchemaError
		if errors.As(err, &se) {
			return nil, schemaAdvice(se)
		}
		return nil, fmt.Errorf("database: %w", err)
	}
	return database, nil
}

// schemaAdvice turns a schema at the wrong version into what to do about it.
func schemaAdvice(se *db.SchemaError) error {
	switch {
	case se.Have == 0:
		return fmt.Errorf("database: no Chartside schema there (version 0, this web expects %d): check DATABASE_URL or DATA_DIR names the database `web serve` uses; this command never creates or changes tables", se.Want)
	case se.Have < se.Want:
		return fmt.Errorf("database: the schema is at version %d, this web expects %d: start this version's `web serve` once (it upgrades the schema at start-up, with a role that may create tables), then run this again; this command never changes the schema", se.Have, se.Want)
	default:
		return fmt.Errorf("database: the schema is at version %d, newer than this web expects (%d): run the newer web that upgraded it", se.Have, se.Want)
	}
}
