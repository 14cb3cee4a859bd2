package pgtx

import (
	"strconv"
	"time"
)

// Limits bound one transaction's waits: LockTimeout its lock waits (55P03 past it) and
// StatementTimeout each of its statements (57014). A zero field keeps the session's setting.
type Limits struct {
	LockTimeout      time.Duration
	StatementTimeout time.Duration
}

// DefaultLockTimeout bounds the lock waits of a service given no lock timeout (LOCK_TIMEOUT's
// default): no transaction waits for a busy row longer than this, so none holds a pool
// connection for the whole statement timeout.
const DefaultLockTimeout = 5 * time.Second

// Bounded returns l with DefaultLockTimeout for a zero LockTimeout: every service bounds its
// transactions' lock waits. A zero StatementTimeout stays zero (the session's setting, which
// mrmflow never changes: behind a transaction pooler only SET LOCAL is safe), so a service given
// STATEMENT_TIMEOUT sets it in each transaction.
func (l Limits) Bounded() Limits {
	if l.LockTimeout <= 0 {
		l.LockTimeout = DefaultLockTimeout
	}
	return l
}

// milliseconds spells d as a PostgreSQL duration, or nil (keep the setting) for zero.
func milliseconds(d time.Duration) *string {
	if d <= 0 {
		return nil
	}
	s := strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	return &s
}
