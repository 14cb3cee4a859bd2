-- migrate:up
-- The owner's task queue (GET /deployment-tasks, v1.2): sorted by planned production date, and
-- filtered by due (open tasks whose planned date is in a range of days around as_of).
-- (planned_production_date, task_id) is the keyset of sort=planned_production_date: a page is one
-- index range read in order. The partial twin holds only the open tasks (PENDING, ADJUSTED), the
-- ones a due filter asks for: overdue is a range below as_of that, over the whole table, is
-- mostly confirmed history.
CREATE INDEX version_deployment_tasks_planned_idx
    ON version_deployment_tasks (planned_production_date, task_id);
CREATE INDEX version_deployment_tasks_open_planned_idx
    ON version_deployment_tasks (planned_production_date, task_id)
    WHERE status IN ('PENDING', 'ADJUSTED');

-- The one home of "this deployment needs a regional approval" (docs/backstops.md): the regions
-- a deployment of the model covers (region_id, or every region of the model for a global task,
-- region_id NULL) that require regional approval and lie outside the validation request's
-- regions (all of them when request_id is NULL: there is no validation scope). Confirmations
-- create their DEPLOYMENT approvals from it (ValidationApprovalsCreateForDeployment), a create
-- answers regions_requiring_approval from it (DeploymentRegionsRequiringApproval), the task list
-- shows requires_regional_approval from it (DeploymentTaskList*).
-- It returns the regions' rows (SETOF regions, so sqlc knows its columns). A set-returning LANGUAGE sql STABLE function of one SELECT, called in FROM: the planner inlines
-- it into the calling query (inline_set_returning_function), so it is a join on
-- model_regions_pkey, regions_pkey and validation_request_regions_pkey, never a per-row call.
CREATE FUNCTION deployment_regions_requiring_approval(p_request_id integer, p_model_id integer, p_region_id integer)
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

-- migrate:down
DROP FUNCTION deployment_regions_requiring_approval(integer, integer, integer);
DROP INDEX version_deployment_tasks_open_planned_idx;
DROP INDEX version_deployment_tasks_planned_idx;
