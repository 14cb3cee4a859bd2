-- migrate:up
-- The revalidation schedule (docs/revalidation.md): a model's risk tier, the validation policy of
-- each tier, the workflow's SLA settings, and the day a request's submission was received. The
-- schedule itself — due dates and statuses — is computed from these at a day (as_of), never
-- stored.

-- The policy of each risk tier. A tier is one of the four; every tier always has its policy
-- (seeded here with MRM3's figures, changed only by PUT /validation-policies/{risk_tier}), so a
-- model's tier is a foreign key to its policy. tier_rank orders the tiers and names the policy's
-- audit rows (entity_id).
CREATE TABLE validation_policies (
    risk_tier text PRIMARY KEY,
    tier_rank integer NOT NULL UNIQUE,
    frequency_months integer NOT NULL,
    grace_period_months integer NOT NULL,
    model_change_lead_time_days integer NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by integer REFERENCES users (user_id),
    CONSTRAINT validation_policies_tier_known CHECK (risk_tier IN ('TIER_1', 'TIER_2', 'TIER_3', 'TIER_4')),
    CONSTRAINT validation_policies_frequency_range CHECK (frequency_months BETWEEN 1 AND 120),
    CONSTRAINT validation_policies_grace_range CHECK (grace_period_months BETWEEN 0 AND 60),
    CONSTRAINT validation_policies_lead_time_range CHECK (model_change_lead_time_days BETWEEN 0 AND 3650)
);
INSERT INTO validation_policies (risk_tier, tier_rank, frequency_months, grace_period_months, model_change_lead_time_days) VALUES
    ('TIER_1', 1, 12, 2, 120),
    ('TIER_2', 2, 18, 3, 90),
    ('TIER_3', 3, 24, 3, 60),
    ('TIER_4', 4, 36, 4, 45);

-- A model's risk tier, assessed by the MRM function (ADMIN, VALIDATOR); NULL = not assessed
-- (its schedule is NO_POLICY). The report filters by it.
ALTER TABLE models ADD COLUMN risk_tier text REFERENCES validation_policies (risk_tier);
CREATE INDEX models_risk_tier_idx ON models (risk_tier, model_id);

-- The workflow's SLA settings: one row (singleton), days allowed per phase of a request.
CREATE TABLE workflow_sla (
    singleton boolean PRIMARY KEY DEFAULT true,
    assignment_days integer NOT NULL,
    begin_work_days integer NOT NULL,
    approval_days integer NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by integer REFERENCES users (user_id),
    CONSTRAINT workflow_sla_one_row CHECK (singleton),
    CONSTRAINT workflow_sla_days_range CHECK (assignment_days BETWEEN 1 AND 365 AND begin_work_days BETWEEN 1 AND 365
                                              AND approval_days BETWEEN 1 AND 365)
);
INSERT INTO workflow_sla (assignment_days, begin_work_days, approval_days) VALUES (10, 5, 10);

-- The day the model owner's submission (documentation, data) was received, once per request, and
-- what the validator noted about it.
ALTER TABLE validation_requests
    ADD COLUMN submission_received_date date,
    ADD COLUMN submission_notes text,
    ADD CONSTRAINT validation_requests_submission_notes_length CHECK (char_length(submission_notes) <= 4000),
    ADD CONSTRAINT validation_requests_submission_notes_need_date CHECK (submission_notes IS NULL OR submission_received_date IS NOT NULL);

-- Policy and SLA changes are audited like everything else.
ALTER TABLE audit_logs DROP CONSTRAINT audit_logs_entity_type_known;
ALTER TABLE audit_logs ADD CONSTRAINT audit_logs_entity_type_known CHECK (entity_type = ANY (ARRAY[
    'user', 'api_token', 'region', 'model', 'model_version', 'validation_request', 'deployment_task',
    'validation_approval', 'validation_policy', 'workflow_sla']));

-- A model's revalidation schedule, as of no day in particular (docs/revalidation.md): what its
-- status at a day is computed from. Per model, by index probes only (the report pages by
-- model_id, the model endpoint asks for one):
--   last full validation: the latest APPROVED INITIAL or COMPREHENSIVE request of the model
--     (validation_request_models_model_id_idx, then the request's row), completed the UTC day it
--     became APPROVED (its history row, validation_status_history_request_id_idx);
--   interim: the latest APPROVED INTERIM whose outcome has an expiration date (validation_outcomes
--     by request) — it counts only for a model with no full validation;
--   active request: the model's active non-targeted request, at most one by DATA-01
--     (validation_request_models_one_blocking_key), and its submission_received_date.
-- The dates: submission_due = completion + frequency_months, calendar months clamped to the
-- month's end (PostgreSQL's date + interval month does exactly that: 31 January + 1 month is
-- 28 or 29 February); grace_period_end = submission_due + grace_period_months (clamped again);
-- validation_due = grace_period_end + model_change_lead_time_days. With only an interim:
-- validation_due = its expiration date, submission_due = that minus the lead days, no grace.
-- A model without a tier (risk_tier NULL) has no policy and so no dates.
CREATE VIEW model_revalidation_schedule AS
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

-- A schedule's status at as_of, the first that applies (docs/revalidation.md): NO_POLICY (no
-- tier), NEVER_VALIDATED (no full validation, no interim); with only an interim:
-- INTERIM_EXPIRED, INTERIM_SUBMISSION_OVERDUE, INTERIM_ACTIVE; with an active request not yet
-- submitted: SUBMISSION_OVERDUE (past the grace period), IN_GRACE_PERIOD (past the submission
-- due date), AWAITING_SUBMISSION; submitted: VALIDATION_OVERDUE (past the validation due date),
-- VALIDATION_IN_PROGRESS; no active request: REVALIDATION_OVERDUE (past the validation due
-- date), SHOULD_CREATE_REQUEST (past the grace period), UPCOMING. "Past" is strictly after.
-- A scalar SQL function of one CASE, no subquery, IMMUTABLE: the planner inlines it into every
-- query that calls it, so it is the one home of the statuses at no cost per row.
CREATE FUNCTION revalidation_status(
    p_risk_tier text, p_last_validation_request_id integer, p_interim_request_id integer,
    p_active_request_id integer, p_submission_received_date date,
    p_submission_due date, p_grace_period_end date, p_validation_due date, p_as_of date
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN p_risk_tier IS NULL THEN 'NO_POLICY'
        WHEN p_last_validation_request_id IS NULL AND p_interim_request_id IS NULL THEN 'NEVER_VALIDATED'
        WHEN p_last_validation_request_id IS NULL THEN CASE
            WHEN p_as_of > p_validation_due THEN 'INTERIM_EXPIRED'
            WHEN p_as_of > p_submission_due THEN 'INTERIM_SUBMISSION_OVERDUE'
            ELSE 'INTERIM_ACTIVE' END
        WHEN p_active_request_id IS NOT NULL AND p_submission_received_date IS NULL THEN CASE
            WHEN p_as_of > p_grace_period_end THEN 'SUBMISSION_OVERDUE'
            WHEN p_as_of > p_submission_due THEN 'IN_GRACE_PERIOD'
            ELSE 'AWAITING_SUBMISSION' END
        WHEN p_active_request_id IS NOT NULL THEN CASE
            WHEN p_as_of > p_validation_due THEN 'VALIDATION_OVERDUE'
            ELSE 'VALIDATION_IN_PROGRESS' END
        WHEN p_as_of > p_validation_due THEN 'REVALIDATION_OVERDUE'
        WHEN p_as_of > p_grace_period_end THEN 'SHOULD_CREATE_REQUEST'
        ELSE 'UPCOMING'
    END
$$;

-- migrate:down
DROP FUNCTION revalidation_status(text, integer, integer, integer, date, date, date, date, date);
DROP VIEW model_revalidation_schedule;
ALTER TABLE audit_logs DROP CONSTRAINT audit_logs_entity_type_known;
ALTER TABLE audit_logs ADD CONSTRAINT audit_logs_entity_type_known CHECK (entity_type = ANY (ARRAY[
    'user', 'api_token', 'region', 'model', 'model_version', 'validation_request', 'deployment_task',
    'validation_approval']));
ALTER TABLE validation_requests
    DROP CONSTRAINT validation_requests_submission_notes_need_date,
    DROP CONSTRAINT validation_requests_submission_notes_length,
    DROP COLUMN submission_notes,
    DROP COLUMN submission_received_date;
DROP TABLE workflow_sla;
DROP INDEX models_risk_tier_idx;
ALTER TABLE models DROP COLUMN risk_tier;
DROP TABLE validation_policies;
