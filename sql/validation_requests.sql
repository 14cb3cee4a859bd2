-- name: ValidationConflictsForModels :many
-- The active non-targeted requests that block any of the given models (DATA-01 step 3). Run under
-- the models' advisory locks, at READ COMMITTED, so it sees every request committed by a previous
-- lock holder. vrm.blocks_model is kept equal to the request's blocks_models (active and not
-- targeted) by the composite foreign key, so the partial unique index
-- validation_request_models_one_blocking_key (model_id) WHERE blocks_model serves the lookup:
-- at most one row per model.
SELECT vrm.model_id, m.model_name, vr.request_id, vr.validation_type, vr.status
FROM validation_request_models vrm
JOIN validation_requests vr ON vr.request_id = vrm.request_id
JOIN models m ON m.model_id = vrm.model_id
WHERE vrm.model_id = ANY (@model_ids::int[])
  AND vrm.blocks_model
ORDER BY vrm.model_id, vr.request_id;

-- name: ValidationApprovedForModels :many
-- The APPROVED requests of the given models: an INITIAL validation is refused for a model that
-- was already validated. Any type counts (an approved TARGETED review is still an approval).
-- validation_request_models_model_id_idx (model_id, request_id) finds the links.
SELECT vrm.model_id, m.model_name, vr.request_id, vr.validation_type, vr.status
FROM validation_request_models vrm
JOIN validation_requests vr ON vr.request_id = vrm.request_id
JOIN models m ON m.model_id = vrm.model_id
WHERE vrm.model_id = ANY (@model_ids::int[])
  AND vr.status = 'APPROVED'
ORDER BY vrm.model_id, vr.request_id;

-- name: ValidationModelsByIDs :many
-- Which of the requested models exist, with their names (primary-key lookups).
SELECT model_id, model_name
FROM models
WHERE model_id = ANY (@model_ids::int[])
ORDER BY model_id;

-- name: ValidationVersionsByIDs :many
-- Which of the listed versions exist and the model each belongs to (primary-key lookups).
SELECT version_id, model_id
FROM model_versions
WHERE version_id = ANY (@version_ids::int[])
ORDER BY version_id;

-- name: ValidationRequestReserveID :one
-- The id of a request about to be created, drawn from request_id's identity sequence ahead of
-- the insert, so that the insert and the rows that reference it (links, history, audit) travel
-- in one round trip. A request then refused leaves a gap, as any rolled-back insert does.
SELECT nextval('validation_requests_request_id_seq')::int AS request_id;

-- name: ValidationRequestCreate :one
-- request_id comes from ValidationRequestReserveID, the identity's own sequence (hence
-- OVERRIDING SYSTEM VALUE). is_targeted and is_closed are filled by the
-- validation_requests_guard trigger from the lookup tables; status starts at its default, INTAKE.
INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, target_completion_date, trigger_reason)
OVERRIDING SYSTEM VALUE
VALUES (@request_id, @requestor_id, @validation_type, @priority, @target_completion_date, sqlc.narg('trigger_reason'))
RETURNING request_id, requestor_id, validation_type, priority, status, target_completion_date,
          trigger_reason, created_at, updated_at;

-- name: ValidationRequestModelsAdd :exec
-- All model links of a new request in one statement, in ascending model_id order: two inserters
-- that reach validation_request_models_one_blocking_key for {1,2} and {2,1} in opposite orders
-- would deadlock (docs/backstops.md, "One blocking validation per model"). version_ids is parallel
-- to model_ids, 0 = no version. blocks_model is copied from the request row itself, which the
-- composite foreign key requires anyway.
INSERT INTO validation_request_models (request_id, model_id, version_id, blocks_model)
SELECT vr.request_id, link.model_id, NULLIF((@version_ids::int[])[link.ord::int], 0), vr.blocks_models
FROM validation_requests vr
CROSS JOIN unnest(@model_ids::int[]) WITH ORDINALITY AS link (model_id, ord)
WHERE vr.request_id = @request_id
ORDER BY link.model_id;

-- name: ValidationRequestRegionsAdd :exec
INSERT INTO validation_request_regions (request_id, region_id)
SELECT @request_id, region_id
FROM unnest(@region_ids::int[]) AS region_id
ORDER BY region_id;

-- name: ValidationRequestVersionsLink :exec
-- A version listed by a request is covered by that request from now on (the newest request
-- wins). The CTE locks the versions in version_id order first (LockRows sits above the Sort), so
-- this statement and a deployment confirmation, which locks its versions in the same order,
-- cannot deadlock; the UPDATE then only touches rows it already holds.
WITH locked AS (
    SELECT mv.version_id
    FROM model_versions mv
    WHERE mv.version_id = ANY (@version_ids::int[])
    ORDER BY mv.version_id
    FOR NO KEY UPDATE
)
UPDATE model_versions v
SET validation_request_id = @request_id
FROM locked
WHERE v.version_id = locked.version_id;

