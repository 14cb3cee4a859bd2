-- name: ModelVersionCreate :one
INSERT INTO model_versions (model_id, version_number, change_description, scope, planned_production_date, created_by)
VALUES (@model_id, @version_number, @change_description, @scope, sqlc.narg('planned_production_date'), @created_by)
RETURNING version_id;

-- name: ModelVersionRegionsAdd :exec
INSERT INTO model_version_regions (version_id, region_id)
SELECT @version_id, region_id
FROM unnest(@region_ids::int[]) AS region_id
ORDER BY region_id;

-- name: ModelVersionGet :one
SELECT v.version_id, v.model_id, v.version_number, v.change_description, v.scope,
       v.validation_request_id, v.planned_production_date, v.actual_production_date, v.created_at,
       ARRAY(
           SELECT vr.region_id FROM model_version_regions vr
           WHERE vr.version_id = v.version_id ORDER BY vr.region_id
       )::int[] AS region_ids
FROM model_versions v
WHERE v.version_id = @version_id;

-- name: ModelVersionList :many
-- Keyset pagination within one model; model_versions_model_id_version_number_key leads with
-- model_id, so the filter is an index range.
SELECT v.version_id, v.model_id, v.version_number, v.change_description, v.scope,
       v.validation_request_id, v.planned_production_date, v.actual_production_date, v.created_at,
       ARRAY(
           SELECT vr.region_id FROM model_version_regions vr
           WHERE vr.version_id = v.version_id ORDER BY vr.region_id
       )::int[] AS region_ids
FROM model_versions v
WHERE v.model_id = @model_id AND v.version_id > @after_id
ORDER BY v.version_id
LIMIT @page_limit;

-- name: ModelVersionCount :one
-- How many versions ModelVersionList lists for one model over all its pages, for a CSV export
-- (model_versions_model_id_version_number_key).
SELECT count(*) FROM model_versions WHERE model_id = @model_id;
