-- Every query returning a task lists all of version_deployment_tasks' columns in table order, so
-- sqlc gives them the one VersionDeploymentTask type.

-- name: DeploymentTaskCreate :one
INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, planned_production_date, notes)
VALUES (@version_id, @model_id, sqlc.narg('region_id'), @assigned_to_id, @planned_production_date, sqlc.narg('notes'))
RETURNING task_id, version_id, model_id, region_id, assigned_to_id, status, planned_production_date,
          actual_production_date, notes, confirmation_notes, confirmed_by_id, confirmed_at,
          deployed_before_validation_approved, validation_override_reason, adjustment_reason,
          cancellation_reason, created_at, updated_at;

-- name: DeploymentTaskLockForUpdate :many
-- Locks the tasks of one call before any of them is worked on, in ascending task_id order: every
-- caller locks in the same order, so overlapping bulk calls wait for each other instead of
-- deadlocking. (LockRows sits above the Sort, so rows are locked in the ORDER BY order.) The locks
-- are taken in the outer transaction, never inside a task's savepoint, so a task's rollback
-- cannot release them. Only the tasks the caller may act on are locked (act_all for ADMIN;
-- otherwise the assignee's tasks and those of models the caller is an active delegate of, an
-- index lookup on model_delegates_active_key): a caller cannot hold other owners' rows locked.
SELECT t.task_id, t.version_id, t.model_id, t.region_id, t.assigned_to_id, t.status
FROM version_deployment_tasks t
WHERE t.task_id = ANY (@task_ids::int[])
  AND (@act_all::boolean
       OR t.assigned_to_id = @user_id
       OR EXISTS (
           SELECT 1 FROM model_delegates d
           WHERE d.model_id = t.model_id AND d.user_id = @user_id AND d.revoked_at IS NULL
       ))
ORDER BY t.task_id
FOR UPDATE OF t;

-- name: DeploymentTaskIDsExisting :many
-- Which of the ids name a task, without locking any: read only for a caller who may see every
-- task but act on some of them only (VALIDATOR), to tell forbidden from not_found for the ids
-- DeploymentTaskLockForUpdate did not lock. Served by the primary key.
SELECT t.task_id
FROM version_deployment_tasks t
WHERE t.task_id = ANY (@task_ids::int[])
ORDER BY t.task_id;

-- name: DeploymentModelsLock :exec
-- Serialises confirmations per model (taken after the task locks, in ascending model_id order,
-- so the lock order stays fixed): the "every region runs this version" check must see the other
-- confirmations of the same model, which READ COMMITTED shows only once they committed.
-- NO KEY UPDATE does not block the foreign-key checks (KEY SHARE) of inserts referencing models.
SELECT m.model_id
FROM models m
WHERE m.model_id = ANY (@model_ids::int[])
ORDER BY m.model_id
FOR NO KEY UPDATE OF m;

-- name: DeploymentVersionsLock :exec
-- Locks the confirmed tasks' versions (after the models, in ascending version_id order): the
-- validation a version points to is read under this lock, so a validation request created
-- meanwhile cannot re-link the version between that read and the confirmation's commit.
-- NO KEY UPDATE leaves foreign-key checks (KEY SHARE) of rows referencing the versions unblocked.
SELECT v.version_id
FROM model_versions v
WHERE v.version_id = ANY (@version_ids::int[])
ORDER BY v.version_id
FOR NO KEY UPDATE OF v;

-- name: DeploymentValidationsLock :exec
-- Serialises confirmations whose versions share a validation request (taken after the version
-- locks, in ascending request_id order): each may create that request's regional approvals, and
-- two calls inserting them in opposite region order would otherwise each wait for the other's
-- uncommitted row (40P01). NO KEY UPDATE leaves the approvals' foreign-key checks (KEY SHARE)
-- unblocked; a status change of the request (FOR UPDATE) waits for the confirmation to commit.
SELECT vr.request_id
FROM validation_requests vr
WHERE vr.request_id IN (
    SELECT v.validation_request_id FROM model_versions v WHERE v.version_id = ANY (@version_ids::int[])
)
ORDER BY vr.request_id
FOR NO KEY UPDATE OF vr;

