-- name: ModelCreate :one
-- risk_tier NULL = not assessed; a tier is a foreign key to its policy (validation_policies).
INSERT INTO models (model_name, description, owner_id, risk_tier)
VALUES (@model_name, @description, @owner_id, sqlc.narg('risk_tier'))
RETURNING model_id, model_name, description, owner_id, created_at, updated_at, risk_tier;

-- name: ModelRegionsAdd :exec
-- One statement for all of a new model's regions; the ids were checked to exist just before.
INSERT INTO model_regions (model_id, region_id)
SELECT @model_id, region_id
FROM unnest(@region_ids::int[]) AS region_id
ORDER BY region_id;

-- name: ModelGet :one
SELECT model_id, model_name, description, owner_id, created_at, updated_at, risk_tier
FROM models
WHERE model_id = @model_id;

-- name: ModelLockForTierChange :one
-- PATCH /models/{model_id}: the row is locked so the audit's "from" is the tier the change
-- replaces, also when two changes meet (the second waits, then reads the first one's tier).
-- FOR NO KEY UPDATE, the mode the update takes anyway (risk_tier is no key): versions and
-- validation links referencing the model are not held up (docs/locks.md).
SELECT model_id, risk_tier
FROM models
WHERE model_id = @model_id
FOR NO KEY UPDATE;

-- name: ModelSetRiskTier :one
-- NULL clears the tier (not assessed). The primary key finds the row locked just before.
UPDATE models
SET risk_tier = sqlc.narg('risk_tier'), updated_at = now()
WHERE model_id = @model_id
RETURNING model_id, model_name, description, owner_id, created_at, updated_at, risk_tier;

-- name: ModelList :many
-- Keyset pagination on the primary key.
SELECT model_id, model_name, description, owner_id, created_at, updated_at, risk_tier
FROM models
WHERE model_id > @after_id
ORDER BY model_id
LIMIT @page_limit;

-- name: ModelRegionsForModels :many
-- The regions of a page of models in one round trip (served by model_regions_pkey).
SELECT mr.model_id, mr.region_id, r.code, mr.version_id, mr.deployed_at
FROM model_regions mr
JOIN regions r ON r.region_id = mr.region_id
WHERE mr.model_id = ANY (@model_ids::int[])
ORDER BY mr.model_id, mr.region_id;

-- name: ModelAccess :one
-- Who may act on a model: its owner, and whether the given user is an active delegate
-- (an index lookup on model_delegates_active_key).
SELECT m.owner_id,
       EXISTS (
           SELECT 1 FROM model_delegates d
           WHERE d.model_id = m.model_id AND d.user_id = @user_id AND d.revoked_at IS NULL
       ) AS is_delegate
FROM models m
WHERE m.model_id = @model_id;

-- name: ModelDelegateAdd :one
-- Granting an active delegate again returns no row (the existing grant stands).
INSERT INTO model_delegates (model_id, user_id, granted_by)
VALUES (@model_id, @user_id, @granted_by)
ON CONFLICT (model_id, user_id) WHERE revoked_at IS NULL DO NOTHING
RETURNING delegate_id, model_id, user_id, granted_by, granted_at, revoked_at;

-- name: ModelDelegateGetActive :one
SELECT delegate_id, model_id, user_id, granted_by, granted_at, revoked_at
FROM model_delegates
WHERE model_id = @model_id AND user_id = @user_id AND revoked_at IS NULL;

-- name: ModelDelegateRevoke :one
UPDATE model_delegates
SET revoked_at = now()
WHERE model_id = @model_id AND user_id = @user_id AND revoked_at IS NULL
RETURNING delegate_id, model_id, user_id, granted_by, granted_at, revoked_at;

-- name: ModelCount :one
-- How many models ModelList lists over all its pages, for a CSV export.
SELECT count(*) FROM models;
