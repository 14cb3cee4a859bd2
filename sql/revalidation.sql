-- The revalidation schedule at a day (docs/revalidation.md): every model's dates come from the
-- view model_revalidation_schedule and its status from revalidation_status(...), the one home of
-- each (20261205001100_revalidation_schedule.sql); these queries only filter, count days and page.
-- The day: as_of, else today in UTC; it moves the day the counts and statuses are taken on, never
-- the data. Day counts are date − date (whole days; negative when the date is past).

-- name: RevalidationReportList :many
-- GET /reports/revalidation: one row per model, keyset by model_id (models_pkey walked in order
-- from after_id; every lateral of the view is a probe per model: the model's approved links by
-- validation_request_models_approved_idx (20261206005000), then validation_requests_approved_
-- type_idx and validation_status_history_approved_idx, both index-only (20261205001300), the
-- interim's only without a full validation, validation_request_models_one_blocking_key for the
-- active request; users by primary key). The
-- plans at 10,000 models and 50,000 requests are in bench/results/revalidation-explain.md: no
-- sequential scan of a big table, a page stops after page_limit matching models (5 ms); a rare
-- status walks every model (~100 ms). Run with JIT off (RevalidationWithoutJIT).
-- visible_to (a USER's id): the models it owns (models_owner_id_idx) or actively delegates for
-- (model_delegates_user_id_idx) — what a USER sees (docs/backstops.md, "What a USER sees, as a
-- set"), as a hashed set of model ids read once.
-- statuses, risk_tier, owner_id: compared on the row (risk_tier and owner_id are the model's own
-- columns; the status is computed, so it cannot drive an index). One exception: a status filter
-- without NO_POLICY also says risk_tier IS NOT NULL (an untiered model is NO_POLICY and nothing
-- else), which the plan for the values sent (pgtx.CustomPlans) reads from models_risk_tier_idx
-- and sorts by model_id, so the untiered models' schedules are never computed. A second: a filter
-- of only REVALIDATION_OVERDUE, SHOULD_CREATE_REQUEST and UPCOMING (the statuses of a model
-- without an active request) skips the models with one, by validation_request_models_one_
-- blocking_key. Among the models left a rare status still walks every one of them (on the queues
-- benchmark's seed REVALIDATION_OVERDUE computes 3,000 schedules instead of 9,500: 29 ms instead
-- of 92; bench/results/queues-explain.md).
-- mine (what I may act on): the models I own or actively delegate for (the same two indexes), or
-- whose active request I am assigned to (validation_assignments_validator_request_idx: my
-- assignments' request ids, a hashed set).
-- due_within_days: its submission or validation due date is at most N days after the day,
-- already-past dates included.
SELECT s.model_id, s.model_name, s.owner_id, u.full_name AS owner_full_name, s.risk_tier,
       revalidation_status(s.risk_tier, s.last_validation_request_id, s.interim_request_id,
                           s.active_request_id, s.submission_received_date, s.submission_due,
                           s.grace_period_end, s.validation_due, d.day)::text AS status,
       s.last_validation_request_id, s.last_validation_date,
       s.submission_due, s.grace_period_end, s.validation_due,
       -- CASE: NULL when the date is (sqlc reads the type of a CASE as unknown; the service
       -- converts the int4 it scans).
       CASE WHEN s.submission_due IS NOT NULL THEN s.submission_due - d.day END AS days_until_submission_due,
       CASE WHEN s.validation_due IS NOT NULL THEN s.validation_due - d.day END AS days_until_validation_due,
       s.active_request_id, s.submission_received_date
FROM model_revalidation_schedule s
CROSS JOIN (SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS day) d
JOIN users u ON u.user_id = s.owner_id
WHERE s.model_id > @after_id::int
  AND (sqlc.narg('visible_to')::int IS NULL
       OR s.model_id IN (SELECT m.model_id FROM models m WHERE m.owner_id = sqlc.narg('visible_to')::int
                         UNION ALL
                         SELECT md.model_id FROM model_delegates md
                         WHERE md.user_id = sqlc.narg('visible_to')::int AND md.revoked_at IS NULL))
  -- A status filter without NO_POLICY keeps only tiered models (revalidation_status answers
  -- NO_POLICY exactly when risk_tier is NULL): planned for the values sent (pgtx.CustomPlans),
  -- this folds to risk_tier IS NOT NULL, which models_risk_tier_idx serves, so only the tiered
  -- models' schedules are computed. Whatever else is filtered, the status check below decides.
  AND (sqlc.narg('statuses')::text[] IS NULL OR 'NO_POLICY' = ANY (sqlc.narg('statuses')::text[])
       OR s.risk_tier IS NOT NULL)
  -- A filter of only the statuses a model reaches without an active request
  -- (revalidation_statuses_without_active_request, beside revalidation_status) keeps only such
  -- models: planned for the values sent, this folds to an anti-join on
  -- validation_request_models_one_blocking_key, so the schedules of the models under validation
  -- (two thirds of the queues benchmark's seed) are never computed. The status check below decides.
  AND (sqlc.narg('statuses')::text[] IS NULL
       OR NOT revalidation_statuses_without_active_request(sqlc.narg('statuses')::text[])
       OR NOT EXISTS (SELECT 1 FROM validation_request_models l WHERE l.model_id = s.model_id AND l.blocks_model))
  AND (sqlc.narg('statuses')::text[] IS NULL
       OR revalidation_status(s.risk_tier, s.last_validation_request_id, s.interim_request_id,
                              s.active_request_id, s.submission_received_date, s.submission_due,
                              s.grace_period_end, s.validation_due, d.day) = ANY (sqlc.narg('statuses')::text[]))
  AND (sqlc.narg('risk_tier')::text IS NULL OR s.risk_tier = sqlc.narg('risk_tier')::text)
  AND (sqlc.narg('owner_id')::int IS NULL OR s.owner_id = sqlc.narg('owner_id')::int)
  AND (sqlc.narg('mine')::int IS NULL
       OR s.model_id IN (SELECT m.model_id FROM models m WHERE m.owner_id = sqlc.narg('mine')::int
                         UNION ALL
                         SELECT md.model_id FROM model_delegates md
                         WHERE md.user_id = sqlc.narg('mine')::int AND md.revoked_at IS NULL)
       OR s.active_request_id IN (SELECT a.request_id FROM validation_assignments a
                                  WHERE a.validator_id = sqlc.narg('mine')::int))
  AND (sqlc.narg('due_within_days')::int IS NULL
       OR s.submission_due <= d.day + sqlc.narg('due_within_days')::int
       OR s.validation_due <= d.day + sqlc.narg('due_within_days')::int)
ORDER BY s.model_id
LIMIT @page_limit;

-- name: RevalidationReportCount :one
-- How many rows RevalidationReportList would list over all its pages, for a CSV export (refused
-- over EXPORT_MAX_ROWS before any row is sent). The same filters, word for word.
SELECT count(*)
FROM model_revalidation_schedule s
CROSS JOIN (SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS day) d
WHERE (sqlc.narg('visible_to')::int IS NULL
       OR s.model_id IN (SELECT m.model_id FROM models m WHERE m.owner_id = sqlc.narg('visible_to')::int
                         UNION ALL
                         SELECT md.model_id FROM model_delegates md
                         WHERE md.user_id = sqlc.narg('visible_to')::int AND md.revoked_at IS NULL))
  -- A status filter without NO_POLICY keeps only tiered models (revalidation_status answers
  -- NO_POLICY exactly when risk_tier is NULL): planned for the values sent (pgtx.CustomPlans),
  -- this folds to risk_tier IS NOT NULL, which models_risk_tier_idx serves, so only the tiered
  -- models' schedules are computed. Whatever else is filtered, the status check below decides.
  AND (sqlc.narg('statuses')::text[] IS NULL OR 'NO_POLICY' = ANY (sqlc.narg('statuses')::text[])
       OR s.risk_tier IS NOT NULL)
  -- A filter of only the statuses a model reaches without an active request
  -- (revalidation_statuses_without_active_request, beside revalidation_status) keeps only such
  -- models: planned for the values sent, this folds to an anti-join on
  -- validation_request_models_one_blocking_key, so the schedules of the models under validation
  -- (two thirds of the queues benchmark's seed) are never computed. The status check below decides.
  AND (sqlc.narg('statuses')::text[] IS NULL
       OR NOT revalidation_statuses_without_active_request(sqlc.narg('statuses')::text[])
       OR NOT EXISTS (SELECT 1 FROM validation_request_models l WHERE l.model_id = s.model_id AND l.blocks_model))
  AND (sqlc.narg('statuses')::text[] IS NULL
       OR revalidation_status(s.risk_tier, s.last_validation_request_id, s.interim_request_id,
                              s.active_request_id, s.submission_received_date, s.submission_due,
                              s.grace_period_end, s.validation_due, d.day) = ANY (sqlc.narg('statuses')::text[]))
  AND (sqlc.narg('risk_tier')::text IS NULL OR s.risk_tier = sqlc.narg('risk_tier')::text)
  AND (sqlc.narg('owner_id')::int IS NULL OR s.owner_id = sqlc.narg('owner_id')::int)
  AND (sqlc.narg('mine')::int IS NULL
       OR s.model_id IN (SELECT m.model_id FROM models m WHERE m.owner_id = sqlc.narg('mine')::int
                         UNION ALL
                         SELECT md.model_id FROM model_delegates md
                         WHERE md.user_id = sqlc.narg('mine')::int AND md.revoked_at IS NULL)
       OR s.active_request_id IN (SELECT a.request_id FROM validation_assignments a
                                  WHERE a.validator_id = sqlc.narg('mine')::int))
  AND (sqlc.narg('due_within_days')::int IS NULL
       OR s.submission_due <= d.day + sqlc.narg('due_within_days')::int
       OR s.validation_due <= d.day + sqlc.narg('due_within_days')::int);

-- name: RevalidationForModel :one
-- GET /models/{model_id}/revalidation: one model's row of the report at the day, the view asked
-- for one model_id (models_pkey, then the view's probes; 2 ms). visible_to (a USER's id): no row
-- unless it owns the model (the row's owner_id) or actively delegates for it (model_delegates by
-- model_delegates_active_key or model_delegates_user_id_idx, the planner's choice).
SELECT s.model_id, s.model_name, s.owner_id, u.full_name AS owner_full_name, s.risk_tier,
       revalidation_status(s.risk_tier, s.last_validation_request_id, s.interim_request_id,
                           s.active_request_id, s.submission_received_date, s.submission_due,
                           s.grace_period_end, s.validation_due, d.day)::text AS status,
       s.last_validation_request_id, s.last_validation_date,
       s.submission_due, s.grace_period_end, s.validation_due,
       -- CASE: NULL when the date is (sqlc reads the type of a CASE as unknown; the service
       -- converts the int4 it scans).
       CASE WHEN s.submission_due IS NOT NULL THEN s.submission_due - d.day END AS days_until_submission_due,
       CASE WHEN s.validation_due IS NOT NULL THEN s.validation_due - d.day END AS days_until_validation_due,
       s.active_request_id, s.submission_received_date
FROM model_revalidation_schedule s
CROSS JOIN (SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS day) d
JOIN users u ON u.user_id = s.owner_id
WHERE s.model_id = @model_id::int
  AND (sqlc.narg('visible_to')::int IS NULL
       OR s.owner_id = sqlc.narg('visible_to')::int
       OR EXISTS (SELECT 1 FROM model_delegates md
                  WHERE md.model_id = s.model_id AND md.user_id = sqlc.narg('visible_to')::int
                    AND md.revoked_at IS NULL));

-- name: RevalidationWithoutJIT :exec
-- Turns JIT compilation off for the rest of the transaction (set_config's is_local): the report's
-- estimated cost (a lateral per model of the view) is above jit_above_cost, and compiling it costs
-- 100 to 700 ms on a query that runs in under 100 ms (bench/results/revalidation-explain.md).
SELECT set_config('jit', 'off', true);
