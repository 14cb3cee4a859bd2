-- name: AuditLogInsert :exec
INSERT INTO audit_logs (entity_type, entity_id, action, user_id, changes)
VALUES (@entity_type, @entity_id, @action, sqlc.narg('user_id'), @changes);

-- name: AuditLogList :many
-- Newest first. Each optional filter is "IS NULL OR equals", and every filter has an index that
-- ends in audit_id (see the audit_logs migration), so the planner walks one index backwards.
SELECT audit_id, entity_type, entity_id, action, user_id, changes, created_at
FROM audit_logs
WHERE audit_id < @before_id
  AND (sqlc.narg('entity_type')::text IS NULL OR entity_type = sqlc.narg('entity_type'))
  AND (sqlc.narg('entity_id')::int IS NULL OR entity_id = sqlc.narg('entity_id'))
  AND (sqlc.narg('action')::text IS NULL OR action = sqlc.narg('action'))
  AND (sqlc.narg('user_id')::int IS NULL OR user_id = sqlc.narg('user_id'))
ORDER BY audit_id DESC
LIMIT @page_limit;

-- name: AuditLogCount :one
-- How many rows AuditLogList lists over all its pages, for a CSV export. The same filters.
SELECT count(*)
FROM audit_logs
WHERE (sqlc.narg('entity_type')::text IS NULL OR entity_type = sqlc.narg('entity_type'))
  AND (sqlc.narg('entity_id')::int IS NULL OR entity_id = sqlc.narg('entity_id'))
  AND (sqlc.narg('action')::text IS NULL OR action = sqlc.narg('action'))
  AND (sqlc.narg('user_id')::int IS NULL OR user_id = sqlc.narg('user_id'));
