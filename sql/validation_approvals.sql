-- name: ValidationApprovalsCreateRegional :many
-- Creates the regional approvals a confirmed deployment needs: one per region it covers that
-- requires regional approval and is outside the validation's regions. ON CONFLICT makes it
-- idempotent, also against a concurrent confirmation (it waits on validation_approvals_regional_key).
INSERT INTO validation_approvals (request_id, region_id, approval_type)
SELECT @request_id::int, r.region_id, 'REGIONAL'
FROM model_regions mr
JOIN regions r ON r.region_id = mr.region_id
WHERE mr.model_id = @model_id
  AND (sqlc.narg('region_id')::int IS NULL OR mr.region_id = sqlc.narg('region_id')::int)
  AND r.requires_regional_approval
  AND NOT EXISTS (
      SELECT 1 FROM validation_request_regions vrr
      WHERE vrr.request_id = @request_id::int AND vrr.region_id = r.region_id
  )
ORDER BY r.region_id
ON CONFLICT (request_id, region_id) WHERE approval_type = 'REGIONAL' DO NOTHING
RETURNING approval_id, region_id;