-- name: DeploymentTaskConfirm :one
-- A task's whole confirmation in one statement (docs/savepoints.md, "Confirming one task"), so a
-- bulk task costs its savepoint and this: the task, its model's region rows, the version's actual
-- production date, the regional approvals and the audit row. Every part joins the task's update,
-- so a task no longer live (guarded by status as well as by the lock) returns no row and writes
-- nothing; a failing part fails the whole statement.
--
-- The parts share one snapshot and do not see each other's writes, so each reads what the others
-- leave as it was:
--   * regions: the task's region, or every region of the model for a global task (region_id
--     NULL), now runs the version; served by model_regions_pkey.
--   * version: its actual production date is set once every region of the model runs it (and the
--     model runs somewhere). The regions the task covers are the ones being set to the version
--     beside it, so only the other regions are looked at. The caller holds the model's lock
--     (DeploymentModelsLock), so two confirmations of the last two regions cannot both miss each
--     other.
--   * approvals: the DEPLOYMENT approvals the deployment needs, when the version has a validation
--     request: one per region it covers that requires regional approval and is outside the
--     validation's regions, the rule's one home being deployment_regions_requiring_approval
--     (which reads the model's regions, not their versions). Inserted in ascending region_id
--     order; ON CONFLICT makes it idempotent, also against a concurrent confirmation (it waits on
--     validation_approvals_deployment_key).
--   * audit: DEPLOYMENT_CONFIRMED, with the caller's changes plus what only this statement
--     knows: whether the version is now fully deployed, and the approvals' regions.
WITH task AS (
    UPDATE version_deployment_tasks
    SET status = 'CONFIRMED',
        actual_production_date = @actual_production_date,
        confirmation_notes = sqlc.narg('confirmation_notes'),
        confirmed_by_id = @confirmed_by_id,
        confirmed_at = now(),
        deployed_before_validation_approved = @deployed_before_validation_approved,
        validation_override_reason = sqlc.narg('validation_override_reason')
    WHERE task_id = @task_id AND status IN ('PENDING', 'ADJUSTED')
    RETURNING task_id, version_id, model_id, region_id, assigned_to_id, status, planned_production_date,
              actual_production_date, notes, confirmation_notes, confirmed_by_id, confirmed_at,
              deployed_before_validation_approved, validation_override_reason, adjustment_reason,
              cancellation_reason, created_at, updated_at
), regions AS (
    UPDATE model_regions mr
    SET version_id = task.version_id,
        deployed_at = @deployed_at
    FROM task
    WHERE mr.model_id = task.model_id
      AND (task.region_id IS NULL OR mr.region_id = task.region_id)
    RETURNING mr.region_id
), version AS (
    UPDATE model_versions v
    SET actual_production_date = @actual_production_date
    FROM task
    WHERE v.version_id = task.version_id
      AND v.actual_production_date IS NULL
      AND EXISTS (SELECT 1 FROM model_regions mr WHERE mr.model_id = v.model_id)
      AND NOT EXISTS (
          SELECT 1 FROM model_regions mr
          WHERE mr.model_id = v.model_id
            AND task.region_id IS NOT NULL AND mr.region_id <> task.region_id
            AND mr.version_id IS DISTINCT FROM v.version_id
      )
    RETURNING v.version_id
), approvals AS (
    INSERT INTO validation_approvals (request_id, region_id, approval_type)
    SELECT sqlc.narg('validation_request_id')::int, d.region_id, 'DEPLOYMENT'
    FROM task
    CROSS JOIN LATERAL deployment_regions_requiring_approval(sqlc.narg('validation_request_id')::int, task.model_id, task.region_id) d
    WHERE sqlc.narg('validation_request_id')::int IS NOT NULL
    ORDER BY d.region_id
    ON CONFLICT (request_id, region_id) WHERE approval_type = 'DEPLOYMENT' DO NOTHING
    RETURNING region_id
), audit AS (
    INSERT INTO audit_logs (entity_type, entity_id, action, user_id, changes)
    SELECT 'deployment_task', task.task_id, @audit_action::text, @confirmed_by_id,
           @changes::jsonb || jsonb_build_object(
               'version_fully_deployed', EXISTS (SELECT 1 FROM version),
               'regional_approval_region_ids', coalesce((SELECT jsonb_agg(a.region_id ORDER BY a.region_id) FROM approvals a), '[]'::jsonb))
    FROM task
)
SELECT task.task_id, task.version_id, task.model_id, task.region_id, task.assigned_to_id, task.status,
       task.planned_production_date, task.actual_production_date, task.notes, task.confirmation_notes,
       task.confirmed_by_id, task.confirmed_at, task.deployed_before_validation_approved,
       task.validation_override_reason, task.adjustment_reason, task.cancellation_reason,
       task.created_at, task.updated_at
FROM task;

-- name: DeploymentTaskAdjust :one
-- The adjustment and its audit row (DEPLOYMENT_ADJUSTED, with the caller's changes) in one
-- statement, so a bulk task costs its savepoint and this. Guarded by status as well as by the
-- lock: a task that is no longer live returns no row and writes nothing.
WITH task AS (
    UPDATE version_deployment_tasks
    SET status = 'ADJUSTED',
        planned_production_date = @planned_production_date,
        adjustment_reason = @adjustment_reason
    WHERE task_id = @task_id AND status IN ('PENDING', 'ADJUSTED')
    RETURNING task_id, version_id, model_id, region_id, assigned_to_id, status, planned_production_date,
              actual_production_date, notes, confirmation_notes, confirmed_by_id, confirmed_at,
              deployed_before_validation_approved, validation_override_reason, adjustment_reason,
              cancellation_reason, created_at, updated_at
), audit AS (
    INSERT INTO audit_logs (entity_type, entity_id, action, user_id, changes)
    SELECT 'deployment_task', task.task_id, @audit_action::text, @user_id, @changes
    FROM task
)
SELECT task.task_id, task.version_id, task.model_id, task.region_id, task.assigned_to_id, task.status,
       task.planned_production_date, task.actual_production_date, task.notes, task.confirmation_notes,
       task.confirmed_by_id, task.confirmed_at, task.deployed_before_validation_approved,
       task.validation_override_reason, task.adjustment_reason, task.cancellation_reason,
       task.created_at, task.updated_at
FROM task;

-- name: DeploymentTaskCancel :one
-- The cancellation and its audit row (DEPLOYMENT_CANCELLED, with the caller's changes) in one
-- statement, as DeploymentTaskAdjust.
WITH task AS (
    UPDATE version_deployment_tasks
    SET status = 'CANCELLED',
        cancellation_reason = @cancellation_reason
    WHERE task_id = @task_id AND status IN ('PENDING', 'ADJUSTED')
    RETURNING task_id, version_id, model_id, region_id, assigned_to_id, status, planned_production_date,
              actual_production_date, notes, confirmation_notes, confirmed_by_id, confirmed_at,
              deployed_before_validation_approved, validation_override_reason, adjustment_reason,
              cancellation_reason, created_at, updated_at
), audit AS (
    INSERT INTO audit_logs (entity_type, entity_id, action, user_id, changes)
    SELECT 'deployment_task', task.task_id, @audit_action::text, @user_id, @changes
    FROM task
)
SELECT task.task_id, task.version_id, task.model_id, task.region_id, task.assigned_to_id, task.status,
       task.planned_production_date, task.actual_production_date, task.notes, task.confirmation_notes,
       task.confirmed_by_id, task.confirmed_at, task.deployed_before_validation_approved,
       task.validation_override_reason, task.adjustment_reason, task.cancellation_reason,
       task.created_at, task.updated_at
FROM task;

-- name: DeploymentVersionValidation :one
-- The validation request covering a version, if any, and its status.
SELECT v.version_id, v.model_id, v.validation_request_id, vr.status AS validation_status
FROM model_versions v
LEFT JOIN validation_requests vr ON vr.request_id = v.validation_request_id
WHERE v.version_id = @version_id;

-- name: DeploymentVersionValidations :many
-- The validation request covering each of the versions, if any, and its status: a confirmation
-- reads them once, after DeploymentVersionsLock and DeploymentValidationsLock, so neither the link
-- nor the status can change before it commits.
SELECT v.version_id, v.model_id, v.validation_request_id, vr.status AS validation_status
FROM model_versions v
LEFT JOIN validation_requests vr ON vr.request_id = v.validation_request_id
WHERE v.version_id = ANY (@version_ids::int[])
ORDER BY v.version_id;

-- name: DeploymentRegionsRequiringApproval :many
-- The regions a task covers (its region, or every region of the model for a global task) that
-- require regional approval and are not among the validation's regions (none are when the
-- version has no validation: request_id NULL): deployment_regions_requiring_approval, the rule's
-- one home, inlined.
SELECT d.region_id, d.code
FROM deployment_regions_requiring_approval(sqlc.narg('request_id')::int, @model_id::int, sqlc.narg('region_id')::int) d
ORDER BY d.region_id;

-- name: DeploymentTaskGet :one
SELECT task_id, version_id, model_id, region_id, assigned_to_id, status, planned_production_date,
       actual_production_date, notes, confirmation_notes, confirmed_by_id, confirmed_at,
       deployed_before_validation_approved, validation_override_reason, adjustment_reason,
       cancellation_reason, created_at, updated_at
FROM version_deployment_tasks
WHERE task_id = @task_id;

-- name: DeploymentTaskList :many
-- The deployment task queue (GET /deployment-tasks, sort=task_id): keyset pagination on task_id
-- after after_id, read in version_deployment_tasks_pkey order when no filter narrows it.
-- Every filter is optional and written so that, with its parameter given, PostgreSQL folds the
-- others away (pgx sends the values; the plans below are the custom plans of those values):
-- status, assigned_to, model_id: version_deployment_tasks_status_idx, _assigned_to_id_idx,
--   _model_id_idx (each ending in task_id).
-- mine (what I may act on: assigned to me, or of a model I am an active delegate of) and the
--   visibility of a USER (see_all false: the same set): assigned_to_id = me OR model_id = ANY
--   (the models I delegate for, an InitPlan over model_delegates_user_id_idx) is a BitmapOr of
--   _assigned_to_id_idx and _model_id_idx, then a sort of the caller's own tasks (a queue's
--   size, not the table's).
-- due (open tasks whose planned date lies due_from_days..due_to_days days after as_of; the
--   service turns overdue/today/week/later into the range): a range of the partial index
--   version_deployment_tasks_open_planned_idx, whose predicate the status test implies.
-- The day counts are taken on as_of, else today in UTC; the joins (models, model_versions,
-- regions, validation_requests) are primary-key probes of the page's rows, and
-- requires_regional_approval is deployment_regions_requiring_approval, inlined: probes of
-- model_regions_pkey, regions_pkey and validation_request_regions_pkey.
-- EXPLAIN (ANALYZE, BUFFERS) on 210,000 tasks, 70,000 versions, 50,000 requests: no sequential
-- scan of a big table (only of regions, a handful of rows). Unfiltered, status, assigned_to and
-- model_id pages are index ranges; sort=planned_production_date reads _planned_idx, and with due
-- _open_planned_idx, in order; mine and a USER's view are the pkey walked in order with the
-- visibility as a filter when the planner expects the caller's tasks to be frequent (a queue
-- whose tasks are rare among all tasks reads further; a UNION-per-branch form is the fix should
-- the bench show it), and due with sort=task_id the same.
SELECT t.task_id, t.version_id, t.model_id, t.region_id, t.assigned_to_id, t.status, t.planned_production_date,
       t.actual_production_date, t.confirmation_notes, t.confirmed_by_id, t.confirmed_at,
       t.deployed_before_validation_approved, t.validation_override_reason, t.created_at,
       m.model_name, v.version_number, r.code AS region_code,
       (t.planned_production_date - coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date))::int AS days_until_due,
       vr.status AS validation_status,
       EXISTS (
           SELECT 1 FROM deployment_regions_requiring_approval(v.validation_request_id, t.model_id, t.region_id)
       ) AS requires_regional_approval
