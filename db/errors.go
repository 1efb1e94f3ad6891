package db

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// pgUniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const pgUniqueViolation = "23505"

// IsUniqueViolation reports whether err is PostgreSQL refusing a row whose key
// is already taken. Callers that write optimistically (the audit chain's next
// seq) use it to tell "someone else wrote first" from a failure.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgUniqueViolation
}
