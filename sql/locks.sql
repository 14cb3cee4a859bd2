-- name: AcquireModelLock :exec
-- Transaction-scoped advisory lock on one key of one namespace; released by COMMIT or ROLLBACK,
-- never held across requests on a pooled connection (DESIGN.md, "Session locks"). One key per
-- statement: the caller sorts the keys, so the locking order is explicit in Go and testable
-- (DESIGN.md, "Lock order in SQL"). Waits at most lock_timeout, then fails with 55P03.
SELECT pg_advisory_xact_lock(@namespace::int, @model_id::int);

-- name: LockTimeoutSetLocal :exec
-- SET LOCAL lock_timeout cannot take a bind parameter; set_config(..., true) is the same setting,
-- scoped to the current transaction, with the value bound. It bounds advisory-lock waits, row-lock
-- waits and waits on unique indexes alike. @value is a PostgreSQL duration such as '5000ms'.
SELECT set_config('lock_timeout', @value::text, true);