FROM version_deployment_tasks t
JOIN models m ON m.model_id = t.model_id
JOIN model_versions v ON v.version_id = t.version_id
LEFT JOIN regions r ON r.region_id = t.region_id
LEFT JOIN validation_requests vr ON vr.request_id = v.validation_request_id
WHERE t.task_id > @after_id
  AND (sqlc.narg('status')::deployment_task_status IS NULL OR t.status = sqlc.narg('status')::deployment_task_status)
  AND (sqlc.narg('assigned_to_id')::int IS NULL OR t.assigned_to_id = sqlc.narg('assigned_to_id')::int)
  AND (sqlc.narg('model_id')::int IS NULL OR t.model_id = sqlc.narg('model_id')::int)
  AND (NOT @mine::boolean
       OR t.assigned_to_id = @user_id
       OR t.model_id = ANY (ARRAY(
           SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id AND d.revoked_at IS NULL)))
  AND (NOT @due::boolean
       OR (t.status IN ('PENDING', 'ADJUSTED')
           AND t.planned_production_date >= coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) + @due_from_days::int
           AND t.planned_production_date <= coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) + @due_to_days::int))
  AND (@see_all::boolean
       OR t.assigned_to_id = @user_id
       OR t.model_id = ANY (ARRAY(
           SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id AND d.revoked_at IS NULL)))
