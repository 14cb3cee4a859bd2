-- migrate:up
-- Ready to deploy walks the versions of approved requests, not the approved requests.
--
-- A USER's GET /deployments/ready (and anyone's mine=true) keeps the rows of the caller's models.
-- Walked through the approved requests (20261206001000), the walk could not tell a request of the
-- caller's models from another's without the requests' ids: the service read them first (the
-- versions of every model of the caller, 5,000 request ids for an owner of 1,000 models on the
-- queues benchmark's seed, 1.8 ms) and sent them back as an array, which the planner estimated
-- element by element (2 ms of planning per page). Each version linked to a request now has a row
-- here carrying its model and a copy of its request's status and of the day the request entered
-- it, so the walk in approval-day order is one index-only scan of the approved versions that
-- tests each row's model against the caller's models (a hashed array of model ids), and no
-- request id is read or sent (bench/results/queues-explain.md).
--
-- The copy is held truthful as the links' and assignments' are (docs/lists.md, "Mirrors of the
-- request on its assignments"): a composite foreign key to the request's own columns, with ON
-- UPDATE CASCADE, so a request's status change rewrites its versions' rows in the same statement
-- and no writer can store a status the request does not have. The rows live beside
-- model_versions, not in it: a cascade into model_versions would lock a version row after its
-- request's row, against the lock order that deployment confirmations follow (docs/locks.md);
-- nothing but the cascade and the trigger below writes these rows, so they are locked after the
-- request by a status change and after the version and its request by a link.
--
-- Which versions have a row, and for which request, is model_versions.validation_request_id: the
-- trigger model_versions_keep_request_status writes the row when a version is inserted with a
-- request or moved to another one (create, ChangeModels) and deletes it when a version leaves its
-- request; a version's deletion cascades. The trigger runs after the statement's rows, so it reads
-- a request inserted by the same statement (ValidationRequestCreate's CTE).
CREATE UNIQUE INDEX validation_requests_status_mirror_key
    ON validation_requests (request_id, status, status_entered_on);
ALTER TABLE validation_requests
    ADD CONSTRAINT validation_requests_status_mirror_key
        UNIQUE USING INDEX validation_requests_status_mirror_key;

CREATE TABLE model_version_request_status (
    version_id integer PRIMARY KEY,
    model_id integer NOT NULL,
    request_id integer NOT NULL,
    request_status text NOT NULL,
    request_status_entered_on date NOT NULL,
    CONSTRAINT model_version_request_status_version_fkey
        FOREIGN KEY (model_id, version_id) REFERENCES model_versions (model_id, version_id)
        ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT model_version_request_status_request_mirror_fkey
        FOREIGN KEY (request_id, request_status, request_status_entered_on)
        REFERENCES validation_requests (request_id, status, status_entered_on)
        ON UPDATE CASCADE
);

INSERT INTO model_version_request_status (version_id, model_id, request_id, request_status, request_status_entered_on)
SELECT v.version_id, v.model_id, vr.request_id, vr.status, vr.status_entered_on
FROM model_versions v
JOIN validation_requests vr ON vr.request_id = v.validation_request_id;

-- The walk of ready to deploy: approved versions in the list's order, the model for the caller's
-- filter read from the index itself.
CREATE INDEX model_version_request_status_approved_idx
    ON model_version_request_status (request_status_entered_on, request_id, version_id) INCLUDE (model_id)
    WHERE request_status = 'APPROVED';
-- One model's approved versions: a few models' list (an owner of a few models, model_id=), and
-- the ready counts' recount of one model (model_ready_flush).
CREATE INDEX model_version_request_status_approved_model_idx
    ON model_version_request_status (model_id) INCLUDE (request_status_entered_on, request_id, version_id)
    WHERE request_status = 'APPROVED';
-- The cascade of a request's status change finds its versions' rows by request.
CREATE INDEX model_version_request_status_request_idx
    ON model_version_request_status (request_id);

CREATE FUNCTION model_versions_keep_request_status() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.validation_request_id IS NULL THEN
        DELETE FROM model_version_request_status WHERE version_id = NEW.version_id;
    ELSE
        INSERT INTO model_version_request_status (version_id, model_id, request_id, request_status,
                                                  request_status_entered_on)
        SELECT NEW.version_id, NEW.model_id, vr.request_id, vr.status, vr.status_entered_on
        FROM validation_requests vr
        WHERE vr.request_id = NEW.validation_request_id
        ON CONFLICT (version_id) DO UPDATE
        SET request_id = EXCLUDED.request_id, request_status = EXCLUDED.request_status,
            request_status_entered_on = EXCLUDED.request_status_entered_on;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER model_versions_keep_request_status
    AFTER INSERT ON model_versions
    FOR EACH ROW WHEN (NEW.validation_request_id IS NOT NULL)
    EXECUTE FUNCTION model_versions_keep_request_status();
CREATE TRIGGER model_versions_keep_request_status_on_link
    AFTER UPDATE OF validation_request_id ON model_versions
    FOR EACH ROW WHEN (OLD.validation_request_id IS DISTINCT FROM NEW.validation_request_id)
    EXECUTE FUNCTION model_versions_keep_request_status();

-- The same rows and columns as before (20261206001000), from the versions' copies: four relations
-- instead of five, and the approved request is no longer read at all. The OFFSET 0 in the regions'
-- EXISTS is deliberate: without it PostgreSQL may plan that test as a hashed set of every version
-- region (80,000 rows on the queues benchmark's seed), read whole before the first row, because it
-- weighs that choice by every row the view could return (it ignores the page's LIMIT); with it the
-- test is one index probe (model_version_regions_pkey) per row a page reaches: 1.5 ms against
-- 23 ms for a USER's page (bench/results/queues-explain.md).
CREATE OR REPLACE VIEW deployment_readiness AS
SELECT v.version_id, v.version_number, v.scope, s.model_id,
       (SELECT m.model_name FROM models m WHERE m.model_id = s.model_id) AS model_name,
       (SELECT m.owner_id FROM models m WHERE m.model_id = s.model_id) AS owner_id,
       mr.region_id, s.request_id AS validation_request_id,
       (SELECT h.changed_at FROM validation_status_history h
        WHERE h.request_id = s.request_id AND h.to_status = 'APPROVED') AS validation_approved_at,
       s.request_status_entered_on AS approved_day,
       coalesce(
           (SELECT t.task_id FROM version_deployment_tasks t
            WHERE t.version_id = v.version_id AND t.region_id = mr.region_id
              AND t.status IN ('PENDING', 'ADJUSTED')),
           (SELECT t.task_id FROM version_deployment_tasks t
            WHERE t.version_id = v.version_id AND t.region_id IS NULL
              AND t.status IN ('PENDING', 'ADJUSTED'))
       ) AS pending_task_id
FROM model_version_request_status s
JOIN model_versions v ON v.version_id = s.version_id
JOIN model_regions mr ON mr.model_id = s.model_id
WHERE s.request_status = 'APPROVED'
  AND (v.scope = 'GLOBAL' OR EXISTS (
      SELECT 1 FROM model_version_regions mvr
      WHERE mvr.version_id = v.version_id AND mvr.region_id = mr.region_id
      OFFSET 0))
  AND NOT EXISTS (
      SELECT 1 FROM version_deployment_tasks t
      WHERE t.version_id = v.version_id AND t.region_id = mr.region_id AND t.status = 'CONFIRMED')
  AND NOT EXISTS (
      SELECT 1 FROM version_deployment_tasks t
      WHERE t.version_id = v.version_id AND t.region_id IS NULL AND t.status = 'CONFIRMED');

-- The approved requests' walk has no reader left.
DROP INDEX validation_requests_approved_day_idx;

-- migrate:down
CREATE INDEX validation_requests_approved_day_idx
    ON validation_requests (status_entered_on, request_id)
    WHERE status = 'APPROVED';

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

DROP TRIGGER model_versions_keep_request_status_on_link ON model_versions;
DROP TRIGGER model_versions_keep_request_status ON model_versions;
DROP FUNCTION model_versions_keep_request_status();
DROP TABLE model_version_request_status;
ALTER TABLE validation_requests DROP CONSTRAINT validation_requests_status_mirror_key;
