-- migrate:up
-- The validation request list at scale (sql/validation_requests.sql, ValidationRequestList and
-- ValidationRequestCount; docs/backstops.md, "What a USER sees, as a set").

-- What a USER sees, in one home: the requests of the models a user owns (models_owner_id_idx) or
-- actively delegates for (model_delegates_user_id_idx), then their links
-- (validation_request_models_model_id_idx). A set-returning SQL function (STABLE, not STRICT, one
-- SELECT) that the planner inlines into the query that uses it, so the set is read once through
-- those indexes and drives the list, where the scalar function below, called per row, read the
-- links of every request it was asked about. A request linked to two such models appears twice:
-- callers ask "= ANY", IN or EXISTS.
CREATE FUNCTION validation_requests_visible_to(p_user_id integer) RETURNS TABLE (request_id integer)
LANGUAGE sql STABLE AS $$
    SELECT l.request_id
    FROM models m
    JOIN validation_request_models l ON l.model_id = m.model_id
    WHERE m.owner_id = p_user_id
    UNION ALL
    SELECT l.request_id
    FROM model_delegates d
    JOIN validation_request_models l ON l.model_id = d.model_id
    WHERE d.user_id = p_user_id AND d.revoked_at IS NULL
$$;

-- The one-row question, asked of the set (the request id is pushed into both branches: a few
-- primary-key probes). validation_request_involves and the approvals list keep calling it; it no
-- longer holds a copy of the rule.
CREATE OR REPLACE FUNCTION validation_request_visible_to(p_request_id integer, p_user_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM validation_requests_visible_to(p_user_id) v WHERE v.request_id = p_request_id)
$$;

-- days_in_status: the day a request entered its current status. It is the day of the history row
-- that entered it (each status change writes one, in the same transaction: docs/backstops.md,
-- "The day a request entered its status"), kept on the request by its guard trigger so that the
-- list sorts on an index (validation_requests_status_entered_idx) instead of looking up the
-- latest history row of every matching request before it can sort them (measured in
-- bench/results/request-list-explain.md). Backfilled from the history: the latest row entering the
-- current status, else (no such row, which the service never leaves) the creation day.
ALTER TABLE validation_requests ADD COLUMN status_entered_on date;
UPDATE validation_requests vr
SET status_entered_on = coalesce((
        SELECT (h.changed_at AT TIME ZONE 'UTC')::date
        FROM validation_status_history h
        WHERE h.request_id = vr.request_id AND h.to_status = vr.status
        ORDER BY h.history_id DESC
        LIMIT 1
    ), (vr.created_at AT TIME ZONE 'UTC')::date);
ALTER TABLE validation_requests ALTER COLUMN status_entered_on SET NOT NULL;

CREATE OR REPLACE FUNCTION validation_requests_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT t.is_targeted INTO NEW.is_targeted FROM validation_types t WHERE t.code = NEW.validation_type;
    SELECT s.is_closed INTO NEW.is_closed FROM validation_statuses s WHERE s.code = NEW.status;
    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
        SELECT 1 FROM validation_status_transitions
        WHERE from_status = OLD.status AND to_status = NEW.status
    ) THEN
        RAISE EXCEPTION 'validation request % cannot go from % to %', OLD.request_id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'validation_requests_status_transition';
    END IF;
    -- The day the status was entered, in UTC: now() is the transaction's time, the changed_at of
    -- the history row the same transaction writes.
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.status_entered_on := (now() AT TIME ZONE 'UTC')::date;
    END IF;
    RETURN NEW;
END;
$$;

-- The two sorts by a date walk an index in their order, keyset (day, request_id): each has one
-- over every request and one over the active ones, because closed requests are most of the table
-- and hold the oldest days, so a walk of the full index for an active list (Aging:
-- active=true&sort=-days_in_status; overdue=true&sort=target_completion_date) would step over
-- them first. The target date index is also the range of overdue (target_completion_date < as_of).
CREATE INDEX validation_requests_status_entered_idx
    ON validation_requests (status_entered_on, request_id);
CREATE INDEX validation_requests_active_status_entered_idx
    ON validation_requests (status_entered_on, request_id) WHERE NOT is_closed;
CREATE INDEX validation_requests_target_idx
    ON validation_requests (target_completion_date, request_id);
CREATE INDEX validation_requests_active_target_idx
    ON validation_requests (target_completion_date, request_id) WHERE NOT is_closed;
-- And the active requests in id order, the default sort: active=true, overdue=true and
-- unassigned=true walk them without stepping over the closed ones.
CREATE INDEX validation_requests_active_idx
    ON validation_requests (request_id) WHERE NOT is_closed;

-- assigned_to: the requests a validator is assigned to, in request order, with the role read
-- index-only. It replaces the (validator_id) index, which it serves as well (the foreign key's
-- checks and the involvement rule lead with validator_id).
CREATE INDEX validation_assignments_validator_request_idx
    ON validation_assignments (validator_id, request_id) INCLUDE (is_primary, is_reviewer);
DROP INDEX validation_assignments_validator_id_idx;

-- migrate:down
DROP INDEX validation_requests_active_idx;
DROP INDEX validation_requests_active_target_idx;
DROP INDEX validation_requests_target_idx;
DROP INDEX validation_requests_active_status_entered_idx;
CREATE INDEX validation_assignments_validator_id_idx ON validation_assignments (validator_id);
DROP INDEX validation_assignments_validator_request_idx;
DROP INDEX validation_requests_status_entered_idx;
CREATE OR REPLACE FUNCTION validation_requests_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT t.is_targeted INTO NEW.is_targeted FROM validation_types t WHERE t.code = NEW.validation_type;
    SELECT s.is_closed INTO NEW.is_closed FROM validation_statuses s WHERE s.code = NEW.status;
    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
        SELECT 1 FROM validation_status_transitions
        WHERE from_status = OLD.status AND to_status = NEW.status
    ) THEN
        RAISE EXCEPTION 'validation request % cannot go from % to %', OLD.request_id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'validation_requests_status_transition';
    END IF;
    RETURN NEW;
END;
$$;
ALTER TABLE validation_requests DROP COLUMN status_entered_on;
CREATE OR REPLACE FUNCTION validation_request_visible_to(p_request_id integer, p_user_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
               SELECT 1 FROM validation_request_models l
               JOIN models m ON m.model_id = l.model_id
               WHERE l.request_id = p_request_id AND m.owner_id = p_user_id)
        OR EXISTS (
               SELECT 1 FROM validation_request_models l
               JOIN model_delegates d ON d.model_id = l.model_id AND d.revoked_at IS NULL
               WHERE l.request_id = p_request_id AND d.user_id = p_user_id)
$$;
DROP FUNCTION validation_requests_visible_to(integer);