ORDER BY t.task_id
LIMIT @page_limit;

-- name: DeploymentTaskListByPlannedDate :many
-- The deployment task queue sorted by planned production date (sort=planned_production_date):
-- keyset on (planned_production_date, task_id) after (after_date, after_id), the order of
-- version_deployment_tasks_planned_idx (and of _open_planned_idx under a due filter), so a page
-- is one index range read in order. planned_production_date is NOT NULL, so no task sorts apart.
-- The filters are DeploymentTaskList's, word for word.
-- Every filter is optional and written so that, with its parameter given, PostgreSQL folds the
-- others away (pgx sends the values; the plans below are the custom plans of those values):
-- status, assigned_to, model_id: version_deployment_tasks_status_idx, _assigned_to_id_idx,
--   _model_id_idx (each ending in task_id).
-- mine (what I may act on: assigned to me, or of a model I am an active delegate of) and the
--   visibility of a USER (see_all false: the same set): assigned_to_id = me OR model_id = ANY
--   (the models I delegate for, an InitPlan over model_delegates_user_id_idx) is a BitmapOr of
--   _assigned_to_id_idx and _model_id_idx, then a sort of the caller's own tasks (a queue's
--   size, not the table's).
-- due (open tasks whose planned date lies due_from_days..due_to_days days after as_of; the
--   service turns overdue/today/week/later into the range): a range of the partial index
--   version_deployment_tasks_open_planned_idx, whose predicate the status test implies.
-- The day counts are taken on as_of, else today in UTC; the joins (models, model_versions,
-- regions, validation_requests) are primary-key probes of the page's rows, and
-- requires_regional_approval is deployment_regions_requiring_approval, inlined: probes of
-- model_regions_pkey, regions_pkey and validation_request_regions_pkey.
-- EXPLAIN (ANALYZE, BUFFERS) on 210,000 tasks, 70,000 versions, 50,000 requests: no sequential
-- scan of a big table (only of regions, a handful of rows). Unfiltered, status, assigned_to and
-- model_id pages are index ranges; sort=planned_production_date reads _planned_idx, and with due
-- _open_planned_idx, in order; mine and a USER's view are the pkey walked in order with the
-- visibility as a filter when the planner expects the caller's tasks to be frequent (a queue
-- whose tasks are rare among all tasks reads further; a UNION-per-branch form is the fix should
-- the bench show it), and due with sort=task_id the same.
SELECT t.task_id, t.version_id, t.model_id, t.region_id, t.assigned_to_id, t.status, t.planned_production_date,
       t.actual_production_date, t.confirmation_notes, t.confirmed_by_id, t.confirmed_at,
       t.deployed_before_validation_approved, t.validation_override_reason, t.created_at,
       m.model_name, v.version_number, r.code AS region_code,
       (t.planned_production_date - coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date))::int AS days_until_due,
       vr.status AS validation_status,
       EXISTS (
           SELECT 1 FROM deployment_regions_requiring_approval(v.validation_request_id, t.model_id, t.region_id)
       ) AS requires_regional_approval
