-- migrate:up
-- The validators' workload report and /me/summary count active work per validator: assignments
-- of requests that are not closed, by the request's status (REVIEW) and target date. Read through
-- the request, every page probed each active request (docs/lists.md, "Mirrors of the request on
-- its assignments"). Each assignment now carries the three request columns those counts read, so
-- the counts are one index-only walk of the open work.
--
-- The copies are held truthful the way validation_request_models.blocks_model is
-- (docs/backstops.md, "One blocking validation per model"): a composite foreign key to the
-- request's own columns with ON UPDATE CASCADE, so a change of the request rewrites its
-- assignments in the same statement and no writer, raw SQL included, can store other values. A
-- trigger only fills them on insert (the writers name only request_id); the foreign key then
-- refuses a value the request does not have.
ALTER TABLE validation_requests
    ADD CONSTRAINT validation_requests_assignment_mirror_key
    UNIQUE (request_id, is_closed, status, target_completion_date);

ALTER TABLE validation_assignments
    ADD COLUMN request_is_closed boolean,
    ADD COLUMN request_status text,
    ADD COLUMN request_target_date date;

UPDATE validation_assignments a
SET request_is_closed = vr.is_closed, request_status = vr.status, request_target_date = vr.target_completion_date
FROM validation_requests vr
WHERE vr.request_id = a.request_id;

ALTER TABLE validation_assignments
    ALTER COLUMN request_is_closed SET NOT NULL,
    ALTER COLUMN request_status SET NOT NULL,
    ALTER COLUMN request_target_date SET NOT NULL,
    ADD CONSTRAINT validation_assignments_request_mirror_fkey
        FOREIGN KEY (request_id, request_is_closed, request_status, request_target_date)
        REFERENCES validation_requests (request_id, is_closed, status, target_completion_date)
        ON UPDATE CASCADE;

CREATE FUNCTION validation_assignments_fill_request() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    SELECT vr.is_closed, vr.status, vr.target_completion_date
    INTO NEW.request_is_closed, NEW.request_status, NEW.request_target_date
    FROM validation_requests vr
    WHERE vr.request_id = NEW.request_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER validation_assignments_fill_request
    BEFORE INSERT OR UPDATE OF request_id ON validation_assignments
    FOR EACH ROW EXECUTE FUNCTION validation_assignments_fill_request();

-- The open work, by validator (ReportWorkload, ReportWorkloadCount): every column the counts read,
-- so a page is an Index Only Scan in validator order; closed requests' assignments (most of them,
-- and growing forever) are not in it.
CREATE INDEX validation_assignments_open_work_idx ON validation_assignments (validator_id)
    INCLUDE (is_primary, signed_off_at, request_status, request_target_date)
    WHERE NOT request_is_closed AND (is_primary OR is_reviewer);

-- The open requests' primaries, by request (SummaryForUser's unassigned_requests): the anti-join
-- of the active requests reads the open primaries only, not every primary ever named.
CREATE INDEX validation_assignments_open_primary_idx ON validation_assignments (request_id)
    WHERE is_primary AND NOT request_is_closed;

-- A caller's open deployment tasks by planned day (SummaryForUser's tasks_overdue and
-- tasks_due_this_week): an Index Only Scan of the range up to as_of + 7.
CREATE INDEX version_deployment_tasks_open_assigned_idx ON version_deployment_tasks (assigned_to_id, planned_production_date)
    WHERE status IN ('PENDING', 'ADJUSTED');

-- migrate:down
DROP INDEX version_deployment_tasks_open_assigned_idx;
DROP INDEX validation_assignments_open_primary_idx;
DROP INDEX validation_assignments_open_work_idx;
DROP TRIGGER validation_assignments_fill_request ON validation_assignments;
DROP FUNCTION validation_assignments_fill_request();
ALTER TABLE validation_assignments
    DROP CONSTRAINT validation_assignments_request_mirror_fkey,
    DROP COLUMN request_is_closed,
    DROP COLUMN request_status,
    DROP COLUMN request_target_date;
ALTER TABLE validation_requests DROP CONSTRAINT validation_requests_assignment_mirror_key;
