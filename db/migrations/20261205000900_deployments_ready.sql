-- migrate:up
-- Ready to deploy (GET /deployments/ready, and the ready_to_deploy count of GET /me/summary), in
-- one place: one row per (version, region) where the version's validation request is APPROVED,
-- the model runs in the region (model_regions; for a REGIONAL version, only its target regions,
-- model_version_regions), and no CONFIRMED task covers that version and region. A confirmed
-- GLOBAL task (region_id NULL) covers every region: its confirmation moves every model_regions row
-- of the model to the version (DeploymentModelRegionsDeploy), so the version is deployed
-- everywhere, a region added to the model later included.
--
-- A plain view, so the planner inlines it into each query and drives it from whatever index the
-- query's filters offer (the list from the approvals in day order, a caller's count from its models).
-- It is driven from the history rows that entered APPROVED (validation_approved_at; APPROVED is
-- final, no transition leaves it, so a request has one such row), and every join is an index probe:
--   validation_status_history_approved_day_idx (below) walks them in approved-day order, the
--   list's order, or validation_status_history_request_id_idx finds a request's;
--   the primary key the request (still APPROVED);
--   model_versions_validation_request_id_idx the versions the request validates;
--   model_regions_pkey (model_id, region_id) the regions the model runs in, and
--   model_version_regions_pkey (version_id, region_id) a REGIONAL version's target regions;
--   version_deployment_tasks_version_region_key (version_id, region_id) and
--   version_deployment_tasks_version_global_key (version_id) the confirmed and open tasks (a
--   version has either one global task or regional ones, never both).
-- approved_day is the UTC day of approval: days_since_approval is as_of minus it, in the query.
CREATE VIEW deployment_readiness AS
SELECT v.version_id, v.version_number, v.scope, v.model_id, m.model_name, m.owner_id,
       mr.region_id, vr.request_id AS validation_request_id,
       approved.changed_at AS validation_approved_at,
       (approved.changed_at AT TIME ZONE 'UTC')::date AS approved_day,
       coalesce(
           (SELECT t.task_id FROM version_deployment_tasks t
            WHERE t.version_id = v.version_id AND t.region_id = mr.region_id
              AND t.status IN ('PENDING', 'ADJUSTED')),
           (SELECT t.task_id FROM version_deployment_tasks t
            WHERE t.version_id = v.version_id AND t.region_id IS NULL
              AND t.status IN ('PENDING', 'ADJUSTED'))
       ) AS pending_task_id
FROM validation_status_history approved
JOIN validation_requests vr ON vr.request_id = approved.request_id
JOIN model_versions v ON v.validation_request_id = vr.request_id
JOIN models m ON m.model_id = v.model_id
JOIN model_regions mr ON mr.model_id = v.model_id
WHERE approved.to_status = 'APPROVED'
  AND vr.status = 'APPROVED'
  AND (v.scope = 'GLOBAL' OR EXISTS (
      SELECT 1 FROM model_version_regions mvr
      WHERE mvr.version_id = v.version_id AND mvr.region_id = mr.region_id))
  AND NOT EXISTS (
      SELECT 1 FROM version_deployment_tasks t
      WHERE t.version_id = v.version_id AND t.region_id = mr.region_id AND t.status = 'CONFIRMED')
  AND NOT EXISTS (
      SELECT 1 FROM version_deployment_tasks t
      WHERE t.version_id = v.version_id AND t.region_id IS NULL AND t.status = 'CONFIRMED');

-- The approvals by UTC day: the ready list's order (oldest approval first), walked from the
-- cursor's day, so a page reads about as many approvals as it lists rows.
CREATE INDEX validation_status_history_approved_day_idx
    ON validation_status_history (((changed_at AT TIME ZONE 'UTC')::date), request_id)
    WHERE to_status = 'APPROVED';

-- GET /me/summary counts the active requests past their target (a range of
-- validation_requests_active_target_idx, from 20261205000500) and those without a primary
-- validator (each probed in validation_assignments_one_primary_key), without reading the closed
-- requests, which are most of the table.

-- migrate:down
DROP INDEX validation_status_history_approved_day_idx;
DROP VIEW deployment_readiness;
