package testdb

// RuleExceptionsSeed is data written before model changes were limited to INTAKE and PLANNING
// and region scopes to the models' regions: the service now refuses such states, so it is
// written in SQL, as the upgrade tests and the report's tests need it. Its ids are fixed (from
// 9001, OVERRIDING SYSTEM VALUE) so it loads into a database that already has rows, and its
// times are explicit so the order of history and audit rows is the seed's, not the clock's. It
// uses only columns the schema has had since v1.1's first migrations.
//
//   - request 9001, COMPREHENSIVE on models 9001 and 9002, now PENDING_APPROVAL: model 9002 was
//     added while it was IN_PROGRESS (audit 9001), and a later change that added nothing
//     (added is null, audit 9004) must not confuse the report: one MODELS_CHANGED row.
//   - request 9002, TARGETED on model 9003 (runs in EU only), PLANNING, scoped to US: one
//     REGION_OUTSIDE_MODEL_SCOPE row.
//   - request 9003, TARGETED on models 9002 and 9004, IN_PROGRESS, scoped to EU (where both
//     run); model 9004 was added while it was PLANNING (audit 9002): clean.
//   - request 9004, TARGETED on model 9003, scoped to US but CANCELLED: closed, clean.
//   - request 9005, TARGETED on models 9004 and 9001, APPROVED: model 9001 was added while it was
//     in REVIEW (audit 9003): one MODELS_CHANGED row, a validation nobody fully performed.
//
// Regions: 9001 EU, 9002 US; models 9001..9003 run in EU, 9004 in EU and US.
const RuleExceptionsSeed = `
INSERT INTO users (user_id, email, full_name, role) OVERRIDING SYSTEM VALUE
VALUES (9001, 'rx-owner@bank.test', 'Owner', 'ADMIN'), (9002, 'rx-val@bank.test', 'Val', 'VALIDATOR');
INSERT INTO regions (region_id, code, name) OVERRIDING SYSTEM VALUE VALUES (9001, 'RX-EU', 'EU'), (9002, 'RX-US', 'US');
INSERT INTO models (model_id, model_name, owner_id) OVERRIDING SYSTEM VALUE
VALUES (9001, 'A', 9001), (9002, 'B', 9001), (9003, 'C', 9001), (9004, 'D', 9001);
INSERT INTO model_regions (model_id, region_id)
VALUES (9001, 9001), (9002, 9001), (9003, 9001), (9004, 9001), (9004, 9002);
INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, target_completion_date) OVERRIDING SYSTEM VALUE
VALUES (9001, 9002, 'COMPREHENSIVE', 'LOW', '2027-01-01'), (9002, 9002, 'TARGETED', 'LOW', '2027-01-01'),
       (9003, 9002, 'TARGETED', 'LOW', '2027-01-01'), (9004, 9002, 'TARGETED', 'LOW', '2027-01-01'),
       (9005, 9002, 'TARGETED', 'LOW', '2027-01-01');
INSERT INTO validation_request_models (request_id, model_id, blocks_model)
VALUES (9001, 9001, true), (9001, 9002, true), (9002, 9003, false), (9003, 9002, false), (9003, 9004, false),
       (9004, 9003, false), (9005, 9004, false), (9005, 9001, false);
INSERT INTO validation_request_regions (request_id, region_id) VALUES (9002, 9002), (9003, 9001), (9004, 9002);
UPDATE validation_requests SET status = 'PLANNING' WHERE request_id IN (9001, 9002, 9003, 9005);
UPDATE validation_requests SET status = 'IN_PROGRESS' WHERE request_id IN (9001, 9003, 9005);
UPDATE validation_requests SET status = 'REVIEW' WHERE request_id IN (9001, 9005);
UPDATE validation_requests SET status = 'PENDING_APPROVAL' WHERE request_id IN (9001, 9005);
UPDATE validation_requests SET status = 'APPROVED' WHERE request_id = 9005;
UPDATE validation_requests SET status = 'CANCELLED' WHERE request_id = 9004;
INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at)
SELECT h.request_id, h.from_status, h.to_status, 9002, timestamptz '2026-06-01 00:00Z' + h.hour * interval '1 hour'
FROM (VALUES
    (9001, NULL, 'INTAKE', 0), (9001, 'INTAKE', 'PLANNING', 1), (9001, 'PLANNING', 'IN_PROGRESS', 2),
    (9001, 'IN_PROGRESS', 'REVIEW', 4), (9001, 'REVIEW', 'PENDING_APPROVAL', 5),
    (9002, NULL, 'INTAKE', 0), (9002, 'INTAKE', 'PLANNING', 1),
    (9003, NULL, 'INTAKE', 0), (9003, 'INTAKE', 'PLANNING', 1), (9003, 'PLANNING', 'IN_PROGRESS', 3),
    (9004, NULL, 'INTAKE', 0), (9004, 'INTAKE', 'CANCELLED', 1),
    (9005, NULL, 'INTAKE', 0), (9005, 'INTAKE', 'PLANNING', 1), (9005, 'PLANNING', 'IN_PROGRESS', 2),
    (9005, 'IN_PROGRESS', 'REVIEW', 3), (9005, 'REVIEW', 'PENDING_APPROVAL', 5),
    (9005, 'PENDING_APPROVAL', 'APPROVED', 6)
) AS h (request_id, from_status, to_status, hour);
INSERT INTO audit_logs (audit_id, entity_type, entity_id, action, user_id, changes, created_at) OVERRIDING SYSTEM VALUE
VALUES
    (9001, 'validation_request', 9001, 'VALIDATION_MODELS_CHANGED', 9002, '{"added": [9002], "removed": null}', '2026-06-01 03:00Z'),
    (9002, 'validation_request', 9003, 'VALIDATION_MODELS_CHANGED', 9002, '{"added": [9004], "removed": null}', '2026-06-01 02:00Z'),
    (9003, 'validation_request', 9005, 'VALIDATION_MODELS_CHANGED', 9002, '{"added": [9001], "removed": null}', '2026-06-01 04:00Z'),
    (9004, 'validation_request', 9001, 'VALIDATION_MODELS_CHANGED', 9002, '{"added": null, "removed": [9003]}', '2026-06-01 04:30Z');
`
