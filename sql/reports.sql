-- name: ReportRuleExceptions :many
-- Existing rows that break a rule the service now enforces but that the upgrade left as they were
-- (README, "Upgrading: data the new rules refuse"). Read-only and computed live, one page in the
-- order (request_id, kind, model_id, region_id); kind_order is the kind's place in that order
-- (the kinds sort alphabetically too) and region 0 stands for "no region" in the keyset position.
--
-- MODELS_CHANGED_OUTSIDE_PLANNING: a model still linked to its request whose latest addition
-- (an audit row VALIDATION_MODELS_CHANGED listing it in changes.added) was recorded while the
-- request was neither INTAKE nor PLANNING. The status at that moment is the last history row of
-- the request at or before the audit row's time (both are written with the writing transaction's
-- now()); a request starts in INTAKE, so no such row means INTAKE. changes.added is read with
-- jsonb containment, which is false, never an error, for an audit row whose added is null or not
-- an array. audit_logs_action_idx (action, audit_id) finds the audit rows, the links are
-- primary-key lookups (request_id, model_id) and the history of one request is
-- validation_status_history_request_id_idx (request_id, history_id).
--
-- REGION_OUTSIDE_MODEL_SCOPE: an active request (NOT is_closed) with a region in which one of its
-- models does not run (no model_regions row; model_regions_pkey (model_id, region_id)).
WITH model_adds AS (
    SELECT DISTINCT ON (vrm.request_id, vrm.model_id)
           vrm.request_id, vrm.model_id, al.audit_id, al.created_at
    FROM audit_logs al
    JOIN validation_request_models vrm
      ON vrm.request_id = al.entity_id
     AND al.changes -> 'added' @> to_jsonb(vrm.model_id)
    WHERE al.action = 'VALIDATION_MODELS_CHANGED'
      AND al.entity_type = 'validation_request'
    ORDER BY vrm.request_id, vrm.model_id, al.audit_id DESC
),
exceptions AS (
    SELECT 1 AS kind_order, 'MODELS_CHANGED_OUTSIDE_PLANNING'::text AS kind, ma.request_id, ma.model_id,
           NULL::int AS region_id, ma.audit_id AS detected_from, status_then.status AS status_then
    FROM model_adds ma
    CROSS JOIN LATERAL (
        SELECT coalesce((
            SELECT h.to_status
            FROM validation_status_history h
            WHERE h.request_id = ma.request_id
              AND h.changed_at <= ma.created_at
            ORDER BY h.changed_at DESC, h.history_id DESC
            LIMIT 1
        ), 'INTAKE') AS status
    ) status_then
    WHERE status_then.status NOT IN ('INTAKE', 'PLANNING')
    UNION ALL
    SELECT 2, 'REGION_OUTSIDE_MODEL_SCOPE'::text, vrr.request_id, vrm.model_id,
           vrr.region_id, NULL::bigint, NULL::text
    FROM validation_request_regions vrr
    JOIN validation_requests scoped ON scoped.request_id = vrr.request_id
    JOIN validation_request_models vrm ON vrm.request_id = vrr.request_id
    WHERE NOT scoped.is_closed
      AND NOT EXISTS (
          SELECT 1 FROM model_regions mr
          WHERE mr.model_id = vrm.model_id AND mr.region_id = vrr.region_id
      )
)
-- The outer joins give the optional columns their NULLs (and sqlc their nullable types): the
-- region, the audit row and the status then exist only for their kind (primary-key lookups).
SELECT e.kind::text AS kind, e.request_id::int AS request_id, vr.status AS request_status,
       e.model_id::int AS model_id, m.model_name, rg.region_id, rg.code AS region_code,
       al.audit_id AS detected_from, st.code AS status_then, e.kind_order::int AS kind_order
FROM exceptions e
JOIN validation_requests vr ON vr.request_id = e.request_id
JOIN models m ON m.model_id = e.model_id
LEFT JOIN regions rg ON rg.region_id = e.region_id
LEFT JOIN audit_logs al ON al.audit_id = e.detected_from
LEFT JOIN validation_statuses st ON st.code = e.status_then
WHERE (sqlc.narg('kind')::text IS NULL OR e.kind = sqlc.narg('kind')::text)
  AND (e.request_id, e.kind_order, e.model_id, coalesce(e.region_id, 0))
      > (@after_request_id::int, @after_kind_order::int, @after_model_id::int, @after_region_id::int)
ORDER BY e.request_id, e.kind_order, e.model_id, coalesce(e.region_id, 0)
LIMIT @page_limit;
