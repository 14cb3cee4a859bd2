-- create-minimal: the least a create of one TARGETED request on one model can send with its
-- rules kept, written by hand (not generated, not the service's statements): the bound on lock
-- waits, the model's lock, the conflict check under it, the request and its model link, the audit
-- row — eight statements with BEGIN and COMMIT, one round trip each. make bench runs it at the
-- same concurrency as create-distinct and reports create-distinct's requests/s ÷ its tps: what
-- the service costs beyond the minimal transaction (authentication, HTTP, the warnings' reads,
-- the history row, one round trip per statement avoided by pipelines).
-- Variables: first_model, last_model, user_id (as create-distinct).

\set model_id random(:first_model, :last_model)
BEGIN ISOLATION LEVEL READ COMMITTED;
SET LOCAL lock_timeout = '5000ms';
SELECT pg_advisory_xact_lock(42, :model_id);
SELECT vrm.request_id FROM validation_request_models vrm WHERE vrm.model_id = :model_id AND vrm.blocks_model;
INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
VALUES (:user_id, 'TARGETED', 'MEDIUM', '2027-06-30')
RETURNING request_id, blocks_models \gset
INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES (:request_id, :model_id, :blocks_models);
INSERT INTO audit_logs (entity_type, entity_id, action, user_id, changes)
VALUES ('validation_request', :request_id, 'VALIDATION_REQUEST_CREATED', :user_id, '{"model_ids": [1], "validation_type": "TARGETED"}');
COMMIT;
