-- name: TransactionLimitsSetLocal :exec
-- Bounds the calling transaction's lock waits and statements. SET LOCAL cannot take bind
-- parameters; set_config(..., true) is the same setting, scoped to the transaction, with the value
-- bound (a PostgreSQL duration such as '5000ms'); NULL keeps the session's value. It is set in the
-- outer transaction before any savepoint, which would undo it on rollback. lock_timeout bounds
-- advisory-lock, row-lock and unique-index waits (55P03); statement_timeout bounds each statement
-- (57014, which a savepoint rollback recovers from, whereas a Go context deadline closes the
-- connection and loses the whole transaction).
SELECT set_config('lock_timeout', coalesce(sqlc.narg('lock_timeout')::text, current_setting('lock_timeout')), true),
       set_config('statement_timeout', coalesce(sqlc.narg('statement_timeout')::text, current_setting('statement_timeout')), true);
