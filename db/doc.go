// Package db opens Chartside's own database and keeps its schema current.
//
// Chartside runs on one of two engines behind the same *sql.DB: an embedded
// SQLite file in DATA_DIR (the default, pure Go so the static build keeps
// working) or PostgreSQL when several replicas share state. Queries are
// written with "?" placeholders and passed through Rebind; values whose
// storage differs between the engines (timestamps) go through TimeArg and
// Timestamp so the rest of the code never branches on the dialect.
package db
