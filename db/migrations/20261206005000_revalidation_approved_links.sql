-- migrate:up
-- The revalidation schedule's last-validation probes read only the approved links of a model.
--
-- Every page of the revalidation report, its CSV, a status filter and a create's target-date
-- warnings (validation_target_overdue) compute the view model_revalidation_schedule per model,
-- and its two laterals for the last full validation and the interim probed the request of every
-- link of the model to find the approved ones: on the queues benchmark's seed, 16,000 request
-- probes for the 3,000 models a REVALIDATION_OVERDUE filter computes, of which 5,700 found an
-- approved request (bench/results/queues-explain.md). A link carries a copy of its request's
-- status (20261206002000; held by a cascading foreign key, docs/lists.md, "Mirrors of the request
-- on its assignments"), so the laterals now also say l.request_status = 'APPROVED' — always equal
-- to vr.status, which they still test — and read the model's approved links from the partial
-- index below: a link enters it when its request is approved (APPROVED is final), and creates,
-- whose links are INTAKE, never touch it.
CREATE INDEX validation_request_models_approved_idx
    ON validation_request_models (model_id, request_id) WHERE request_status = 'APPROVED';

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
      AND l.request_status = 'APPROVED'
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
      AND l.request_status = 'APPROVED'
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

DROP INDEX validation_request_models_approved_idx;