FROM version_deployment_tasks t
JOIN models m ON m.model_id = t.model_id
JOIN model_versions v ON v.version_id = t.version_id
LEFT JOIN regions r ON r.region_id = t.region_id
LEFT JOIN validation_requests vr ON vr.request_id = v.validation_request_id
WHERE (t.planned_production_date, t.task_id) > (@after_date::date, @after_id::int)
  AND (sqlc.narg('status')::deployment_task_status IS NULL OR t.status = sqlc.narg('status')::deployment_task_status)
  AND (sqlc.narg('assigned_to_id')::int IS NULL OR t.assigned_to_id = sqlc.narg('assigned_to_id')::int)
  AND (sqlc.narg('model_id')::int IS NULL OR t.model_id = sqlc.narg('model_id')::int)
  AND (NOT @mine::boolean
       OR t.assigned_to_id = @user_id
       OR t.model_id = ANY (ARRAY(
           SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id AND d.revoked_at IS NULL)))
  AND (NOT @due::boolean
       OR (t.status IN ('PENDING', 'ADJUSTED')
           AND t.planned_production_date >= coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) + @due_from_days::int
           AND t.planned_production_date <= coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) + @due_to_days::int))
  AND (@see_all::boolean
       OR t.assigned_to_id = @user_id
       OR t.model_id = ANY (ARRAY(
           SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id AND d.revoked_at IS NULL)))
