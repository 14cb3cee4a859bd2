-- migrate:up
-- GET /me/summary's statement (sql/summary.sql, SummaryForUser, whose comment describes the plan),
-- kept in a plpgsql function for its plan, as validation_target_overdue is (20261205002000). The
-- query is one statement of eight counts over CTEs, a view and two set functions; the service
-- sends it unnamed (pgtx.CustomPlans), so the server parsed, rewrote and planned it at every call,
-- which cost more than running it for every role but a USER with many models: on the queues
-- benchmark's seed the server's CPU per call of a GLOBAL_APPROVER, whose counts read the same
-- indexes before and after, fell from 6.5 to 2.5 ms once the plan was kept. plpgsql keeps the plan
-- for the life of the server connection. It is the generic plan, forced
-- (plan_cache_mode): a CASE on the role folds away, in a custom plan, the counts a role cannot
-- have, so the planner's estimates always prefer custom plans and would re-plan at every call; in
-- the generic plan each count is an InitPlan that runs only when its CASE branch is taken, and
-- every count reads the same indexes as in the custom plan: no step depends on how many models the
-- caller has, which reach the plan as one array (= ANY) either way.
-- ready_to_deploy sums the counts of the caller's models, one model_ready_counts_pkey probe each
-- (model_ready_counts, migration 20261206002030).
CREATE FUNCTION summary_for_user(p_role user_role, p_user_id integer, p_as_of date)
RETURNS TABLE (approvals_to_decide bigint, tasks_overdue bigint, tasks_due_this_week bigint, ready_to_deploy bigint,
               requests_as_primary bigint, reviews_waiting bigint, unassigned_requests bigint, overdue_requests bigint)
LANGUAGE plpgsql STABLE
ROWS 1
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH my_models AS MATERIALIZED (
        SELECT m.model_id FROM models m WHERE m.owner_id = p_user_id
        UNION
        SELECT d.model_id FROM model_delegates d WHERE d.user_id = p_user_id AND d.revoked_at IS NULL
    ), day AS MATERIALIZED (
        SELECT coalesce(p_as_of, (now() AT TIME ZONE 'UTC')::date) AS as_of
    ), my_open_tasks AS MATERIALIZED (
        SELECT count(*) FILTER (WHERE t.planned_production_date < day.as_of) AS overdue,
               count(*) FILTER (WHERE t.planned_production_date BETWEEN day.as_of AND day.as_of + 7) AS due_this_week
        FROM day, (
            SELECT t.planned_production_date
            FROM version_deployment_tasks t
            WHERE t.assigned_to_id = p_user_id AND t.status IN ('PENDING', 'ADJUSTED')
              AND t.planned_production_date <= (SELECT day.as_of + 7 FROM day)
            UNION ALL
            SELECT t.planned_production_date
            FROM model_delegates d
            JOIN version_deployment_tasks t ON t.model_id = d.model_id
            WHERE d.user_id = p_user_id AND d.revoked_at IS NULL AND t.status IN ('PENDING', 'ADJUSTED')
              AND t.assigned_to_id IS DISTINCT FROM p_user_id
              AND t.planned_production_date <= (SELECT day.as_of + 7 FROM day)
        ) t
    )
    SELECT
        CASE WHEN p_role IN ('ADMIN', 'GLOBAL_APPROVER', 'REGIONAL_APPROVER') THEN (
            SELECT count(*)
            FROM validation_approvals_decidable_by(p_role, p_user_id) AS a (approval_id, request_id, approval_type, region_id, status, created_at)
            WHERE a.status = 'PENDING'
              AND (a.approval_type = 'DEPLOYMENT' OR EXISTS (
                      SELECT 1 FROM validation_requests vr
                      WHERE vr.request_id = a.request_id AND vr.status = 'PENDING_APPROVAL'))
              AND NOT EXISTS (SELECT 1 FROM validation_requests_involving(p_user_id) i WHERE i.request_id = a.request_id)
        ) ELSE 0 END::bigint AS approvals_to_decide,
        (SELECT ot.overdue FROM my_open_tasks ot)::bigint AS tasks_overdue,
        (SELECT ot.due_this_week FROM my_open_tasks ot)::bigint AS tasks_due_this_week,
        (SELECT coalesce(sum(c.ready_rows), 0) FROM model_ready_counts c
         WHERE c.model_id = ANY (ARRAY(SELECT mm.model_id FROM my_models mm)))::bigint AS ready_to_deploy,
        (SELECT count(*)
         FROM validation_assignments va
         WHERE va.validator_id = p_user_id AND NOT va.request_is_closed AND va.is_primary)::bigint AS requests_as_primary,
        (SELECT count(*)
         FROM validation_assignments va
         WHERE va.validator_id = p_user_id AND NOT va.request_is_closed AND va.is_reviewer
           AND va.signed_off_at IS NULL AND va.request_status = 'REVIEW')::bigint AS reviews_waiting,
        CASE WHEN p_role IN ('ADMIN', 'VALIDATOR') THEN (
            SELECT count(*) FROM validation_requests vr WHERE NOT vr.is_closed
        ) - (
            SELECT count(*) FROM validation_assignments va WHERE va.is_primary AND NOT va.request_is_closed
        ) ELSE 0 END::bigint AS unassigned_requests,
        CASE p_role
            WHEN 'ADMIN' THEN (
                SELECT count(*) FROM validation_requests vr, day
                WHERE NOT vr.is_closed AND vr.target_completion_date < day.as_of)
            WHEN 'VALIDATOR' THEN (
                SELECT count(*) FROM validation_requests vr, day
                WHERE NOT vr.is_closed AND vr.target_completion_date < day.as_of
                  AND EXISTS (SELECT 1 FROM validation_assignments va
                              WHERE va.request_id = vr.request_id AND va.validator_id = p_user_id))
            WHEN 'USER' THEN (
                SELECT count(DISTINCT l.request_id) FROM validation_request_models l
                WHERE l.model_id = ANY (ARRAY(SELECT mm.model_id FROM my_models mm))
                  AND NOT l.request_is_closed AND l.request_target_date < (SELECT day.as_of FROM day))
            ELSE 0
        END::bigint AS overdue_requests;
END
$$;

-- migrate:down
DROP FUNCTION summary_for_user(user_role, integer, date);
