-- migrate:up
-- A model's versions that a validation request covers, read index-only: "ready to deploy" counted
-- or listed for a caller's models (GET /me/summary's ready_to_deploy, GET /deployments/ready for a
-- USER or mine=true) starts from the caller's models and needs, per version, only the request it
-- is validated by, its id and its scope. Versions no request covers (most of them) can never be
-- ready, so the index leaves them out. Measured on the queues benchmark's seed for an owner of
-- 1,000 models: the versions' Bitmap Heap Scan of 12,000 rows becomes an Index Only Scan of 5,000
-- entries (bench/results/queues-explain.md).
CREATE INDEX model_versions_under_validation_by_model_idx
    ON model_versions (model_id) INCLUDE (validation_request_id, version_id, scope)
    WHERE validation_request_id IS NOT NULL;

-- migrate:down
DROP INDEX model_versions_under_validation_by_model_idx;
