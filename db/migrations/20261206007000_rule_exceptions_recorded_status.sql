-- migrate:up
-- The rule exceptions report reads only the model changes that can be exceptions.
--
-- MODELS_CHANGED_OUTSIDE_PLANNING asks of every VALIDATION_MODELS_CHANGED audit row the request's
-- status when it was written, derived from the history (report_rule_exceptions, 20261206002020):
-- a probe per row, over every row from the page's position, a walk that grows with the audit log
-- forever (2,000 rows, 3.3 of the first page's 4.5 ms on the queues benchmark's seed, where none
-- is an exception). The service writes a model change only in INTAKE or PLANNING, under the
-- request's row lock (docs/rules.md, "Changes once work has begun"), and its audit row now says
-- under which status (changes.status, since this migration). So the walk reads the rows that
-- record a status outside INTAKE and PLANNING, and the rows that record none — those written
-- before, whose status is derived from the history as before — through the partial index below;
-- the changes the service makes from now on never enter it. A row's recorded status is the status
-- the change was judged under, and is the report's status_then; the history is read only for a
-- row without one. Audit rows are append-only (audit_logs_append_only), so no row's record
-- changes after it is written.
CREATE INDEX audit_logs_models_changed_candidates_idx ON audit_logs (entity_id, audit_id) INCLUDE (created_at)
    WHERE action = 'VALIDATION_MODELS_CHANGED' AND entity_type = 'validation_request'
      AND coalesce(changes ->> 'status', '') NOT IN ('INTAKE', 'PLANNING');

CREATE OR REPLACE FUNCTION report_rule_exceptions(p_kind text, p_after_request_id integer, p_after_kind_order integer,
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
                   coalesce(al.changes ->> 'status', (
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
              -- the candidates (audit_logs_models_changed_candidates_idx): a change recorded
              -- outside INTAKE and PLANNING, or one that records no status
              AND coalesce(al.changes ->> 'status', '') NOT IN ('INTAKE', 'PLANNING')
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
CREATE OR REPLACE FUNCTION report_rule_exceptions(p_kind text, p_after_request_id integer, p_after_kind_order integer,
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

DROP INDEX audit_logs_models_changed_candidates_idx;