ORDER BY t.planned_production_date, t.task_id
LIMIT @page_limit;

-- name: DeploymentTaskCount :one
-- How many tasks DeploymentTaskList would list over all its pages, for a CSV export, which is
-- refused over EXPORT_MAX_ROWS before any row is sent. The same filters, word for word.
SELECT count(*)
FROM version_deployment_tasks t
WHERE true
  AND (sqlc.narg('status')::deployment_task_status IS NULL OR t.status = sqlc.narg('status')::deployment_task_status)
  AND (sqlc.narg('assigned_to_id')::int IS NULL OR t.assigned_to_id = sqlc.narg('assigned_to_id')::int)
  AND (sqlc.narg('model_id')::int IS NULL OR t.model_id = sqlc.narg('model_id')::int)
  AND (NOT @mine::boolean
       OR t.assigned_to_id = @user_id
       OR t.model_id = ANY (ARRAY(
           SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id AND d.revoked_at IS NULL)))
  AND (NOT @due::boolean
       OR (t.status IN ('PENDING', 'ADJUSTED')
           AND t.planned_production_date >= coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) + @due_from_days::int
           AND t.planned_production_date <= coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) + @due_to_days::int))
  AND (@see_all::boolean
       OR t.assigned_to_id = @user_id
       OR t.model_id = ANY (ARRAY(
           SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id AND d.revoked_at IS NULL)));
