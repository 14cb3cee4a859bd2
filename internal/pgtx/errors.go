package pgtx

import (
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PgError returns the PostgreSQL error inside err, or nil when err did not come from the server
// (a closed connection or a cancelled context).
func PgError(err error) *pgconn.PgError {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr
	}
	return nil
}

// IsSQLState reports whether err is a server error with the given SQLSTATE.
func IsSQLState(err error, code string) bool {
	pgErr := PgError(err)
	return pgErr != nil && pgErr.Code == code
}

// IsConstraintViolation reports whether err is a server error with the given SQLSTATE raised by
// the named constraint. Constraints are matched by name, never by message text.
func IsConstraintViolation(err error, code, constraint string) bool {
	pgErr := PgError(err)
	return pgErr != nil && pgErr.Code == code && pgErr.ConstraintName == constraint
}

// IsNoRows reports whether a :one query found nothing.
func IsNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
