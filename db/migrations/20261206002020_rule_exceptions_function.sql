-- migrate:up
-- The rule exceptions report's rows (sql/reports.sql, ReportRuleExceptions, whose comment says
-- what they are and describes the plan), kept in a plpgsql function for its plan, as
-- validation_target_overdue (20261205002000) and summary_for_user (20261206002040) are: the
-- service sends the page unnamed (pgtx.CustomPlans), so its two per-kind walks were parsed and
-- planned at every page, a third of the page's CPU on the queues benchmark's seed. plpgsql keeps
-- the plan for the life of the server connection: the generic plan, forced, in which the kind
-- filter is a One-Time Filter on each kind's walk and the keyset position an index condition, as
-- in the custom plan. The page's display columns (the request's status, the model's name, the
-- region's code) are joined by the statement that calls it, by primary key, for its rows only.
--
-- Its indexes: a page of models_changed reads every model-change audit row from its keyset
-- position and, per row, the request's status at the row's time; only the rows recorded outside
-- INTAKE and PLANNING (the exceptions, rare) go on to their links and their changes. So the walk
-- is index-only: audit_logs_models_changed_idx gains created_at (INCLUDE), and the audit row's
-- changes are read by audit_logs_pkey for those rows only; and the status then is the first entry
-- of validation_status_history_request_changed_idx (request_id, changed_at DESC, history_id DESC)
-- INCLUDE (to_status) at or before the time, an index-only probe, where
-- validation_status_history_request_id_idx (request_id, history_id) read every history row of the
-- request from the heap and sorted them, per audit row.
DROP INDEX audit_logs_models_changed_idx;
CREATE INDEX audit_logs_models_changed_idx ON audit_logs (entity_id, audit_id) INCLUDE (created_at)
    WHERE action = 'VALIDATION_MODELS_CHANGED' AND entity_type = 'validation_request';

CREATE INDEX validation_status_history_request_changed_idx
    ON validation_status_history (request_id, changed_at DESC, history_id DESC) INCLUDE (to_status);

CREATE FUNCTION report_rule_exceptions(p_kind text, p_after_request_id integer, p_after_kind_order integer,
                                       p_after_model_id integer, p_after_region_id integer, p_page_limit integer)
RETURNS TABLE (kind_order integer, kind text, request_id integer, model_id integer, region_id integer,
               detected_from bigint, status_then text)
LANGUAGE plpgsql STABLE
-- the caller joins the display columns by primary key: estimated at a page (50) or at the
-- default 1,000 rows, the join hashed the rows and read models whole (10,000 rows on the queues
-- benchmark's seed) to probe it; below a page, it probes models_pkey per row
ROWS 20
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH models_changed AS (
        SELECT ma.request_id, l.model_id, ma.audit_id, ma.status_then
        FROM (
            SELECT al.entity_id AS request_id, al.audit_id,
                   coalesce((
                       SELECT h.to_status
                       FROM validation_status_history h
                       WHERE h.request_id = al.entity_id
                         AND h.changed_at <= al.created_at
                       ORDER BY h.changed_at DESC, h.history_id DESC
                       LIMIT 1
                   ), 'INTAKE') AS status_then
            FROM audit_logs al
            WHERE al.action = 'VALIDATION_MODELS_CHANGED'
              AND al.entity_type = 'validation_request'
              AND al.entity_id >= p_after_request_id
              AND (p_kind IS NULL OR p_kind = 'MODELS_CHANGED_OUTSIDE_PLANNING')
            OFFSET 0
        ) ma
        CROSS JOIN LATERAL (
            SELECT vrm.model_id
            FROM audit_logs cur
            JOIN validation_request_models vrm ON vrm.request_id = ma.request_id
            WHERE cur.audit_id = ma.audit_id
              AND cur.changes -> 'added' @> to_jsonb(vrm.model_id)
              AND NOT EXISTS (
                  SELECT 1
                  FROM audit_logs later
                  WHERE later.action = 'VALIDATION_MODELS_CHANGED'
                    AND later.entity_type = 'validation_request'
                    AND later.entity_id = ma.request_id
                    AND later.audit_id > ma.audit_id
                    AND later.changes -> 'added' @> to_jsonb(vrm.model_id)
              )
            OFFSET 0
        ) l
        WHERE ma.status_then NOT IN ('INTAKE', 'PLANNING')
          AND (ma.request_id, 1, l.model_id, 0)
              > (p_after_request_id, p_after_kind_order, p_after_model_id, p_after_region_id)
        ORDER BY ma.request_id, l.model_id
        LIMIT p_page_limit
    ),
    regions_outside AS (
        SELECT scoped.request_id, x.model_id, x.region_id
        FROM validation_requests scoped
        CROSS JOIN LATERAL (
            SELECT vrm.model_id, vrr.region_id
            FROM validation_request_regions vrr
            JOIN validation_request_models vrm ON vrm.request_id = vrr.request_id
            WHERE vrr.request_id = scoped.request_id
              AND NOT EXISTS (
                  SELECT 1 FROM model_regions mr
                  WHERE mr.model_id = vrm.model_id AND mr.region_id = vrr.region_id
              )
            OFFSET 0
        ) x
        WHERE NOT scoped.is_closed
          AND scoped.request_id >= p_after_request_id
          AND (p_kind IS NULL OR p_kind = 'REGION_OUTSIDE_MODEL_SCOPE')
          AND (scoped.request_id, 2, x.model_id, x.region_id)
              > (p_after_request_id, p_after_kind_order, p_after_model_id, p_after_region_id)
        ORDER BY scoped.request_id, x.model_id, x.region_id
        LIMIT p_page_limit
    ),
    exceptions AS (
        SELECT 1 AS kind_order, 'MODELS_CHANGED_OUTSIDE_PLANNING'::text AS kind, mc.request_id, mc.model_id,
               NULL::int AS region_id, mc.audit_id AS detected_from, mc.status_then
        FROM models_changed mc
        UNION ALL
        SELECT 2, 'REGION_OUTSIDE_MODEL_SCOPE'::text, ro.request_id, ro.model_id, ro.region_id, NULL::bigint, NULL::text
        FROM regions_outside ro
    )
    SELECT e.kind_order, e.kind, e.request_id, e.model_id, e.region_id, e.detected_from, e.status_then
    FROM exceptions e
    ORDER BY e.request_id, e.kind_order, e.model_id, coalesce(e.region_id, 0)
    LIMIT p_page_limit;
END
$$;

-- migrate:down
DROP FUNCTION report_rule_exceptions(text, integer, integer, integer, integer, integer);
DROP INDEX validation_status_history_request_changed_idx;
DROP INDEX audit_logs_models_changed_idx;
CREATE INDEX audit_logs_models_changed_idx ON audit_logs (entity_id, audit_id)
    WHERE action = 'VALIDATION_MODELS_CHANGED' AND entity_type = 'validation_request';
