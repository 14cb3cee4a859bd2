-- A bank-size inventory for reading the plans of the validation request list
-- (bench/results/request-list-explain.md): 500 users, 20 regions, 10,000 models, 50,000
-- validation requests (10,000 active: one non-targeted per model, as DATA-01 allows; 40,000 closed,
-- a fifth of them on two models), 1 to 5 history rows each, a primary validator on every request
-- past INTAKE and a reviewer on half of them. Run on a freshly migrated, empty database:
--   psql "$URL" -v ON_ERROR_STOP=1 -f bench/explain/request-list-seed.sql
BEGIN;
SELECT setseed(0.42);

-- user 1 ADMIN, 2..101 VALIDATOR, 102..500 USER (the model owners and delegates)
INSERT INTO users (user_id, email, full_name, role) OVERRIDING SYSTEM VALUE
SELECT g, 'u' || g || '@bank.test', 'User ' || g,
       (CASE WHEN g = 1 THEN 'ADMIN' WHEN g <= 101 THEN 'VALIDATOR' ELSE 'USER' END)::user_role
FROM generate_series(1, 500) g;
SELECT setval('users_user_id_seq', 500);

INSERT INTO regions (region_id, code, name) OVERRIDING SYSTEM VALUE
SELECT g, 'R' || g, 'Region ' || g FROM generate_series(1, 20) g;
SELECT setval('regions_region_id_seq', 20);

-- model m is owned by user 102 + (m % 399): about 25 models per owner
INSERT INTO models (model_id, model_name, description, owner_id) OVERRIDING SYSTEM VALUE
SELECT g, (ARRAY['Retail PD', 'Wholesale LGD', 'Market VaR', 'AML Scoring', 'IFRS9 Stage'])[1 + g % 5] || ' ' || g,
       '', 102 + g % 399
FROM generate_series(1, 10000) g;
SELECT setval('models_model_id_seq', 10000);

INSERT INTO model_regions (model_id, region_id)
SELECT g, 1 + g % 20 FROM generate_series(1, 10000) g
UNION ALL
SELECT g, 1 + (g + 7) % 20 FROM generate_series(1, 10000) g;

-- 2,000 delegations (a fifth revoked)
INSERT INTO model_delegates (model_id, user_id, granted_by, revoked_at)
SELECT 1 + (g * 37) % 10000, 102 + (g * 13) % 399, 1, CASE WHEN g % 5 = 0 THEN now() END
FROM generate_series(1, 2000) g
ON CONFLICT DO NOTHING;

-- requests 1..40000 closed (APPROVED or CANCELLED), 40001..50000 active, one per model
INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, status,
                                 target_completion_date, created_at, updated_at) OVERRIDING SYSTEM VALUE
SELECT g, 2 + g % 100,
       (ARRAY['INITIAL', 'COMPREHENSIVE', 'CHANGE', 'INTERIM', 'TARGETED'])[1 + g % 5],
       (ARRAY['URGENT', 'HIGH', 'MEDIUM', 'LOW'])[1 + g % 4]::validation_priority,
       CASE WHEN g <= 40000 THEN (ARRAY['APPROVED', 'CANCELLED'])[1 + g % 2]
            ELSE (ARRAY['INTAKE', 'PLANNING', 'IN_PROGRESS', 'REVIEW', 'PENDING_APPROVAL', 'REVISION', 'ON_HOLD'])[1 + g % 7] END,
       date '2024-01-01' + (g * 7919) % 1400,
       timestamptz '2023-01-01 00:00Z' + (g * 0.02) * interval '1 day',
       timestamptz '2023-01-01 00:00Z' + (g * 0.02) * interval '1 day'
FROM generate_series(1, 50000) g;
SELECT setval('validation_requests_request_id_seq', 50000);

INSERT INTO validation_request_models (request_id, model_id, blocks_model)
SELECT vr.request_id, 1 + (vr.request_id - 1) % 10000, vr.blocks_models
FROM validation_requests vr
UNION ALL
SELECT vr.request_id, 1 + (vr.request_id + 4999) % 10000, vr.blocks_models
FROM validation_requests vr WHERE vr.request_id <= 40000 AND vr.request_id % 5 = 0;

INSERT INTO validation_request_regions (request_id, region_id)
SELECT vr.request_id, 1 + ((vr.request_id - 1) % 10000) % 20 FROM validation_requests vr WHERE vr.request_id % 3 = 0;

-- history: 1 to 5 rows, the last one entering the current status, a few days to a year apart
INSERT INTO validation_status_history (request_id, from_status, to_status, reason, changed_by, changed_at)
SELECT vr.request_id,
       CASE WHEN k = 1 THEN NULL ELSE 'INTAKE' END,
       CASE WHEN k = n THEN vr.status ELSE 'INTAKE' END,
       NULL, 1,
       vr.created_at + (k - 1) * ((vr.request_id * 31) % 90 + 1) * interval '1 day'
FROM validation_requests vr
CROSS JOIN LATERAL (SELECT 1 + vr.request_id % 5 AS n) c
CROSS JOIN LATERAL generate_series(1, c.n) k
ORDER BY vr.request_id, k;

-- the guard trigger set status_entered_on to today on insert; the history above is older
UPDATE validation_requests vr
SET status_entered_on = (SELECT (h.changed_at AT TIME ZONE 'UTC')::date FROM validation_status_history h
                         WHERE h.request_id = vr.request_id ORDER BY h.history_id DESC LIMIT 1);

-- a primary on every request past INTAKE; a reviewer on every other one
INSERT INTO validation_assignments (request_id, validator_id, is_primary, is_reviewer, assigned_by)
SELECT vr.request_id, 2 + (vr.request_id * 7) % 100, true, false, 1
FROM validation_requests vr WHERE vr.status <> 'INTAKE'
UNION ALL
SELECT vr.request_id, 2 + (vr.request_id * 7 + 50) % 100, false, true, 1
FROM validation_requests vr WHERE vr.status <> 'INTAKE' AND vr.request_id % 2 = 0;

COMMIT;
VACUUM ANALYZE;
