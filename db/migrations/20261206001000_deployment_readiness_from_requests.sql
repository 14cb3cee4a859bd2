-- migrate:up
-- Ready to deploy (deployment_readiness, from 20261205000900) driven from the approved requests
-- themselves instead of their history rows, with fewer relations for the planner to join.
--
-- Each page of GET /deployments/ready is planned for its values (docs/lists.md, "Plans"), and
-- planning the view cost several times running a page of it: seven relations joined (the
-- history row, the request, the version, the model, the model's regions and the two anti-joins on
-- confirmed tasks), whose join search was most of a page's CPU (bench/results/queues-explain.md:
-- 5 ms planning, under 1 ms executing). Now five:
--   the approval day is the request's status_entered_on — the UTC day of the history row that
--   entered its status, kept by its guard trigger (docs/backstops.md, "The day a request entered its
--   status"); APPROVED is final, so for an APPROVED request it is the day it was approved, the
--   day the history walk used to compute;
--   the approval's time and the model's name and owner are scalar subqueries (primary keys,
--   validation_status_history_approved_idx index-only), computed only for the rows a query
--   returns and never by a count.
-- The walk in approval-day order is now validation_requests_approved_day_idx below, index-only;
-- each approved request is probed through model_versions_validation_request_id_idx, now covering
-- every column the view reads of a version, so the probe is index-only too (a probe that read the
-- heap cost enough that the planner sent a later page of a USER's list to a parallel worker, whose
-- start cost more than the page), then the regions and tasks as before (model_regions_pkey,
-- model_version_regions_pkey, version_deployment_tasks_version_region_key,
-- version_deployment_tasks_version_global_key).
CREATE INDEX validation_requests_approved_day_idx
    ON validation_requests (status_entered_on, request_id)
    WHERE status = 'APPROVED';

DROP INDEX model_versions_validation_request_id_idx;
CREATE INDEX model_versions_validation_request_id_idx
    ON model_versions (validation_request_id) INCLUDE (model_id, version_id, scope, version_number);

CREATE OR REPLACE VIEW deployment_readiness AS
SELECT v.version_id, v.version_number, v.scope, v.model_id,
       (SELECT m.model_name FROM models m WHERE m.model_id = v.model_id) AS model_name,
       (SELECT m.owner_id FROM models m WHERE m.model_id = v.model_id) AS owner_id,
       mr.region_id, vr.request_id AS validation_request_id,
       (SELECT h.changed_at FROM validation_status_history h
        WHERE h.request_id = vr.request_id AND h.to_status = 'APPROVED') AS validation_approved_at,
       vr.status_entered_on AS approved_day,
       coalesce(
           (SELECT t.task_id FROM version_deployment_tasks t
            WHERE t.version_id = v.version_id AND t.region_id = mr.region_id
              AND t.status IN ('PENDING', 'ADJUSTED')),
           (SELECT t.task_id FROM version_deployment_tasks t
            WHERE t.version_id = v.version_id AND t.region_id IS NULL
              AND t.status IN ('PENDING', 'ADJUSTED'))
       ) AS pending_task_id
FROM validation_requests vr
JOIN model_versions v ON v.validation_request_id = vr.request_id
JOIN model_regions mr ON mr.model_id = v.model_id
WHERE vr.status = 'APPROVED'
  AND (v.scope = 'GLOBAL' OR EXISTS (
      SELECT 1 FROM model_version_regions mvr
      WHERE mvr.version_id = v.version_id AND mvr.region_id = mr.region_id))
  AND NOT EXISTS (
      SELECT 1 FROM version_deployment_tasks t
      WHERE t.version_id = v.version_id AND t.region_id = mr.region_id AND t.status = 'CONFIRMED')
  AND NOT EXISTS (
      SELECT 1 FROM version_deployment_tasks t
      WHERE t.version_id = v.version_id AND t.region_id IS NULL AND t.status = 'CONFIRMED');

-- The history walk's index has no reader left.
DROP INDEX validation_status_history_approved_day_idx;

-- migrate:down
CREATE INDEX validation_status_history_approved_day_idx
    ON validation_status_history (((changed_at AT TIME ZONE 'UTC')::date), request_id)
    WHERE to_status = 'APPROVED';

CREATE OR REPLACE VIEW deployment_readiness AS
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

DROP INDEX model_versions_validation_request_id_idx;
CREATE INDEX model_versions_validation_request_id_idx ON model_versions (validation_request_id);

DROP INDEX validation_requests_approved_day_idx;
