-- The outcome of a validation request: one per request (validation_outcomes_request_id_key).
-- Written after ValidationRequestLockForUpdate of its request, whose status decides whether the
-- outcome may still change. Every query returning an outcome lists the same columns.

-- name: ValidationOutcomeCreate :one
-- A concurrent second creator waits on validation_outcomes_request_id_key, then fails with 23505
-- (answered as 409 conflict).
INSERT INTO validation_outcomes (request_id, overall_rating, executive_summary, effective_date, expiration_date, created_by)
VALUES (@request_id, @overall_rating, @executive_summary, @effective_date, sqlc.narg('expiration_date'), @created_by)
RETURNING outcome_id, request_id, overall_rating, executive_summary, effective_date, expiration_date,
          created_by, created_at, updated_at;

-- name: ValidationOutcomeRequestID :one
-- The request of an outcome, read before the request's row lock (it never changes).
SELECT request_id
FROM validation_outcomes
WHERE outcome_id = @outcome_id;

-- name: ValidationOutcomeUpdate :one
UPDATE validation_outcomes
SET overall_rating = @overall_rating, executive_summary = @executive_summary, effective_date = @effective_date,
    expiration_date = sqlc.narg('expiration_date'), updated_at = now()
WHERE outcome_id = @outcome_id
RETURNING outcome_id, request_id, overall_rating, executive_summary, effective_date, expiration_date,
          created_by, created_at, updated_at;

-- name: ValidationOutcomeGet :one
SELECT outcome_id, request_id, overall_rating, executive_summary, effective_date, expiration_date,
       created_by, created_at, updated_at
FROM validation_outcomes
WHERE outcome_id = @outcome_id;

-- name: ValidationOutcomesForRequests :many
SELECT outcome_id, request_id, overall_rating, executive_summary, effective_date, expiration_date,
       created_by, created_at, updated_at
FROM validation_outcomes
WHERE request_id = ANY (@request_ids::int[])
ORDER BY request_id;
