-- The queues benchmark's inventory (bench/queues/seed.go runs it on a freshly migrated database).
--
-- Everything is arithmetic on generate_series, so two runs write the same rows with the same ids.
-- Its sizes come from three settings the caller sets first (seed.go: 10,000 models, 50,000
-- requests and 200,000 tasks at scale 1): seed.models, seed.requests, seed.tasks. 500 users and 10
-- regions at every scale.
--
-- It goes through every constraint and trigger of db/schema.sql but one trigger, turned off for
-- the tasks' insert (see there) and its rule checked by seed.go's invariants afterwards. The
-- status guard on validation_requests checks only an UPDATE's transition (an INSERT gets its
-- is_targeted and is_closed filled in), so a request is inserted in its current status; its
-- history holds the INTAKE row and the row entering that status.
--
-- Shapes the queues need:
--   users      1..5 ADMIN, 6..105 VALIDATOR, 106..125 GLOBAL_APPROVER, 126..155 REGIONAL_APPROVER
--              (region ((u-126) % 10) + 1, a second one for an even u), 156..500 USER; 156 owns
--              every tenth model (the "owner of many models"), 157.. delegate for every 20th.
--   regions    1..10, regions 1..4 require regional approval.
--   models     1..3 regions each (offsets 0, 3, 6 from m % 10, so never twice the same).
--   versions   12 per model, REGIONAL when j % 3 = 0 (target regions: all the model's). Twelve,
--              not two: the unique indexes allow one global task per version or one task per
--              (version, model region), so 200,000 tasks need well over 20,000 versions.
--   requests   request r is the k-th (k = (r-1) / models) of model m = (r-1) % models + 1:
--              k = 0 INITIAL, 1 COMPREHENSIVE and 3 CHANGE are closed (APPROVED, every fifth
--              CANCELLED); k = 2 is TARGETED in any status; k = 4 is the model's one possibly
--              active non-targeted request (DATA-01), in any status. Statuses follow a bucket of
--              20 (INTAKE 2, PLANNING 2, IN_PROGRESS 3, REVIEW 2, PENDING_APPROVAL 3, REVISION 1,
--              ON_HOLD 1, APPROVED 4, CANCELLED 2), so 3 in 20 of the k = 2 and k = 4 requests —
--              3,000 at scale 1 — await approval.
--   tasks      versions j = 4, 8 have a global task, every other version one task per region it
--              goes to; the candidates are shuffled by arithmetic and the first seed.tasks kept.
--              Half are PENDING (the CSV export's ~100,000 rows at scale 1).

CREATE TEMP TABLE seed_size AS
SELECT current_setting('seed.models')::int AS models,
       current_setting('seed.requests')::int AS requests,
       current_setting('seed.tasks')::int AS tasks;

INSERT INTO users (user_id, email, full_name, role, created_at) OVERRIDING SYSTEM VALUE
SELECT u, format('user%s@bank.test', u),
       format('%s %s', (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','John','Radia','Ken'])[u % 10 + 1],
              (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Backus','Perlman','Thompson'])[(u / 10) % 10 + 1] || ' ' || u),
       CASE WHEN u <= 5 THEN 'ADMIN' WHEN u <= 105 THEN 'VALIDATOR' WHEN u <= 125 THEN 'GLOBAL_APPROVER'
            WHEN u <= 155 THEN 'REGIONAL_APPROVER' ELSE 'USER' END::user_role,
       timestamptz '2025-01-01 09:00+00' + u * interval '1 hour'
FROM generate_series(1, 500) u;

INSERT INTO user_disablements (user_id, disabled_by, disabled_at)
SELECT u, 1, timestamptz '2026-06-01 09:00+00' FROM generate_series(490, 500, 5) u;

INSERT INTO regions (region_id, code, name, requires_regional_approval, created_at) OVERRIDING SYSTEM VALUE
SELECT g, (ARRAY['EU','US','UK','JP','CA','AU','SG','HK','CH','BR'])[g],
       (ARRAY['European Union','United States','United Kingdom','Japan','Canada','Australia','Singapore','Hong Kong','Switzerland','Brazil'])[g],
       g <= 4, timestamptz '2025-01-01 08:00+00'
FROM generate_series(1, 10) g;

INSERT INTO user_regions (user_id, region_id)
SELECT u, (u - 126) % 10 + 1 FROM generate_series(126, 155) u
UNION ALL
SELECT u, (u - 126 + 5) % 10 + 1 FROM generate_series(126, 155) u WHERE u % 2 = 0;

-- Risk tiers as an inventory has them: the four tiers in turn, and one model in twenty not yet
-- tiered (NO_POLICY), so the revalidation report computes real due dates and statuses.
INSERT INTO models (model_id, model_name, description, owner_id, risk_tier, created_at, updated_at) OVERRIDING SYSTEM VALUE
SELECT m, format('%s model %s', (ARRAY['Credit','Market','Liquidity','Fraud','Pricing','AML','Capital','Stress'])[m % 8 + 1], m),
       'Seeded by bench/queues', CASE WHEN m % 10 = 0 THEN 156 ELSE 157 + m % 344 END,
       CASE WHEN m % 20 = 7 THEN NULL ELSE 'TIER_' || (m % 4 + 1) END,
       timestamptz '2025-01-01 10:00+00' + m * interval '1 minute', timestamptz '2025-01-01 10:00+00' + m * interval '1 minute'
FROM generate_series(1, (SELECT models FROM seed_size)) m;

INSERT INTO model_regions (model_id, region_id)
SELECT m, (m + o) % 10 + 1
FROM generate_series(1, (SELECT models FROM seed_size)) m
CROSS JOIN (VALUES (0), (3), (6)) AS offsets(o)
WHERE o = 0 OR (o = 3 AND m % 3 >= 1) OR (o = 6 AND m % 3 = 2);

INSERT INTO model_delegates (model_id, user_id, granted_by, granted_at)
SELECT m, 157 + (m / 20) % 300, 156, timestamptz '2025-06-01 10:00+00'
FROM generate_series(20, (SELECT models FROM seed_size), 20) m;

INSERT INTO model_versions (version_id, model_id, version_number, change_description, scope,
                            planned_production_date, actual_production_date, created_by, created_at) OVERRIDING SYSTEM VALUE
SELECT v.v, v.m, v.j || '.0', 'Seeded version ' || v.j,
       CASE WHEN v.j % 3 = 0 THEN 'REGIONAL' ELSE 'GLOBAL' END::version_scope,
       date '2026-01-01' + (v.v * 37) % 730,
       CASE WHEN v.j <= 6 THEN date '2026-01-01' + (v.v * 37) % 730 + 2 END,
       mo.owner_id, timestamptz '2025-01-15 10:00+00' + v.j * interval '30 days'
FROM (SELECT (m - 1) * 12 + j AS v, m, j
      FROM generate_series(1, (SELECT models FROM seed_size)) m, generate_series(1, 12) j) v
JOIN models mo ON mo.model_id = v.m
ORDER BY v.v;

INSERT INTO model_version_regions (version_id, region_id)
SELECT v.version_id, mr.region_id
FROM model_versions v
JOIN model_regions mr ON mr.model_id = v.model_id
WHERE v.scope = 'REGIONAL';

-- Each model runs version 1 in its regions.
UPDATE model_regions mr
SET version_id = (mr.model_id - 1) * 12 + 1, deployed_at = timestamptz '2025-03-01 12:00+00'
WHERE mr.model_id % 2 = 0;

-- One row per request with everything the tables below derive from it.
CREATE TEMP TABLE seed_request AS
SELECT r, m, k, bucket, status, vtype, created_at,
       created_at + (1 + (r * 17) % 90) * interval '1 day' AS entered_at,
       CASE WHEN k = 0 THEN 1 WHEN k = 1 THEN 3 WHEN k = 2 THEN 5 WHEN k = 3 THEN 7 WHEN k = 4 THEN 11 END AS version_j
FROM (
    SELECT r, m, k, bucket,
           CASE WHEN k IN (2, 4) THEN
                    CASE WHEN bucket < 2 THEN 'INTAKE' WHEN bucket < 4 THEN 'PLANNING' WHEN bucket < 7 THEN 'IN_PROGRESS'
                         WHEN bucket < 9 THEN 'REVIEW' WHEN bucket < 12 THEN 'PENDING_APPROVAL' WHEN bucket < 13 THEN 'REVISION'
                         WHEN bucket < 14 THEN 'ON_HOLD' WHEN bucket < 18 THEN 'APPROVED' ELSE 'CANCELLED' END
                WHEN (m + k) % 5 = 0 THEN 'CANCELLED' ELSE 'APPROVED' END AS status,
           CASE WHEN k = 0 THEN 'INITIAL' WHEN k = 1 THEN 'COMPREHENSIVE' WHEN k = 2 THEN 'TARGETED'
                WHEN k = 4 THEN (ARRAY['COMPREHENSIVE','CHANGE','INTERIM'])[m % 3 + 1] ELSE 'CHANGE' END AS vtype,
           timestamptz '2025-01-01 09:00+00' + (least(k, 4) * 120 + (m * 13) % 120) * interval '1 day'
               + (r % 480) * interval '1 minute' AS created_at
    FROM (SELECT r, (r - 1) % s.models + 1 AS m, (r - 1) / s.models AS k,
                 CASE WHEN (r - 1) / s.models = 2 THEN (((r - 1) % s.models + 1) * 11 + 5) % 20
                      ELSE (((r - 1) % s.models + 1) * 7) % 20 END AS bucket
          FROM seed_size s, generate_series(1, s.requests) r) x
) y;

INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, status, target_completion_date,
                                 trigger_reason, created_at, updated_at) OVERRIDING SYSTEM VALUE
SELECT sr.r, mo.owner_id, sr.vtype, (ARRAY['URGENT','HIGH','MEDIUM','LOW'])[sr.r % 4 + 1]::validation_priority, sr.status,
       (sr.created_at + (45 + (sr.r * 7) % 180) * interval '1 day')::date,
       CASE WHEN sr.vtype = 'TARGETED' THEN 'Seeded targeted review' END,
       sr.created_at, CASE WHEN sr.status = 'INTAKE' THEN sr.created_at ELSE sr.entered_at END
FROM seed_request sr
JOIN models mo ON mo.model_id = sr.m
ORDER BY sr.r;

-- The request's own model, with the version it validates; every tenth k = 0 or k = 2 request
-- also covers the next model (no version). blocks_model copies the request's blocks_models.
INSERT INTO validation_request_models (request_id, model_id, version_id, blocks_model)
SELECT vr.request_id, sr.m, (sr.m - 1) * 12 + sr.version_j, vr.blocks_models
FROM seed_request sr JOIN validation_requests vr ON vr.request_id = sr.r
UNION ALL
SELECT vr.request_id, sr.m % s.models + 1, NULL, vr.blocks_models
FROM seed_request sr JOIN validation_requests vr ON vr.request_id = sr.r, seed_size s
WHERE sr.k IN (0, 2) AND sr.r % 10 = 0 AND s.models > 1;

UPDATE model_versions v
SET validation_request_id = l.request_id
FROM validation_request_models l
WHERE l.version_id = v.version_id;

-- Every fourth request is scoped to its model's first region.
INSERT INTO validation_request_regions (request_id, region_id)
SELECT sr.r, sr.m % 10 + 1 FROM seed_request sr WHERE sr.r % 4 = 0;

INSERT INTO validation_status_history (request_id, from_status, to_status, reason, changed_by, changed_at)
SELECT h.request_id, h.from_status, h.to_status, h.reason, h.changed_by, h.changed_at
FROM (
    SELECT sr.r AS request_id, NULL::text AS from_status, 'INTAKE' AS to_status, NULL::text AS reason,
           vr.requestor_id AS changed_by, sr.created_at AS changed_at
    FROM seed_request sr JOIN validation_requests vr ON vr.request_id = sr.r
    UNION ALL
    SELECT sr.r, CASE sr.status WHEN 'PLANNING' THEN 'INTAKE' WHEN 'IN_PROGRESS' THEN 'PLANNING' WHEN 'REVIEW' THEN 'IN_PROGRESS'
                               WHEN 'PENDING_APPROVAL' THEN 'REVIEW' WHEN 'REVISION' THEN 'PENDING_APPROVAL'
                               WHEN 'ON_HOLD' THEN 'IN_PROGRESS' WHEN 'APPROVED' THEN 'PENDING_APPROVAL' ELSE 'INTAKE' END,
           sr.status, CASE WHEN sr.status IN ('CANCELLED', 'ON_HOLD', 'REVISION') THEN 'Seeded reason' END,
           CASE WHEN sr.status IN ('CANCELLED', 'PLANNING') THEN 1 ELSE 6 + (sr.r * 7) % 100 END, sr.entered_at
    FROM seed_request sr
    WHERE sr.status <> 'INTAKE'
) h
ORDER BY h.request_id, h.changed_at;

-- The day each request entered its status, as the service keeps it (docs/backstops.md, "The day a
-- request entered its status"): the UTC day of the history row above that entered it. The guard
-- trigger set it to the seeding day on insert; an update of this column alone does not fire it.
UPDATE validation_requests vr
SET status_entered_on = ((CASE WHEN sr.status = 'INTAKE' THEN sr.created_at ELSE sr.entered_at END) AT TIME ZONE 'UTC')::date
FROM seed_request sr
WHERE sr.r = vr.request_id;

-- A primary validator once work is planned (not for every fifth PLANNING request: unassigned),
-- a reviewer from REVIEW on, signed off once the request went to approval.
INSERT INTO validation_assignments (request_id, validator_id, is_primary, is_reviewer, estimated_hours,
                                    independence_attested_at, signed_off_at, sign_off_comments, assigned_by, created_at, updated_at)
SELECT a.request_id, a.validator_id, a.is_primary, a.is_reviewer, a.estimated_hours,
       a.at, a.signed_off_at, a.comments, 1, a.at, coalesce(a.signed_off_at, a.at)
FROM (
    SELECT sr.r AS request_id, 6 + (sr.r * 7) % 100 AS validator_id, true AS is_primary, false AS is_reviewer,
           (40 + sr.r % 80)::float8 AS estimated_hours, sr.created_at + interval '1 day' AS at,
           NULL::timestamptz AS signed_off_at, NULL::text AS comments
    FROM seed_request sr
    WHERE sr.status NOT IN ('INTAKE', 'CANCELLED') AND NOT (sr.status = 'PLANNING' AND sr.r % 5 = 0)
    UNION ALL
    SELECT sr.r, 6 + (sr.r * 7 + 37) % 100, false, true, NULL, sr.created_at + interval '2 days',
           CASE WHEN sr.status IN ('PENDING_APPROVAL', 'REVISION', 'APPROVED') THEN sr.entered_at - interval '1 hour' END,
           CASE WHEN sr.status IN ('PENDING_APPROVAL', 'REVISION', 'APPROVED') THEN 'Seeded sign-off' END
    FROM seed_request sr
    WHERE sr.status IN ('REVIEW', 'PENDING_APPROVAL', 'REVISION', 'APPROVED')
) a
ORDER BY a.request_id, a.is_reviewer;

INSERT INTO validation_outcomes (request_id, overall_rating, executive_summary, effective_date, expiration_date,
                                 created_by, created_at, updated_at)
SELECT sr.r, (ARRAY['PASS','PASS_WITH_FINDINGS','FAIL'])[sr.r % 3 + 1], 'Seeded outcome',
       (sr.entered_at - interval '1 day')::date,
       CASE WHEN sr.vtype = 'INTERIM' THEN (sr.entered_at + interval '365 days')::date END,
       6 + (sr.r * 7) % 100, sr.entered_at - interval '1 day', sr.entered_at - interval '1 day'
FROM seed_request sr
WHERE sr.status IN ('PENDING_APPROVAL', 'REVISION', 'APPROVED')
ORDER BY sr.r;

-- Approvals as the service creates them on entering PENDING_APPROVAL: one GLOBAL and one REGIONAL
-- per region of the model requiring it; pending while PENDING_APPROVAL, decided once APPROVED; a
-- REVISION's GLOBAL was sent back; every 25th APPROVED request has a pending DEPLOYMENT approval.
INSERT INTO validation_approvals (request_id, region_id, approval_type, status, decided_by_id, decided_at, created_at, comments)
SELECT a.request_id, a.region_id, a.approval_type, a.status, a.decided_by_id, a.decided_at, a.created_at, a.comments
FROM (
    SELECT sr.r AS request_id, NULL::int AS region_id, 'GLOBAL' AS approval_type,
           CASE sr.status WHEN 'PENDING_APPROVAL' THEN 'PENDING' WHEN 'APPROVED' THEN 'APPROVED' ELSE 'SENT_BACK' END AS status,
           CASE WHEN sr.status <> 'PENDING_APPROVAL' THEN 106 + sr.r % 20 END AS decided_by_id,
           CASE WHEN sr.status <> 'PENDING_APPROVAL' THEN sr.entered_at END AS decided_at,
           CASE WHEN sr.status = 'PENDING_APPROVAL' THEN sr.entered_at ELSE sr.entered_at - interval '5 days' END AS created_at,
           CASE WHEN sr.status = 'REVISION' THEN 'Seeded: findings need another look' END AS comments
    FROM seed_request sr
    WHERE sr.status IN ('PENDING_APPROVAL', 'APPROVED', 'REVISION')
    UNION ALL
    SELECT sr.r, mr.region_id, 'REGIONAL',
           CASE WHEN sr.status = 'APPROVED' THEN 'APPROVED' ELSE 'PENDING' END,
           CASE WHEN sr.status = 'APPROVED' THEN 125 + mr.region_id + 10 * (sr.r % 3) END,
           CASE WHEN sr.status = 'APPROVED' THEN sr.entered_at END,
           CASE WHEN sr.status = 'APPROVED' THEN sr.entered_at - interval '5 days' ELSE sr.entered_at END, NULL
    FROM seed_request sr
    JOIN model_regions mr ON mr.model_id = sr.m
    JOIN regions g ON g.region_id = mr.region_id AND g.requires_regional_approval
    WHERE sr.status IN ('PENDING_APPROVAL', 'APPROVED')
    UNION ALL
    SELECT sr.r, sr.m % 10 + 1, 'DEPLOYMENT', 'PENDING', NULL, NULL, sr.entered_at + interval '10 days', NULL
    FROM seed_request sr
    WHERE sr.status = 'APPROVED' AND sr.r % 25 = 0
) a
ORDER BY a.request_id, a.region_id NULLS FIRST, a.approval_type;

-- Deployment tasks: the candidates, shuffled by arithmetic, the first seed.tasks kept, numbered
-- in (version, region) order. A confirmed task of a version whose validation is not APPROVED was
-- deployed before approval, with the override reason the check constraint asks for.
CREATE TEMP TABLE seed_task AS
SELECT row_number() OVER (ORDER BY c.version_id, c.region_id NULLS FIRST) AS t, c.*
FROM (SELECT u.* FROM (
    SELECT v.version_id, v.model_id, NULL::int AS region_id, v.planned_production_date, mo.owner_id, v.validation_request_id
    FROM model_versions v JOIN models mo ON mo.model_id = v.model_id
    WHERE (v.version_id - 1) % 12 + 1 IN (4, 8)
    UNION ALL
    SELECT v.version_id, v.model_id, mr.region_id, v.planned_production_date + (mr.region_id % 3) * 7, mo.owner_id, v.validation_request_id
    FROM model_versions v JOIN models mo ON mo.model_id = v.model_id
    JOIN model_regions mr ON mr.model_id = v.model_id
    WHERE (v.version_id - 1) % 12 + 1 NOT IN (4, 8)
    ) u
    ORDER BY (version_id::bigint * 7919 + coalesce(region_id, 0) * 104729) % 1000003, version_id, region_id
    LIMIT (SELECT tasks FROM seed_size)
) c;

-- version_deployment_tasks_one_kind is off for this one statement, and only it: its check
-- (SELECT ... FROM version_deployment_tasks WHERE version_id = NEW.version_id ...) is planned
-- against the table as the statement found it, empty, so it reads the whole table on every insert
-- and 200,000 inserts take hours (on an analyzed table it is an index scan of
-- version_deployment_tasks_version_region_key). The candidates above are global or regional per
-- version by construction, and the seed's invariants check the rule afterwards (seed.go, "a
-- version's tasks are global or regional"). Every other trigger, foreign key and check stays on.
ALTER TABLE version_deployment_tasks DISABLE TRIGGER version_deployment_tasks_one_kind;

INSERT INTO version_deployment_tasks (task_id, version_id, model_id, region_id, assigned_to_id, status,
                                      planned_production_date, actual_production_date, notes, confirmation_notes,
                                      confirmed_by_id, confirmed_at, deployed_before_validation_approved,
                                      validation_override_reason, adjustment_reason, cancellation_reason, created_at, updated_at)
    OVERRIDING SYSTEM VALUE
SELECT st.t, st.version_id, st.model_id, st.region_id, st.owner_id, s.status::deployment_task_status,
       st.planned_production_date + CASE WHEN s.status = 'ADJUSTED' THEN 14 ELSE 0 END,
       CASE WHEN s.status = 'CONFIRMED' THEN st.planned_production_date END,
       CASE WHEN st.t % 7 = 0 THEN 'Seeded note' END,
       CASE WHEN s.status = 'CONFIRMED' THEN 'Seeded confirmation' END,
       CASE WHEN s.status = 'CONFIRMED' THEN st.owner_id END,
       CASE WHEN s.status = 'CONFIRMED' THEN st.planned_production_date + time '12:00' AT TIME ZONE 'UTC' END,
       s.status = 'CONFIRMED' AND coalesce(vr.status, '') <> 'APPROVED',
       CASE WHEN s.status = 'CONFIRMED' AND coalesce(vr.status, '') <> 'APPROVED' THEN 'Seeded: business deadline' END,
       CASE WHEN s.status = 'ADJUSTED' THEN 'Seeded: moved two weeks' END,
       CASE WHEN s.status = 'CANCELLED' THEN 'Seeded: superseded' END,
       timestamptz '2025-12-01 09:00+00' + (st.t % 1000) * interval '1 minute',
       timestamptz '2025-12-01 09:00+00' + (st.t % 1000) * interval '1 minute'
FROM seed_task st
CROSS JOIN LATERAL (SELECT CASE WHEN (st.t * 7) % 10 < 5 THEN 'PENDING' WHEN (st.t * 7) % 10 = 5 THEN 'ADJUSTED'
                                WHEN (st.t * 7) % 10 < 9 THEN 'CONFIRMED' ELSE 'CANCELLED' END AS status) s
LEFT JOIN validation_requests vr ON vr.request_id = st.validation_request_id
ORDER BY st.t;

-- The ready counts' deferred recount (model_ready_flush, migration 20261206002030) runs now, not
-- at the commit: ALTER TABLE refuses a table with trigger events still pending.
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE version_deployment_tasks ENABLE TRIGGER version_deployment_tasks_one_kind;

-- Audit rows as the service writes them: the creation of every request, its status change, and
-- the addition of the second model of a two-model request (in INTAKE, which the row records as
-- the service does: no rule exception).
INSERT INTO audit_logs (entity_type, entity_id, action, user_id, changes, created_at)
SELECT a.entity_type, a.entity_id, a.action, a.user_id, a.changes, a.created_at
FROM (
    SELECT 'validation_request' AS entity_type, vr.request_id AS entity_id, 'VALIDATION_REQUEST_CREATED' AS action,
           vr.requestor_id AS user_id, jsonb_build_object('status', 'INTAKE') AS changes, vr.created_at
    FROM validation_requests vr
    UNION ALL
    SELECT 'validation_request', h.request_id, 'VALIDATION_STATUS_CHANGED', h.changed_by,
           jsonb_build_object('from', h.from_status, 'to', h.to_status), h.changed_at
    FROM validation_status_history h WHERE h.from_status IS NOT NULL
    UNION ALL
    SELECT 'validation_request', l.request_id, 'VALIDATION_MODELS_CHANGED', vr.requestor_id,
           jsonb_build_object('added', jsonb_build_array(l.model_id), 'status', 'INTAKE'), vr.created_at + interval '1 minute'
    FROM validation_request_models l JOIN validation_requests vr ON vr.request_id = l.request_id
    WHERE l.version_id IS NULL
) a
ORDER BY a.created_at, a.entity_id, a.action;

SELECT setval(pg_get_serial_sequence('users', 'user_id'), (SELECT max(user_id) FROM users));
SELECT setval(pg_get_serial_sequence('regions', 'region_id'), (SELECT max(region_id) FROM regions));
SELECT setval(pg_get_serial_sequence('models', 'model_id'), (SELECT max(model_id) FROM models));
SELECT setval(pg_get_serial_sequence('model_versions', 'version_id'), (SELECT max(version_id) FROM model_versions));
SELECT setval(pg_get_serial_sequence('validation_requests', 'request_id'), (SELECT max(request_id) FROM validation_requests));
SELECT setval(pg_get_serial_sequence('version_deployment_tasks', 'task_id'), (SELECT max(task_id) FROM version_deployment_tasks));

DROP TABLE seed_task, seed_request, seed_size;
-- Seed (seed.go) VACUUMs (ANALYZE) next, outside this transaction.
