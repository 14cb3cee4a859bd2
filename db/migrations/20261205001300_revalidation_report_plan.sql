-- migrate:up
-- The revalidation report at 10,000 models (sql/revalidation.sql; the plans and timings are in
-- bench/results/revalidation-explain.md). A page filtered by status, and the CSV, compute the
-- view model_revalidation_schedule for every model: its probes must be cheap.

-- The last full validation's probes, index-only: the APPROVED requests by id with their type
-- (the view's fv and iv laterals: is this linked request APPROVED, and of which type), and the
-- history row that made a request APPROVED with its time (the completion day). Both partial, so
-- they hold only approved requests and APPROVED rows, and a request's other status changes never
-- touch them.
CREATE INDEX validation_requests_approved_type_idx
    ON validation_requests (request_id) INCLUDE (validation_type) WHERE status = 'APPROVED';
CREATE INDEX validation_status_history_approved_idx
    ON validation_status_history (request_id) INCLUDE (changed_at) WHERE to_status = 'APPROVED';

-- The view, unchanged but for one predicate: the interim is looked for only when the model has
-- no full validation (an interim counts only then, docs/revalidation.md), so interim_request_id is
-- now the interim that counts (NULL beside a full validation) and the interim lateral is not
-- probed for the models that have one. revalidation_status reads it only without a full
-- validation, so no status and no date changes.
CREATE OR REPLACE VIEW model_revalidation_schedule AS
SELECT m.model_id, m.model_name, m.owner_id, m.risk_tier,
       fv.request_id AS last_validation_request_id,
       fv.completed_on AS last_validation_date,
       iv.request_id AS interim_request_id,
       act.request_id AS active_request_id,
       act.submission_received_date,
       CASE
           WHEN p.risk_tier IS NULL THEN NULL
           WHEN fv.request_id IS NOT NULL THEN (fv.completed_on + make_interval(months => p.frequency_months))::date
           WHEN iv.request_id IS NOT NULL THEN iv.expiration_date - p.model_change_lead_time_days
       END AS submission_due,
       CASE
           WHEN p.risk_tier IS NOT NULL AND fv.request_id IS NOT NULL
           THEN ((fv.completed_on + make_interval(months => p.frequency_months))::date + make_interval(months => p.grace_period_months))::date
       END AS grace_period_end,
       CASE
           WHEN p.risk_tier IS NULL THEN NULL
           WHEN fv.request_id IS NOT NULL
           THEN ((fv.completed_on + make_interval(months => p.frequency_months))::date + make_interval(months => p.grace_period_months))::date
                + p.model_change_lead_time_days
           WHEN iv.request_id IS NOT NULL THEN iv.expiration_date
       END AS validation_due
FROM models m
LEFT JOIN validation_policies p ON p.risk_tier = m.risk_tier
LEFT JOIN LATERAL (
    SELECT vr.request_id, (h.changed_at AT TIME ZONE 'UTC')::date AS completed_on
    FROM validation_request_models l
    JOIN validation_requests vr ON vr.request_id = l.request_id
    JOIN validation_status_history h ON h.request_id = vr.request_id AND h.to_status = 'APPROVED'
    WHERE l.model_id = m.model_id
      AND vr.status = 'APPROVED'
      AND vr.validation_type IN ('INITIAL', 'COMPREHENSIVE')
    ORDER BY h.changed_at DESC, vr.request_id DESC
    LIMIT 1
) fv ON true
LEFT JOIN LATERAL (
    SELECT vr.request_id, o.expiration_date
    FROM validation_request_models l
    JOIN validation_requests vr ON vr.request_id = l.request_id
    JOIN validation_outcomes o ON o.request_id = vr.request_id
    JOIN validation_status_history h ON h.request_id = vr.request_id AND h.to_status = 'APPROVED'
    WHERE l.model_id = m.model_id
      AND vr.status = 'APPROVED'
      AND vr.validation_type = 'INTERIM'
      AND o.expiration_date IS NOT NULL
      -- only for a model without a full validation (a one-time filter: not probed otherwise)
      AND fv.request_id IS NULL
    ORDER BY h.changed_at DESC, vr.request_id DESC
    LIMIT 1
) iv ON true
LEFT JOIN LATERAL (
    SELECT vr.request_id, vr.submission_received_date
    FROM validation_request_models l
    JOIN validation_requests vr ON vr.request_id = l.request_id
    WHERE l.model_id = m.model_id AND l.blocks_model
    LIMIT 1
) act ON true;

-- migrate:down
CREATE OR REPLACE VIEW model_revalidation_schedule AS
SELECT m.model_id, m.model_name, m.owner_id, m.risk_tier,
       fv.request_id AS last_validation_request_id,
       fv.completed_on AS last_validation_date,
       iv.request_id AS interim_request_id,
       act.request_id AS active_request_id,
       act.submission_received_date,
       CASE
           WHEN p.risk_tier IS NULL THEN NULL
           WHEN fv.request_id IS NOT NULL THEN (fv.completed_on + make_interval(months => p.frequency_months))::date
           WHEN iv.request_id IS NOT NULL THEN iv.expiration_date - p.model_change_lead_time_days
       END AS submission_due,
       CASE
           WHEN p.risk_tier IS NOT NULL AND fv.request_id IS NOT NULL
           THEN ((fv.completed_on + make_interval(months => p.frequency_months))::date + make_interval(months => p.grace_period_months))::date
       END AS grace_period_end,
       CASE
           WHEN p.risk_tier IS NULL THEN NULL
           WHEN fv.request_id IS NOT NULL
           THEN ((fv.completed_on + make_interval(months => p.frequency_months))::date + make_interval(months => p.grace_period_months))::date
                + p.model_change_lead_time_days
           WHEN iv.request_id IS NOT NULL THEN iv.expiration_date
       END AS validation_due
FROM models m
LEFT JOIN validation_policies p ON p.risk_tier = m.risk_tier
LEFT JOIN LATERAL (
    SELECT vr.request_id, (h.changed_at AT TIME ZONE 'UTC')::date AS completed_on
    FROM validation_request_models l
    JOIN validation_requests vr ON vr.request_id = l.request_id
    JOIN validation_status_history h ON h.request_id = vr.request_id AND h.to_status = 'APPROVED'
    WHERE l.model_id = m.model_id
      AND vr.status = 'APPROVED'
      AND vr.validation_type IN ('INITIAL', 'COMPREHENSIVE')
    ORDER BY h.changed_at DESC, vr.request_id DESC
    LIMIT 1
) fv ON true
LEFT JOIN LATERAL (
    SELECT vr.request_id, o.expiration_date
    FROM validation_request_models l
    JOIN validation_requests vr ON vr.request_id = l.request_id
    JOIN validation_outcomes o ON o.request_id = vr.request_id
    JOIN validation_status_history h ON h.request_id = vr.request_id AND h.to_status = 'APPROVED'
    WHERE l.model_id = m.model_id
      AND vr.status = 'APPROVED'
      AND vr.validation_type = 'INTERIM'
      AND o.expiration_date IS NOT NULL
    ORDER BY h.changed_at DESC, vr.request_id DESC
    LIMIT 1
) iv ON true
LEFT JOIN LATERAL (
    SELECT vr.request_id, vr.submission_received_date
    FROM validation_request_models l
    JOIN validation_requests vr ON vr.request_id = l.request_id
    WHERE l.model_id = m.model_id AND l.blocks_model
    LIMIT 1
) act ON true;
DROP INDEX validation_status_history_approved_idx;
DROP INDEX validation_requests_approved_type_idx;
