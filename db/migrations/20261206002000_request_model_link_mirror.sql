-- migrate:up
-- GET /me/summary counts a USER's overdue requests: active requests, past their target date, that
-- cover one of the user's models. Read through the request, every link of the user's models (most
-- of them to closed requests, a number growing forever) probed its request: 5,000 probes for an
-- owner of 1,000 models on the queues benchmark's seed, a quarter of the summary's time
-- (bench/results/queues-explain.md). Each model link now carries the three request columns the
-- assignments carry (20261205003000), so the count is one index-only range of the open links of
-- the user's models.
--
-- The copies are held truthful the same way (docs/lists.md, "Mirrors of the request on its
-- assignments"): a composite foreign key to the request's own columns, the unique key
-- validation_requests_assignment_mirror_key, with ON UPDATE CASCADE, so a change of the request
-- rewrites its links in the same statement and no writer, raw SQL included, can store other
-- values. A trigger fills them on insert and when a link moves to another request (the writers
-- name only request_id); the foreign key then refuses a value the request does not have. When the
-- trigger finds no request row it leaves what the writer sent, for the foreign key to judge at the
-- end of the statement: ValidationRequestCreate, whose parts share one snapshot, names the new
-- request's columns itself, from its RETURNING.
ALTER TABLE validation_request_models
    ADD COLUMN request_is_closed boolean,
    ADD COLUMN request_status text,
    ADD COLUMN request_target_date date;

UPDATE validation_request_models l
SET request_is_closed = vr.is_closed, request_status = vr.status, request_target_date = vr.target_completion_date
FROM validation_requests vr
WHERE vr.request_id = l.request_id;

ALTER TABLE validation_request_models
    ALTER COLUMN request_is_closed SET NOT NULL,
    ALTER COLUMN request_status SET NOT NULL,
    ALTER COLUMN request_target_date SET NOT NULL,
    ADD CONSTRAINT validation_request_models_request_mirror_fkey
        FOREIGN KEY (request_id, request_is_closed, request_status, request_target_date)
        REFERENCES validation_requests (request_id, is_closed, status, target_completion_date)
        ON UPDATE CASCADE;

CREATE FUNCTION validation_request_models_fill_request() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    request record;
BEGIN
    SELECT vr.is_closed, vr.status, vr.target_completion_date
    INTO request
    FROM validation_requests vr
    WHERE vr.request_id = NEW.request_id;
    IF FOUND THEN
        NEW.request_is_closed := request.is_closed;
        NEW.request_status := request.status;
        NEW.request_target_date := request.target_completion_date;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER validation_request_models_fill_request
    BEFORE INSERT OR UPDATE OF request_id ON validation_request_models
    FOR EACH ROW EXECUTE FUNCTION validation_request_models_fill_request();

-- The open links by model and target date (SummaryForUser's overdue_requests for a USER): an
-- Index Only Scan of the range before as_of, per model of the user; links of closed requests are
-- not in it.
CREATE INDEX validation_request_models_open_target_idx
    ON validation_request_models (model_id, request_target_date) INCLUDE (request_id)
    WHERE NOT request_is_closed;

-- migrate:down
DROP INDEX validation_request_models_open_target_idx;
DROP TRIGGER validation_request_models_fill_request ON validation_request_models;
DROP FUNCTION validation_request_models_fill_request();
ALTER TABLE validation_request_models
    DROP CONSTRAINT validation_request_models_request_mirror_fkey,
    DROP COLUMN request_is_closed,
    DROP COLUMN request_status,
    DROP COLUMN request_target_date;