-- name: ValidationStatusHistoryAdd :exec
INSERT INTO validation_status_history (request_id, from_status, to_status, reason, changed_by)
VALUES (@request_id, sqlc.narg('from_status'), @to_status, sqlc.narg('reason'), @changed_by);

-- name: ValidationRequestModelIDs :many
-- The models of one request in ascending order: approving a request takes their validation locks
-- first (see ChangeStatus), in the same order as every creator.
SELECT model_id
FROM validation_request_models
WHERE request_id = @request_id
ORDER BY model_id;

-- name: ValidationRequestLockForUpdate :one
-- FOR UPDATE serialises status changes of one request: the second change waits, then reads the
-- status the first one committed and is judged against it.
SELECT request_id, status, validation_type
FROM validation_requests
WHERE request_id = @request_id
FOR UPDATE;

-- name: ValidationRequestSetStatus :exec
-- The guard trigger refuses a transition not in validation_status_transitions (23514,
-- validation_requests_status_transition). Closing a request turns blocks_models false and the
-- composite foreign key (ON UPDATE CASCADE) clears blocks_model on its links in this statement.
UPDATE validation_requests
SET status = @status, updated_at = now()
WHERE request_id = @request_id;

-- name: ValidationRequestGet :one
SELECT request_id, requestor_id, validation_type, priority, status, target_completion_date,
       trigger_reason, created_at, updated_at
FROM validation_requests
WHERE request_id = @request_id;

-- name: ValidationRequestList :many
-- Keyset pagination on the primary key; every filter is optional (NULL = not filtered).
-- status: validation_requests_status_idx (status, request_id). active: is_closed is the copy of
-- the status's flag, so active = NOT is_closed. A model filter uses ValidationRequestListForModel.
SELECT vr.request_id, vr.requestor_id, vr.validation_type, vr.priority, vr.status,
       vr.target_completion_date, vr.trigger_reason, vr.created_at, vr.updated_at
FROM validation_requests vr
WHERE vr.request_id > @after_id
  AND (sqlc.narg('status')::text IS NULL OR vr.status = sqlc.narg('status')::text)
  AND (sqlc.narg('validation_type')::text IS NULL OR vr.validation_type = sqlc.narg('validation_type')::text)
  AND (sqlc.narg('active')::boolean IS NULL OR vr.is_closed = NOT sqlc.narg('active')::boolean)
ORDER BY vr.request_id
LIMIT @page_limit;

-- name: ValidationRequestListForModel :many
-- The requests of one model, keyset-paginated: driven by validation_request_models_model_id_idx
-- (model_id, request_id), a range scan in request order, with each request fetched by primary key.
-- The other filters are optional as in ValidationRequestList.
SELECT vr.request_id, vr.requestor_id, vr.validation_type, vr.priority, vr.status,
       vr.target_completion_date, vr.trigger_reason, vr.created_at, vr.updated_at
FROM validation_request_models vrm
JOIN validation_requests vr ON vr.request_id = vrm.request_id
WHERE vrm.model_id = @model_id
  AND vrm.request_id > @after_id
  AND (sqlc.narg('status')::text IS NULL OR vr.status = sqlc.narg('status')::text)
  AND (sqlc.narg('validation_type')::text IS NULL OR vr.validation_type = sqlc.narg('validation_type')::text)
  AND (sqlc.narg('active')::boolean IS NULL OR vr.is_closed = NOT sqlc.narg('active')::boolean)
ORDER BY vrm.request_id
LIMIT @page_limit;

-- name: ValidationRequestModelsForRequests :many
-- The model links of a page of requests in one round trip (validation_request_models_pkey).
SELECT vrm.request_id, vrm.model_id, m.model_name, vrm.version_id
FROM validation_request_models vrm
JOIN models m ON m.model_id = vrm.model_id
WHERE vrm.request_id = ANY (@request_ids::int[])
ORDER BY vrm.request_id, vrm.model_id;

-- name: ValidationRequestRegionsForRequests :many
SELECT request_id, region_id
FROM validation_request_regions
WHERE request_id = ANY (@request_ids::int[])
ORDER BY request_id, region_id;

-- name: ValidationStatusHistoryForRequest :many
-- Oldest first (validation_status_history_request_id_idx).
SELECT history_id, request_id, from_status, to_status, reason, changed_by, changed_at
FROM validation_status_history
WHERE request_id = @request_id
ORDER BY history_id;
