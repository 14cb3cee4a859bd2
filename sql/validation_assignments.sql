-- Assignments of validators to validation requests. Every statement that changes assignments
-- runs after ValidationRequestLockForUpdate of their request, in the same transaction, so changes
-- of one request's assignments (and its status) are judged one after the other; the partial
-- unique indexes validation_assignments_one_primary_key and _one_reviewer_key hold the "one
-- primary, one reviewer" rule for any writer. Every query returning an assignment lists the
-- columns the API shows, in the same order, so sqlc gives them one row type.

-- name: ValidationAssigneeCheck :one
-- What the independence rule of an assignment needs about a prospective validator of one
-- request, in one read: their role, and whether they own or actively delegate for any of its
-- models (primary-key and model_delegates_active_key lookups per linked model). Whether they
-- requested it is not read: a requestor may work their own request (README, "Inside a
-- validation"); a decision's stricter rule is validation_request_involves. Run after the
-- request's row lock: the models of a request change only under that lock.
SELECT u.role,
       EXISTS (
           SELECT 1
           FROM validation_request_models vrm
           JOIN models m ON m.model_id = vrm.model_id
           WHERE vrm.request_id = @request_id AND m.owner_id = u.user_id
       ) AS owns_model,
       EXISTS (
           SELECT 1
           FROM validation_request_models vrm
           JOIN model_delegates d ON d.model_id = vrm.model_id
           WHERE vrm.request_id = @request_id AND d.user_id = u.user_id AND d.revoked_at IS NULL
       ) AS delegates_model
FROM users u
WHERE u.user_id = @validator_id;

-- name: ValidationAssignmentsDemote :exec
-- Takes the primary and/or reviewer role away from the request's current holder before another
-- assignment is given it (same transaction, under the request's row lock). A demoted reviewer
-- loses their sign-off. except_id keeps the assignment being promoted out of it (0 = none).
UPDATE validation_assignments
SET is_primary    = CASE WHEN @demote_primary::boolean THEN false ELSE is_primary END,
    is_reviewer   = CASE WHEN @demote_reviewer::boolean THEN false ELSE is_reviewer END,
    signed_off_at = CASE WHEN @demote_reviewer::boolean THEN NULL ELSE signed_off_at END,
    updated_at    = now()
WHERE request_id = @request_id
  AND assignment_id <> @except_id
  AND ((@demote_primary::boolean AND is_primary) OR (@demote_reviewer::boolean AND is_reviewer));

-- name: ValidationAssignmentCreate :one
INSERT INTO validation_assignments (request_id, validator_id, is_primary, is_reviewer, estimated_hours, assigned_by)
VALUES (@request_id, @validator_id, @is_primary, @is_reviewer, sqlc.narg('estimated_hours'), @assigned_by)
RETURNING assignment_id, request_id, validator_id, is_primary, is_reviewer, estimated_hours, actual_hours,
          signed_off_at, created_at;

-- name: ValidationAssignmentRequestID :one
-- The request of an assignment, read before the request's row is locked (an assignment never
-- moves to another request, so the answer cannot go stale).
SELECT request_id
FROM validation_assignments
WHERE assignment_id = @assignment_id;

-- name: ValidationAssignmentGet :one
-- Read after the request's row lock, so it sees the last committed change of the assignment.
SELECT assignment_id, request_id, validator_id, is_primary, is_reviewer, estimated_hours, actual_hours,
       signed_off_at, created_at
FROM validation_assignments
WHERE assignment_id = @assignment_id;

-- name: ValidationAssignmentUpdate :one
-- Sets every editable field (the service merges the PATCH into the current row first). Losing
-- the reviewer role clears the sign-off (validation_assignments_sign_off_by_reviewer).
UPDATE validation_assignments
SET is_primary      = @is_primary,
    is_reviewer     = @is_reviewer,
    estimated_hours = sqlc.narg('estimated_hours'),
    actual_hours    = sqlc.narg('actual_hours'),
    signed_off_at   = CASE WHEN @is_reviewer::boolean THEN signed_off_at END,
    updated_at      = now()
WHERE assignment_id = @assignment_id
RETURNING assignment_id, request_id, validator_id, is_primary, is_reviewer, estimated_hours, actual_hours,
          signed_off_at, created_at;

-- name: ValidationAssignmentDelete :execrows
DELETE FROM validation_assignments
WHERE assignment_id = @assignment_id;

-- name: ValidationAssignmentSignOff :one
-- Records the reviewer's sign-off (validation_assignments_sign_off_by_reviewer refuses it for an
-- assignment that is not the reviewer).
UPDATE validation_assignments
SET signed_off_at = now(), sign_off_comments = sqlc.narg('comments'), updated_at = now()
WHERE assignment_id = @assignment_id
RETURNING assignment_id, request_id, validator_id, is_primary, is_reviewer, estimated_hours, actual_hours,
          signed_off_at, created_at;

-- name: ValidationAssignmentsClearSignOff :exec
-- A request going back to IN_PROGRESS loses its reviewer's sign-off: the work will change and
-- must be reviewed again. validation_assignments_one_reviewer_key finds the one reviewer row.
UPDATE validation_assignments
SET signed_off_at = NULL, sign_off_comments = NULL, updated_at = now()
WHERE request_id = @request_id
  AND is_reviewer
  AND signed_off_at IS NOT NULL;

-- name: ValidationAssignmentsForRequests :many
-- The assignments of a page of requests (validation_assignments_request_validator_key).
SELECT assignment_id, request_id, validator_id, is_primary, is_reviewer, estimated_hours, actual_hours,
       signed_off_at, created_at
FROM validation_assignments
WHERE request_id = ANY (@request_ids::int[])
ORDER BY request_id, assignment_id;

-- name: ValidationAssignmentsIndependenceOfModels :many
-- The validators of a request who own or actively delegate for any of the given models (models
-- about to be added to the request), with the model: adding it would break their independence.
SELECT a.validator_id, m.model_id
FROM validation_assignments a
JOIN models m ON m.model_id = ANY (@model_ids::int[])
WHERE a.request_id = @request_id
  AND (m.owner_id = a.validator_id OR EXISTS (
      SELECT 1 FROM model_delegates d
      WHERE d.model_id = m.model_id AND d.user_id = a.validator_id AND d.revoked_at IS NULL
  ))
ORDER BY a.validator_id, m.model_id;
