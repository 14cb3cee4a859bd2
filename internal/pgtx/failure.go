package pgtx

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/domain"
)

// Failure is what kind of database failure an error is, for the decisions every caller makes
// the same way: what the client is told, and whether a read may run again.
type Failure int

// The failures Classify tells apart. Everything else (a constraint violation, a bug) is Other:
// the caller maps it to a domain error itself or it is an internal error.
const (
	Other Failure = iota
	// LockTimeout is a lock wait past lock_timeout (55P03): the data is busy.
	LockTimeout
	// StatementTimeout is a statement past statement_timeout, or cancelled with its request
	// (57014, or the request's context ending): the work ran out of time.
	StatementTimeout
	// Collision is a deadlock (40P01) or a serialization failure (40001): PostgreSQL aborted the
	// transaction so another could go on; nothing of it committed.
	Collision
	// Unavailable is the database going away or not being there: connection refused or reset,
	// the server shutting down or starting (57P01, 57P02, 57P03), any connection exception
	// (class 08), too many connections (53300), a connection closed mid-statement.
	Unavailable
)

// Classify says which Failure err is. It is the one place mrmflow reads SQLSTATEs and driver
// errors to decide between lock_timeout, unavailable and a retry; services and the HTTP layer
// both go through it (Translate, RetryableRead).
func Classify(err error) Failure {
	if err == nil {
		return Other
	}
	if pgErr := PgError(err); pgErr != nil {
		switch code := pgErr.Code; {
		case code == LockNotAvailable:
			return LockTimeout
		case code == QueryCanceled:
			return StatementTimeout
		case code == DeadlockDetected || code == SerializationFailure:
			return Collision
		case code == AdminShutdown || code == CrashShutdown || code == CannotConnectNow ||
			code == TooManyConnections || strings.HasPrefix(code, "08"):
			return Unavailable
		}
		return Other
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || pgconn.Timeout(err):
		return StatementTimeout
	case errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, pgconn.ErrConnClosed),
		// A statement that never reached the server because its connection was unusable.
		pgconn.SafeToRetry(err):
		return Unavailable
	}
	return Other
}

// RetryableRead reports whether a read that failed with err may run once more on another
// connection: the connection died (typically while idle in the pool, after a restart or a
// pg_terminate_backend), or PostgreSQL aborted the transaction in a deadlock or serialization
// failure. Only reads and idempotent work may be retried; a write is never retried blindly.
func RetryableRead(err error) bool {
	switch Classify(err) {
	case Unavailable, Collision:
		return true
	}
	return false
}

// ConnectionsLost reports whether err says the pool's connections are likely dead: the database
// went away (a restart, a failover, a pooler restart, a terminated backend), so its idle
// connections should be dropped. Too many connections (53300) is Unavailable too, but there the
// server is up and the idle connections are the healthy ones it will not replace.
func ConnectionsLost(err error) bool {
	return Classify(err) == Unavailable && !IsSQLState(err, TooManyConnections)
}

// DropDeadConnections empties pool when err says its connections were lost (ConnectionsLost):
// after a restart, a failover or a pooler restart every idle connection is most likely dead too,
// and a retry, or the next request, must open a fresh one instead of failing on the next dead
// one. Connections in use are closed when they come back. The one place that decides it, for the
// HTTP layer's read retry and WithTxRetryV.
func DropDeadConnections(pool *pgxpool.Pool, err error) {
	if ConnectionsLost(err) {
		pool.Reset()
	}
}

// Translate turns a database failure into the domain error a client sees, keeping err as the
// cause (errors.Is and IsSQLState still see it): a lock wait past lock_timeout and a deadlock
// or serialization failure are lock_timeout (503, the data is busy); a statement past
// statement_timeout, a cancelled request and the database going away are unavailable (503).
// A domain error, and anything that is no such failure, is returned unchanged.
func Translate(err error) error {
	var de *domain.Error
	if err == nil || errors.As(err, &de) {
		return err
	}
	switch Classify(err) {
	case LockTimeout:
		return &translated{domain.Errorf(domain.CodeLockTimeout, "the data is busy with another request; retry shortly"), err}
	case Collision:
		return &translated{domain.Errorf(domain.CodeLockTimeout, "the request collided with a concurrent one; retry it"), err}
	case StatementTimeout:
		return &translated{domain.Errorf(domain.CodeUnavailable, "the request did not finish in time; retry it"), err}
	case Unavailable:
		return &translated{domain.Errorf(domain.CodeUnavailable, "the database is unavailable; retry shortly"), err}
	}
	return err
}

// BusyAs is Translate for a lock wait past lock_timeout, with a message naming what was busy (a
// model, the deployment tasks); err stays the cause, as Translate keeps it. Any other err comes
// back unchanged.
func BusyAs(err error, message string) error {
	if Classify(err) != LockTimeout {
		return err
	}
	return &translated{domain.Errorf(domain.CodeLockTimeout, "%s", message), err}
}

// translated is a domain error with the database error that caused it, both visible to
// errors.As and errors.Is.
type translated struct {
	domain *domain.Error
	cause  error
}

func (e *translated) Error() string   { return e.domain.Error() + ": " + e.cause.Error() }
func (e *translated) Unwrap() []error { return []error{e.domain, e.cause} }
