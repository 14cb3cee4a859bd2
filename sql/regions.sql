-- name: RegionCreate :one
INSERT INTO regions (code, name, requires_regional_approval)
VALUES (@code, @name, @requires_regional_approval)
RETURNING region_id, code, name, requires_regional_approval, created_at;

-- name: RegionList :many
-- Keyset pagination on the primary key: a page costs the same however deep the cursor is.
SELECT region_id, code, name, requires_regional_approval, created_at
FROM regions
WHERE region_id > @after_id
ORDER BY region_id
LIMIT @page_limit;

-- name: RegionListByIDs :many
SELECT region_id, code, name, requires_regional_approval, created_at
FROM regions
WHERE region_id = ANY (@region_ids::int[])
ORDER BY region_id;

-- name: RegionCount :one
-- How many regions RegionList lists over all its pages, for a CSV export.
SELECT count(*) FROM regions;
