-- migrate:up
-- The approval scope of a validation request, in one place (docs/rules.md, "Approval scope"):
-- the regions its approval round covers. When a version the request covers is GLOBAL, every
-- region its models run in ("global wins": the change goes everywhere the models do); otherwise
-- its listed regions plus the target regions of its REGIONAL versions, and when both are empty,
-- the regions its models run in. The versions covered are those of the request's model links
-- (validation_request_models.version_id, one per model at most).
-- Two rules read it: the round of approvals entering PENDING_APPROVAL creates a REGIONAL approval
-- per region of the scope that requires one (ValidationApprovalsCreateRequired), and a deployment
-- needs a DEPLOYMENT approval only in a region outside it (deployment_regions_requiring_approval)
-- — so a region is approved once, by the round or by the deployment, never by both.
-- A set-returning LANGUAGE sql STABLE function of one SELECT: called in FROM, the planner inlines
-- it (primary-key probes of the request's links, versions, regions and model regions).
CREATE FUNCTION validation_approval_scope(p_request_id integer)
RETURNS TABLE (region_id integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH covered AS (
        SELECT v.version_id, v.scope
        FROM validation_request_models l
        JOIN model_versions v ON v.version_id = l.version_id
        WHERE l.request_id = p_request_id
    ), listed AS (
        SELECT vrr.region_id
        FROM validation_request_regions vrr
        WHERE vrr.request_id = p_request_id
        UNION
        SELECT mvr.region_id
        FROM covered c
        JOIN model_version_regions mvr ON mvr.version_id = c.version_id
        WHERE c.scope = 'REGIONAL'
    )
    SELECT listed.region_id
    FROM listed
    WHERE NOT EXISTS (SELECT 1 FROM covered WHERE covered.scope = 'GLOBAL')
    UNION
    SELECT mr.region_id
    FROM validation_request_models l
    JOIN model_regions mr ON mr.model_id = l.model_id
    WHERE l.request_id = p_request_id
      AND (EXISTS (SELECT 1 FROM covered WHERE covered.scope = 'GLOBAL') OR NOT EXISTS (SELECT 1 FROM listed))
$$;

-- A deployment needs a regional approval in the regions it covers that require one and lie
-- outside its validation's approval scope (all of them when it has no validation).
CREATE OR REPLACE FUNCTION deployment_regions_requiring_approval(p_request_id integer, p_model_id integer, p_region_id integer)
RETURNS SETOF regions
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT r.region_id, r.code, r.name, r.requires_regional_approval, r.created_at
    FROM model_regions mr
    JOIN regions r ON r.region_id = mr.region_id
    WHERE mr.model_id = p_model_id
      AND (p_region_id IS NULL OR mr.region_id = p_region_id)
      AND r.requires_regional_approval
      AND NOT EXISTS (
          SELECT 1 FROM validation_approval_scope(p_request_id) s
          WHERE s.region_id = r.region_id
      )
$$;

-- migrate:down
CREATE OR REPLACE FUNCTION deployment_regions_requiring_approval(p_request_id integer, p_model_id integer, p_region_id integer)
RETURNS SETOF regions
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT r.region_id, r.code, r.name, r.requires_regional_approval, r.created_at
    FROM model_regions mr
    JOIN regions r ON r.region_id = mr.region_id
    WHERE mr.model_id = p_model_id
      AND (p_region_id IS NULL OR mr.region_id = p_region_id)
      AND r.requires_regional_approval
      AND NOT EXISTS (
          SELECT 1 FROM validation_request_regions vrr
          WHERE vrr.request_id = p_request_id AND vrr.region_id = r.region_id
      )
$$;
DROP FUNCTION validation_approval_scope(integer);
