-- name: AcquireModelLock :exec
-- Transaction-scoped advisory lock on one key of one namespace; released by COMMIT or ROLLBACK,
-- never held across requests on a pooled connection (docs/locks.md, "Transaction-scoped only").
-- One key per statement: the caller sorts the keys, so the locking order is explicit in Go and
-- testable (docs/locks.md, "One key per statement"). Waits at most lock_timeout, then fails with
-- 55P03.
SELECT pg_advisory_xact_lock(@namespace::int, @model_id::int);
