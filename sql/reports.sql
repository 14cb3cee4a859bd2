-- name: ReportRuleExceptions :many
-- Existing rows that break a rule the service now enforces but that the upgrade left as they were
-- (README, "Upgrading: data the new rules refuse"). Read-only and computed live, one page in the
-- order (request_id, kind_order, model_id, region_id); kind_order is the kind's place in that
-- order (the kinds sort alphabetically too) and region 0 stands for "no region" in the keyset
-- position.
--
-- MODELS_CHANGED_OUTSIDE_PLANNING: a model still linked to its request whose latest addition
-- (an audit row VALIDATION_MODELS_CHANGED listing it in changes.added) was recorded while the
-- request was neither INTAKE nor PLANNING. The status at that moment is the one the audit row
-- records (changes.status: the status the service judged the change under, written since
-- migration 20261206007000); for an older row, the last history row of the request at or before
-- the audit row's time (both are written with the writing transaction's now()); a request starts
-- in INTAKE, so no such row means INTAKE. changes.added is read with
-- jsonb containment, which is false, never an error, for an audit row whose added is null or not
-- an array.
--
-- REGION_OUTSIDE_MODEL_SCOPE: an active request (NOT is_closed) with a region in which one of its
-- models does not run (no model_regions row).
--
-- The rows are the function report_rule_exceptions (migration 20261206002020 says why: plpgsql
-- keeps its plan for the life of the server connection, where the unnamed statement was planned
-- at every page); this statement joins each row's display columns by primary key (the request's
-- status, the model's name, the region's code, the audit row, the status then), for the page's
-- rows only (EXPLAIN shows a Function Scan; auto_explain with log_nested_statements shows the
-- plan inside). In the function each kind is its own page (models_changed, regions_outside): the
-- kind's rows after the keyset position, in the report's order, at most page_limit of them; the
-- page is the first page_limit of their union, so a kind never computes past its own page. The
-- kind filter is a One-Time Filter on each kind's walk. The probes are subqueries fenced with
-- OFFSET 0, so the planner keeps them per row (flattened, it hashed validation_request_models,
-- validation_request_regions and model_regions whole on every page):
--   * models_changed reads, from the keyset position, the model-change audit rows that can be
--     exceptions: those recording a status outside INTAKE and PLANNING, and those recording none
--     (written before 20261206007000), by audit_logs_models_changed_candidates_idx (entity_id,
--     audit_id) INCLUDE (created_at), partial on exactly that; the changes the service writes
--     now, always in INTAKE or PLANNING, are not in it. For a row recording no status, the
--     request's status at its time is the first entry at or before it of
--     validation_status_history_request_changed_idx (request_id, changed_at DESC, history_id
--     DESC) INCLUDE (to_status), index-only. Only the rows with a status outside INTAKE and
--     PLANNING go on: the links the row added (validation_request_models_pkey), and for each an
--     anti-probe that no later model-change audit row of the request added the model again
--     (audit_logs_models_changed_idx; the addition is the latest one; the same rows as a DISTINCT
--     ON over every addition, which read each audit row's links and sorted them all first). A
--     page reads the candidates from its position: on the queues benchmark's seed, whose 2,000
--     model changes record INTAKE as the service does, none.
--   * regions_outside walks validation_requests_active_idx (closed requests never read), each
--     request's regions and links by their primary keys and model_regions_pkey, up to its last row.
-- Plan on 50,000 requests (14,000 active, 2,000 model-change audit rows, 500 exceptions): Limit
-- -> Incremental Sort -> Merge Append of the two pages; no sequential scan of a big table.
SELECT e.kind::text AS kind, e.request_id::int AS request_id, vr.status AS request_status,
       e.model_id::int AS model_id, m.model_name, rg.region_id, rg.code AS region_code,
       al.audit_id AS detected_from, st.code AS status_then, e.kind_order::int AS kind_order
FROM report_rule_exceptions(sqlc.narg('kind')::text, @after_request_id::int, @after_kind_order::int,
                            @after_model_id::int, @after_region_id::int, @page_limit::int) e
JOIN validation_requests vr ON vr.request_id = e.request_id
JOIN models m ON m.model_id = e.model_id
LEFT JOIN regions rg ON rg.region_id = e.region_id
LEFT JOIN audit_logs al ON al.audit_id = e.detected_from
LEFT JOIN validation_statuses st ON st.code = e.status_then
ORDER BY e.request_id, e.kind_order, e.model_id, coalesce(e.region_id, 0);

-- name: ReportPendingAssignments :many
-- The MRM team's oversight of unstaffed work (README, "Oversight reports"): active requests with
-- no primary validator, oldest first, keyset (created_at, request_id). The day the counts are taken
-- on is @as_of, else today in UTC; days_pending is that day minus the creation day (UTC), a whole
-- number of days; severity CRITICAL over 7 days, HIGH over 3, else MEDIUM (negative when as_of
-- is before the creation day: the data is not moved, only the day).
-- Index: validation_requests_active_created_idx (created_at, request_id) WHERE NOT is_closed, walked
-- in order from the keyset position; the severity filter is the matching range of created_at
-- (stable bounds computed from as_of, so they are index conditions of the same scan, not a
-- filter over every active request). No primary: an anti-probe of
-- validation_assignments_one_primary_key (request_id) WHERE is_primary per active request. Closed
-- requests are never read. Plan on 50,000 requests (10,000 active): Limit -> Nested Loop Anti
-- Join -> Index Scan on validation_requests_active_created_idx + Index Only Scan on
-- validation_assignments_one_primary_key; the requestor and models are primary-key lookups
-- (users_pkey, validation_request_models_pkey, models_pkey) for the page's rows only.
-- priority: a filter on the walked rows.
WITH day AS (
    SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS as_of
)
SELECT vr.request_id, vr.status, vr.priority, vr.validation_type, vr.created_at,
       vr.requestor_id, u.full_name AS requestor_full_name,
       (day.as_of - (vr.created_at AT TIME ZONE 'UTC')::date)::int AS days_pending,
       CASE WHEN day.as_of - (vr.created_at AT TIME ZONE 'UTC')::date > 7 THEN 'CRITICAL'
            WHEN day.as_of - (vr.created_at AT TIME ZONE 'UTC')::date > 3 THEN 'HIGH'
            ELSE 'MEDIUM' END::text AS severity,
       ARRAY(SELECT vrm.model_id FROM validation_request_models vrm
             WHERE vrm.request_id = vr.request_id ORDER BY vrm.model_id)::int[] AS model_ids,
       ARRAY(SELECT m.model_name FROM validation_request_models vrm JOIN models m ON m.model_id = vrm.model_id
             WHERE vrm.request_id = vr.request_id ORDER BY vrm.model_id)::text[] AS model_names
FROM day, validation_requests vr
JOIN users u ON u.user_id = vr.requestor_id
WHERE NOT vr.is_closed
  AND NOT EXISTS (
      SELECT 1 FROM validation_assignments a WHERE a.request_id = vr.request_id AND a.is_primary
  )
  -- severity as a range of created_at: CRITICAL before the UTC midnight starting as_of - 7,
  -- HIGH from it to the one starting as_of - 3, MEDIUM from that one on.
  AND vr.created_at >= CASE sqlc.narg('severity')::text
          WHEN 'HIGH' THEN ((day.as_of - 7)::timestamp AT TIME ZONE 'UTC')
          WHEN 'MEDIUM' THEN ((day.as_of - 3)::timestamp AT TIME ZONE 'UTC')
          ELSE '-infinity'::timestamptz END
  AND vr.created_at < CASE sqlc.narg('severity')::text
          WHEN 'CRITICAL' THEN ((day.as_of - 7)::timestamp AT TIME ZONE 'UTC')
          WHEN 'HIGH' THEN ((day.as_of - 3)::timestamp AT TIME ZONE 'UTC')
          ELSE 'infinity'::timestamptz END
  AND (sqlc.narg('priority')::validation_priority IS NULL OR vr.priority = sqlc.narg('priority')::validation_priority)
  AND (vr.created_at, vr.request_id) > (@after_created_at::timestamptz, @after_request_id::int)
ORDER BY vr.created_at, vr.request_id
LIMIT @page_limit;

-- name: ReportPendingAssignmentsCount :one
-- How many rows ReportPendingAssignments holds over all its pages, for its CSV export (refused
-- over EXPORT_MAX_ROWS before any row). The same filters, word for word; the same index.
WITH day AS (
    SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS as_of
)
SELECT count(*)
FROM day, validation_requests vr
WHERE NOT vr.is_closed
  AND NOT EXISTS (
      SELECT 1 FROM validation_assignments a WHERE a.request_id = vr.request_id AND a.is_primary
  )
  AND vr.created_at >= CASE sqlc.narg('severity')::text
          WHEN 'HIGH' THEN ((day.as_of - 7)::timestamp AT TIME ZONE 'UTC')
          WHEN 'MEDIUM' THEN ((day.as_of - 3)::timestamp AT TIME ZONE 'UTC')
          ELSE '-infinity'::timestamptz END
  AND vr.created_at < CASE sqlc.narg('severity')::text
          WHEN 'CRITICAL' THEN ((day.as_of - 7)::timestamp AT TIME ZONE 'UTC')
          WHEN 'HIGH' THEN ((day.as_of - 3)::timestamp AT TIME ZONE 'UTC')
          ELSE 'infinity'::timestamptz END
  AND (sqlc.narg('priority')::validation_priority IS NULL OR vr.priority = sqlc.narg('priority')::validation_priority);

-- name: ReportWorkload :many
-- The validators' workload (README, "Oversight reports"): one row per validator in user_id order,
-- keyset on user_id. A validator is a VALIDATOR who is not disabled, or any user holding an
-- assignment on an active request (an ADMIN assigned as a validator, a disabled validator whose
-- work must be handed on): the report is where the work sits. Counts over active requests only
-- (NOT is_closed): primary_active and reviewer_active its assignments as primary and as reviewer
-- (an assignment that is neither counts in no column); reviews_waiting its reviewer assignments
-- not signed off on a request in REVIEW; overdue_primary its primary assignments on a request
-- whose target date is before @as_of (else today in UTC).
-- active_work reads only the open work: each assignment carries its request's closed flag,
-- status and target date (request_is_closed, request_status, request_target_date, held equal to
-- the request's by a cascading foreign key; docs/lists.md, "Mirrors of the request on its
-- assignments"), and validation_assignments_open_work_idx (validator_id) INCLUDE (is_primary,
-- signed_off_at, request_status, request_target_date) WHERE NOT request_is_closed AND
-- (is_primary OR is_reviewer) holds every column the counts read. Closed requests' assignments
-- (most of them, growing forever) are not in the index. users is small (hundreds of people),
-- walked by users_pkey; disabled a user_disablements probe. Both sides come in user_id order, so
-- the page stops at its last validator: it reads that far into the index, never further. Plan on
-- 50,000 requests (14,000 active, 74,000 assignments): Limit -> Merge Left Join of users_pkey with
-- GroupAggregate over an Index Only Scan on validation_assignments_open_work_idx.
WITH day AS (
    SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS as_of
),
active_work AS (
    SELECT a.validator_id,
           count(*) FILTER (WHERE a.is_primary) AS primary_active,
           count(*) FILTER (WHERE NOT a.is_primary) AS reviewer_active,
           count(*) FILTER (WHERE NOT a.is_primary AND a.request_status = 'REVIEW' AND a.signed_off_at IS NULL) AS reviews_waiting,
           count(*) FILTER (WHERE a.is_primary AND a.request_target_date < day.as_of) AS overdue_primary
    FROM day, validation_assignments a
    -- the index's predicate, word for word: a request has at most one primary and one reviewer
    -- (validation_assignments_one_primary_key, ..._one_reviewer_key), never both in one row.
    WHERE NOT a.request_is_closed AND (a.is_primary OR a.is_reviewer)
      AND a.validator_id > @after_id
    GROUP BY a.validator_id
)
SELECT u.user_id, u.full_name,
       coalesce(w.primary_active, 0)::int AS primary_active,
       coalesce(w.reviewer_active, 0)::int AS reviewer_active,
       coalesce(w.reviews_waiting, 0)::int AS reviews_waiting,
       coalesce(w.overdue_primary, 0)::int AS overdue_primary
FROM users u
LEFT JOIN active_work w ON w.validator_id = u.user_id
WHERE u.user_id > @after_id
  AND ((u.role = 'VALIDATOR' AND NOT EXISTS (SELECT 1 FROM user_disablements d WHERE d.user_id = u.user_id))
       OR w.validator_id IS NOT NULL)
ORDER BY u.user_id
LIMIT @page_limit;

-- name: ReportWorkloadCount :one
-- How many rows ReportWorkload holds over all its pages, for its CSV export. The same rows: per
-- user (a small table, read whole), whether it is an enabled VALIDATOR or holds open work (one
-- probe of validation_assignments_open_work_idx, the page's index and predicate).
SELECT count(*)
FROM users u
WHERE (u.role = 'VALIDATOR' AND NOT EXISTS (SELECT 1 FROM user_disablements d WHERE d.user_id = u.user_id))
   OR EXISTS (SELECT 1 FROM validation_assignments a
              WHERE a.validator_id = u.user_id AND NOT a.request_is_closed AND (a.is_primary OR a.is_reviewer));

-- name: ReportOutOfOrder :many
-- Active requests whose target date is after the production date of a version they cover
-- (README, "Oversight reports"; the rule target_after_implementation of docs/rules.md, which the
-- service enforces on each change but which versions' planned dates moving later, or data from
-- before the rule, can still break): one row per (request, covered version), in (request_id,
-- version_id) order, keyset on both. The production date is the version's actual date, else its
-- planned one (a version with neither has no date to miss); days_gap is the target date minus it.
-- The report takes as_of like every report, for its CSV's name only: no count here depends on
-- it (both dates are the data's), so the query does not read it.
-- Index: validation_requests_active_idx (request_id) WHERE NOT is_closed, walked from the keyset
-- position (closed requests never read); each request's links by validation_request_models_pkey
-- (request_id, model_id) and its versions by model_versions_pkey. A page reads active requests
-- until it holds page_limit rows: at worst every active request, never the closed ones. Plan on
-- 50,000 requests (10,000 active): Limit -> Incremental Sort (presorted request_id) -> Nested
-- Loop over Index Scan on validation_requests_active_idx, validation_request_models_pkey and
-- model_versions_pkey.
SELECT vr.request_id, vrm.model_id, mv.version_id, mv.version_number,
       coalesce(mv.actual_production_date, mv.planned_production_date)::date AS production_date,
       vr.target_completion_date,
       (vr.target_completion_date - coalesce(mv.actual_production_date, mv.planned_production_date))::int AS days_gap
FROM validation_requests vr
JOIN validation_request_models vrm ON vrm.request_id = vr.request_id
JOIN model_versions mv ON mv.version_id = vrm.version_id
WHERE NOT vr.is_closed
  AND vr.target_completion_date > coalesce(mv.actual_production_date, mv.planned_production_date)
  -- bounds both index scans (the row comparison spans two tables, so it cannot)
  AND vrm.request_id >= @after_request_id::int
  -- the first half bounds the index scan (the row comparison spans two tables, so it cannot)
  AND vr.request_id >= @after_request_id::int
  AND (vr.request_id, mv.version_id) > (@after_request_id::int, @after_version_id::int)
ORDER BY vr.request_id, mv.version_id
LIMIT @page_limit;

-- name: ReportOutOfOrderCount :one
-- How many rows ReportOutOfOrder holds, for its CSV export. The same filter, but not the same
-- plan: a count reads every active request, so the planner takes them index-only from
-- validation_requests_active_target_idx and hash-joins validation_request_models and
-- model_versions read whole (sequential scans; 25 ms on 50,000 requests and 120,000 versions,
-- bench/results/queues-explain.md), growing with those tables rather than with the report.
SELECT count(*)
FROM validation_requests vr
JOIN validation_request_models vrm ON vrm.request_id = vr.request_id
JOIN model_versions mv ON mv.version_id = vrm.version_id
WHERE NOT vr.is_closed
  AND vr.target_completion_date > coalesce(mv.actual_production_date, mv.planned_production_date);

-- name: ReportRuleExceptionsCount :one
-- How many rows ReportRuleExceptions holds over all its pages, for its CSV export (refused over
-- EXPORT_MAX_ROWS before any row): the page's own function (report_rule_exceptions, migration
-- 20261206002020) from before the first row with no page limit (LIMIT NULL), so the rule has one
-- definition. On the queues benchmark's seed, 19 ms for all 500 rows, as the count written
-- separately before it took.
SELECT count(*)
FROM report_rule_exceptions(sqlc.narg('kind')::text, 0, 0, 0, 0, NULL::int) e;

-- name: ReportSLAViolations :many
-- The workflow SLA's violations (docs/sla.md): per active request and phase, where the days the
-- phase has taken, less the days the request was ON_HOLD inside it, exceed the workflow_sla
-- allowance. One row per (request, phase) over its allowance, in (request_id, phase_order) order,
-- keyset on that pair. The day an open phase is measured to is @as_of, else today in UTC; a
-- phase that has ended is measured to its end (the data is not moved, only the day).
-- Phases (phase_order), each starting and ending on UTC days, the first time the request got there:
--   1 ASSIGNMENT  created -> first primary validator: the earliest of the current primary's
--     validation_assignments.created_at and the first audit row ASSIGNMENT_CREATED/UPDATED with
--     is_primary (a primary demoted or deleted since still ended the phase);
--   2 BEGIN_WORK  first entering PLANNING -> submission_received_date;
--   3 COMPLETION  submission_received_date -> first entering PENDING_APPROVAL; allowed = the
--     largest model_change_lead_time_days over its models' tiers' policies, 90 without one;
--   4 APPROVAL    first entering PENDING_APPROVAL -> APPROVED (never ended for an active request).
-- Hold days: each ON_HOLD interval (the day it was entered to the day of the next history row,
-- or as_of while still on hold), clipped to the phase; intervals read with lead() over the
-- request's history. Severity: CRITICAL over 30 days over, HIGH over 14, else MEDIUM.
-- Index: validation_requests_active_sla_idx (request_id) INCLUDE (created_at,
-- submission_received_date) WHERE NOT is_closed, an Index Only Scan in order from the keyset
-- position (closed requests never read; without the INCLUDE the planner chose a sequential scan
-- of validation_requests and a sort under a selective filter); per active request its history by
-- validation_status_history_request_id_idx (request_id, history_id), its primary by
-- validation_assignments_one_primary_key, its first primary audit row by audit_logs_entity_idx
-- (entity_type, entity_id, audit_id), its models' tiers by validation_request_models_pkey,
-- models_pkey and validation_policies_pkey. Plan on 50,000 requests (10,000 active, 150,000
-- history rows, 150,000 audit rows): Limit -> Incremental Sort (presorted on request_id) ->
-- Nested Loop over the Index Only Scan above with the per-request probes; no sequential scan of
-- a big table (workflow_sla is one row). A page with no filter reads ~35 active requests: 4-10 ms.
-- phase, severity: filters on the computed rows, so a selective one (a rare phase or severity)
-- walks every active request until the page fills: ~270 ms for 10,000 active requests with
-- phase=COMPLETION&severity=CRITICAL (about 27 us a request). ended_on is measured_to when has_ended (the
-- generated code cannot type a VALUES column as a nullable date).
WITH day AS (
    SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS as_of
)
SELECT vr.request_id, ph.phase::text AS phase, ph.phase_order::int AS phase_order,
       ph.started_on::date AS started_on, (ph.ended_on IS NOT NULL)::bool AS has_ended,
       coalesce(ph.ended_on, day.as_of)::date AS measured_to,
       el.days_elapsed::int AS days_elapsed, hd.hold_days::int AS hold_days,
       ph.allowed_days::int AS allowed_days, ov.days_over::int AS days_over, ov.severity::text AS severity
FROM day CROSS JOIN workflow_sla sla
JOIN validation_requests vr ON NOT vr.is_closed
-- The request's history once: the first day it entered PLANNING and PENDING_APPROVAL, and its
-- ON_HOLD intervals as ranges [entered, left).
CROSS JOIN LATERAL (
    SELECT min(h.entered_on) FILTER (WHERE h.to_status = 'PLANNING') AS planning_on,
           min(h.entered_on) FILTER (WHERE h.to_status = 'PENDING_APPROVAL') AS pending_approval_on,
           coalesce(array_agg(daterange(h.entered_on, greatest(h.entered_on, coalesce(h.left_on, day.as_of))))
                    FILTER (WHERE h.to_status = 'ON_HOLD'), '{}')::daterange[] AS holds
    FROM (
        SELECT sh.to_status, (sh.changed_at AT TIME ZONE 'UTC')::date AS entered_on,
               (lead(sh.changed_at) OVER (ORDER BY sh.history_id) AT TIME ZONE 'UTC')::date AS left_on
        FROM validation_status_history sh
        WHERE sh.request_id = vr.request_id
    ) h
) hist
CROSS JOIN LATERAL (
    SELECT least(
        (SELECT (a.created_at AT TIME ZONE 'UTC')::date FROM validation_assignments a
         WHERE a.request_id = vr.request_id AND a.is_primary),
        (SELECT (al.created_at AT TIME ZONE 'UTC')::date FROM audit_logs al
         WHERE al.entity_type = 'validation_request' AND al.entity_id = vr.request_id
           AND al.action IN ('ASSIGNMENT_CREATED', 'ASSIGNMENT_UPDATED')
           AND (al.changes ->> 'is_primary') = 'true'
         ORDER BY al.audit_id LIMIT 1)
    ) AS primary_on
) prim
CROSS JOIN LATERAL (
    VALUES
        (1, 'ASSIGNMENT', (vr.created_at AT TIME ZONE 'UTC')::date, prim.primary_on, sla.assignment_days),
        (2, 'BEGIN_WORK', hist.planning_on, vr.submission_received_date, sla.begin_work_days),
        (3, 'COMPLETION', vr.submission_received_date, hist.pending_approval_on,
            coalesce((SELECT max(p.model_change_lead_time_days)
                      FROM validation_request_models l
                      JOIN models m ON m.model_id = l.model_id
                      JOIN validation_policies p ON p.risk_tier = m.risk_tier
                      WHERE l.request_id = vr.request_id), 90)),
        (4, 'APPROVAL', hist.pending_approval_on, NULL::date, sla.approval_days)
) ph (phase_order, phase, started_on, ended_on, allowed_days)
CROSS JOIN LATERAL (
    SELECT coalesce(ph.ended_on, day.as_of) - ph.started_on AS days_elapsed
) el
CROSS JOIN LATERAL (
    -- each hold intersected with the phase [started_on, end): its days inside the phase.
    SELECT coalesce(sum(upper(c.inside) - lower(c.inside)), 0) AS hold_days
    FROM unnest(hist.holds) AS i (hold)
    CROSS JOIN LATERAL (
        SELECT i.hold * daterange(ph.started_on, greatest(ph.started_on, coalesce(ph.ended_on, day.as_of))) AS inside
    ) c
) hd
CROSS JOIN LATERAL (
    SELECT el.days_elapsed - hd.hold_days - ph.allowed_days AS days_over,
           CASE WHEN el.days_elapsed - hd.hold_days - ph.allowed_days > 30 THEN 'CRITICAL'
                WHEN el.days_elapsed - hd.hold_days - ph.allowed_days > 14 THEN 'HIGH'
                ELSE 'MEDIUM' END AS severity
) ov
WHERE ph.started_on IS NOT NULL
  AND ov.days_over > 0
  AND (sqlc.narg('phase')::text IS NULL OR ph.phase = sqlc.narg('phase')::text)
  AND (sqlc.narg('severity')::text IS NULL OR ov.severity = sqlc.narg('severity')::text)
  AND vr.request_id >= @after_request_id::int
  AND (vr.request_id, ph.phase_order) > (@after_request_id::int, @after_phase_order::int)
ORDER BY vr.request_id, ph.phase_order
LIMIT @page_limit;

-- name: ReportSLAViolationsCount :one
-- How many rows ReportSLAViolations holds over all its pages, for its CSV export (refused over
-- EXPORT_MAX_ROWS before any row). The same query and filters, word for word, without the page.
WITH day AS (
    SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS as_of
)
SELECT count(*)
FROM day CROSS JOIN workflow_sla sla
JOIN validation_requests vr ON NOT vr.is_closed
-- The request's history once: the first day it entered PLANNING and PENDING_APPROVAL, and its
-- ON_HOLD intervals as ranges [entered, left).
CROSS JOIN LATERAL (
    SELECT min(h.entered_on) FILTER (WHERE h.to_status = 'PLANNING') AS planning_on,
           min(h.entered_on) FILTER (WHERE h.to_status = 'PENDING_APPROVAL') AS pending_approval_on,
           coalesce(array_agg(daterange(h.entered_on, greatest(h.entered_on, coalesce(h.left_on, day.as_of))))
                    FILTER (WHERE h.to_status = 'ON_HOLD'), '{}')::daterange[] AS holds
    FROM (
        SELECT sh.to_status, (sh.changed_at AT TIME ZONE 'UTC')::date AS entered_on,
               (lead(sh.changed_at) OVER (ORDER BY sh.history_id) AT TIME ZONE 'UTC')::date AS left_on
        FROM validation_status_history sh
        WHERE sh.request_id = vr.request_id
    ) h
) hist
CROSS JOIN LATERAL (
    SELECT least(
        (SELECT (a.created_at AT TIME ZONE 'UTC')::date FROM validation_assignments a
         WHERE a.request_id = vr.request_id AND a.is_primary),
        (SELECT (al.created_at AT TIME ZONE 'UTC')::date FROM audit_logs al
         WHERE al.entity_type = 'validation_request' AND al.entity_id = vr.request_id
           AND al.action IN ('ASSIGNMENT_CREATED', 'ASSIGNMENT_UPDATED')
           AND (al.changes ->> 'is_primary') = 'true'
         ORDER BY al.audit_id LIMIT 1)
    ) AS primary_on
) prim
CROSS JOIN LATERAL (
    VALUES
        (1, 'ASSIGNMENT', (vr.created_at AT TIME ZONE 'UTC')::date, prim.primary_on, sla.assignment_days),
        (2, 'BEGIN_WORK', hist.planning_on, vr.submission_received_date, sla.begin_work_days),
        (3, 'COMPLETION', vr.submission_received_date, hist.pending_approval_on,
            coalesce((SELECT max(p.model_change_lead_time_days)
                      FROM validation_request_models l
                      JOIN models m ON m.model_id = l.model_id
                      JOIN validation_policies p ON p.risk_tier = m.risk_tier
                      WHERE l.request_id = vr.request_id), 90)),
        (4, 'APPROVAL', hist.pending_approval_on, NULL::date, sla.approval_days)
) ph (phase_order, phase, started_on, ended_on, allowed_days)
CROSS JOIN LATERAL (
    SELECT coalesce(ph.ended_on, day.as_of) - ph.started_on AS days_elapsed
) el
CROSS JOIN LATERAL (
    -- each hold intersected with the phase [started_on, end): its days inside the phase.
    SELECT coalesce(sum(upper(c.inside) - lower(c.inside)), 0) AS hold_days
    FROM unnest(hist.holds) AS i (hold)
    CROSS JOIN LATERAL (
        SELECT i.hold * daterange(ph.started_on, greatest(ph.started_on, coalesce(ph.ended_on, day.as_of))) AS inside
    ) c
) hd
CROSS JOIN LATERAL (
    SELECT el.days_elapsed - hd.hold_days - ph.allowed_days AS days_over,
           CASE WHEN el.days_elapsed - hd.hold_days - ph.allowed_days > 30 THEN 'CRITICAL'
                WHEN el.days_elapsed - hd.hold_days - ph.allowed_days > 14 THEN 'HIGH'
                ELSE 'MEDIUM' END AS severity
) ov
WHERE ph.started_on IS NOT NULL
  AND ov.days_over > 0
  AND (sqlc.narg('phase')::text IS NULL OR ph.phase = sqlc.narg('phase')::text)
  AND (sqlc.narg('severity')::text IS NULL OR ov.severity = sqlc.narg('severity')::text);
