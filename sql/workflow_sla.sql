-- name: WorkflowSLAGet :one
-- GET /workflow-sla: the one row (workflow_sla_one_row).
SELECT assignment_days, begin_work_days, approval_days, updated_at
FROM workflow_sla
WHERE singleton;

-- name: WorkflowSLALockForUpdate :one
-- PUT /workflow-sla: FOR UPDATE so two edits are judged one after the other and each audit row's
-- "from" is what the edit replaced.
SELECT assignment_days, begin_work_days, approval_days, updated_at
FROM workflow_sla
WHERE singleton
FOR UPDATE;

-- name: WorkflowSLAUpdate :one
-- The row locked just before; workflow_sla_days_range holds the ranges the service checked.
UPDATE workflow_sla
SET assignment_days = @assignment_days, begin_work_days = @begin_work_days, approval_days = @approval_days,
    updated_at = now(), updated_by = @updated_by
WHERE singleton
RETURNING assignment_days, begin_work_days, approval_days, updated_at;
