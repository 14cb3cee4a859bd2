-- migrate:up
-- GET /me/summary's ready_to_deploy counts the deployment_readiness rows of the caller's models.
-- Evaluated live it walks, per version of those models that a request covers, its approval and
-- per region its confirmed tasks: for an owner of 1,000 models on the queues benchmark's seed,
-- 5,000 versions and 60,000 buffer hits, most of the USER's summary (bench/results/queues-explain.md).
-- model_ready_counts holds, per model, how many rows the view has for it, so the summary sums one
-- row per model. The view stays the one home of the rule (docs/rules.md): a count is only ever
-- written as count(*) over the view for its model; what this migration adds is when that recount
-- runs, and that no concurrent writer can leave it stale.
--
-- When: every write that can change which rows the view has marks the models it touches (row
-- triggers *_ready_mark, listing each table and column the view reads: an approval reached or
-- undone on the request, a version's request, scope or model, a model's or a
-- version's regions, a task becoming or ceasing to be CONFIRMED or moving); the marks are kept in
-- a transaction-local setting (mrmflow.ready_models; a rolled-back savepoint drops its own marks
-- with its writes). At commit, a deferred constraint trigger (*_ready_flush, one per table, firing
-- for the same rows) recounts the marked models: the first to fire takes them all, the others find
-- nothing left.
--
-- Stale never: the flush locks the marked models' count rows (FOR UPDATE, ascending model_id, one
-- statement), then recounts in a later statement, whose snapshot (READ COMMITTED) holds every
-- transaction committed before the lock was granted. Two transactions changing one model's rows
-- recount one after the other, the second seeing the first's writes: the last count written is
-- the count of every committed write. (A writer at REPEATABLE READ fails with 40001 instead:
-- its recount would update a row another transaction updated since its snapshot.) The lock is
-- taken at commit only, by this statement only, in model_id order, and nothing after it waits
-- for any other lock: a transaction waiting for a count row waits for a transaction that is
-- committing, so the counts add no deadlock to the lock order of docs/locks.md (its last step).
-- TestReadyCountsFollowTheView and TestReadyCountsUnderConcurrentWriters (internal/database)
-- prove both, each with its control.
CREATE TABLE model_ready_counts (
    model_id integer NOT NULL,
    ready_rows integer NOT NULL,
    CONSTRAINT model_ready_counts_pkey PRIMARY KEY (model_id),
    CONSTRAINT model_ready_counts_model_id_fkey FOREIGN KEY (model_id) REFERENCES models (model_id) ON DELETE CASCADE,
    CONSTRAINT model_ready_counts_not_negative CHECK (ready_rows >= 0)
);

INSERT INTO model_ready_counts (model_id, ready_rows)
SELECT m.model_id, (SELECT count(*) FROM deployment_readiness r WHERE r.model_id = m.model_id)
FROM models m;

-- A new model has no version, so no ready row.
CREATE FUNCTION models_ready_count_create() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO model_ready_counts (model_id, ready_rows) VALUES (NEW.model_id, 0);
    RETURN NULL;
END;
$$;

CREATE TRIGGER models_ready_count_create
    AFTER INSERT ON models
    FOR EACH ROW EXECUTE FUNCTION models_ready_count_create();

-- Marks models for the recount at commit.
CREATE FUNCTION model_ready_mark(p_model_ids integer[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF cardinality(p_model_ids) > 0 THEN
        PERFORM set_config('mrmflow.ready_models', ARRAY(
            SELECT DISTINCT m
            FROM unnest(coalesce(nullif(current_setting('mrmflow.ready_models', true), '')::integer[], '{}') || p_model_ids) AS m
            WHERE m IS NOT NULL
        )::text, true);
    END IF;
END;
$$;

-- Recounts the marked models: their count rows locked in model_id order, then counted over the
-- view in the next statement (a fresh snapshot, taken after the lock was granted).
-- Its recount keeps its generic plan (per model: model_versions_under_validation_by_model_idx,
-- then the version's approval and its regions' tasks by index): plpgsql's custom plans re-planned
-- the view at every commit, about 1 ms of CPU, more than the recount itself.
CREATE FUNCTION model_ready_flush() RETURNS trigger
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
    AS $$
DECLARE
    marked integer[] := nullif(current_setting('mrmflow.ready_models', true), '')::integer[];
BEGIN
    IF marked IS NULL OR cardinality(marked) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('mrmflow.ready_models', '', true);
    PERFORM 1
    FROM model_ready_counts c
    WHERE c.model_id = ANY (marked)
    ORDER BY c.model_id
    FOR UPDATE;
    UPDATE model_ready_counts c
    SET ready_rows = (SELECT count(*) FROM deployment_readiness r WHERE r.model_id = c.model_id)
    WHERE c.model_id = ANY (marked);
    RETURN NULL;
END;
$$;

-- The marks, one statement-level trigger per table and event: each marks the models of the
-- statement's rows that can change a ready row (read from its transition tables), so a statement
-- writing many rows marks once.
-- The request's mark is row-level, with the WHEN of its flush: only a status change into or out of
-- APPROVED can change the view's rows (their approved_day is the day the request entered APPROVED;
-- the history row is read for the rows' approval time only), so the other updates of a request —
-- every other status change, every edit — pay nothing for the counts.
CREATE FUNCTION validation_requests_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- an approval reached or undone: the models of the request's versions
    PERFORM model_ready_mark(ARRAY(
        SELECT v.model_id FROM model_versions v WHERE v.validation_request_id = NEW.request_id));
    RETURN NULL;
END;
$$;
CREATE TRIGGER validation_requests_ready_mark
    AFTER UPDATE OF status ON validation_requests
    FOR EACH ROW WHEN ((OLD.status = 'APPROVED') IS DISTINCT FROM (NEW.status = 'APPROVED'))
    EXECUTE FUNCTION validation_requests_ready_mark();

CREATE FUNCTION model_versions_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a version a request covers, before or after: its model (its request, scope or model may
    -- have changed)
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT n.model_id FROM new_rows n WHERE n.validation_request_id IS NOT NULL));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT o.model_id FROM old_rows o WHERE o.validation_request_id IS NOT NULL));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER model_versions_insert_ready_mark
    AFTER INSERT ON model_versions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_versions_ready_mark();
CREATE TRIGGER model_versions_update_ready_mark
    AFTER UPDATE ON model_versions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_versions_ready_mark();
CREATE TRIGGER model_versions_delete_ready_mark
    AFTER DELETE ON model_versions REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_versions_ready_mark();

CREATE FUNCTION model_regions_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a model's region added or removed: the model
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT n.model_id FROM new_rows n));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT o.model_id FROM old_rows o));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER model_regions_insert_ready_mark
    AFTER INSERT ON model_regions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_regions_ready_mark();
CREATE TRIGGER model_regions_update_ready_mark
    AFTER UPDATE ON model_regions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_regions_ready_mark();
CREATE TRIGGER model_regions_delete_ready_mark
    AFTER DELETE ON model_regions REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_regions_ready_mark();

CREATE FUNCTION model_version_regions_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a version's region added or removed: the version's model
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT v.model_id FROM new_rows n JOIN model_versions v ON v.version_id = n.version_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT v.model_id FROM old_rows o JOIN model_versions v ON v.version_id = o.version_id));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER model_version_regions_insert_ready_mark
    AFTER INSERT ON model_version_regions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_version_regions_ready_mark();
CREATE TRIGGER model_version_regions_update_ready_mark
    AFTER UPDATE ON model_version_regions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_version_regions_ready_mark();
CREATE TRIGGER model_version_regions_delete_ready_mark
    AFTER DELETE ON model_version_regions REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION model_version_regions_ready_mark();

CREATE FUNCTION version_deployment_tasks_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a task counts only while CONFIRMED: a PENDING task's insert, adjustment or cancellation
    -- changes no ready row
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT n.model_id FROM new_rows n WHERE n.status = 'CONFIRMED'));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT o.model_id FROM old_rows o WHERE o.status = 'CONFIRMED'));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER version_deployment_tasks_insert_ready_mark
    AFTER INSERT ON version_deployment_tasks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_deployment_tasks_ready_mark();
CREATE TRIGGER version_deployment_tasks_update_ready_mark
    AFTER UPDATE ON version_deployment_tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_deployment_tasks_ready_mark();
CREATE TRIGGER version_deployment_tasks_delete_ready_mark
    AFTER DELETE ON version_deployment_tasks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_deployment_tasks_ready_mark();

-- The flushes, deferred to the commit: row-level (constraint triggers are), for the same rows as
-- the marks.
CREATE CONSTRAINT TRIGGER validation_requests_ready_flush
    AFTER UPDATE OF status ON validation_requests
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN ((OLD.status = 'APPROVED') IS DISTINCT FROM (NEW.status = 'APPROVED'))
    EXECUTE FUNCTION model_ready_flush();

CREATE CONSTRAINT TRIGGER model_versions_insert_ready_flush
    AFTER INSERT ON model_versions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.validation_request_id IS NOT NULL)
    EXECUTE FUNCTION model_ready_flush();
CREATE CONSTRAINT TRIGGER model_versions_update_ready_flush
    AFTER UPDATE OF validation_request_id, scope, model_id ON model_versions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    EXECUTE FUNCTION model_ready_flush();
CREATE CONSTRAINT TRIGGER model_versions_delete_ready_flush
    AFTER DELETE ON model_versions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.validation_request_id IS NOT NULL)
    EXECUTE FUNCTION model_ready_flush();

CREATE CONSTRAINT TRIGGER model_regions_ready_flush
    AFTER INSERT OR UPDATE OR DELETE ON model_regions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    EXECUTE FUNCTION model_ready_flush();
CREATE CONSTRAINT TRIGGER version_deployment_tasks_insert_ready_flush
    AFTER INSERT ON version_deployment_tasks
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status = 'CONFIRMED')
    EXECUTE FUNCTION model_ready_flush();
CREATE CONSTRAINT TRIGGER version_deployment_tasks_update_ready_flush
    AFTER UPDATE ON version_deployment_tasks
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.status = 'CONFIRMED' OR NEW.status = 'CONFIRMED')
    EXECUTE FUNCTION model_ready_flush();
CREATE CONSTRAINT TRIGGER version_deployment_tasks_delete_ready_flush
    AFTER DELETE ON version_deployment_tasks
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.status = 'CONFIRMED')
    EXECUTE FUNCTION model_ready_flush();

CREATE CONSTRAINT TRIGGER model_version_regions_ready_flush
    AFTER INSERT OR UPDATE OR DELETE ON model_version_regions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    EXECUTE FUNCTION model_ready_flush();

-- migrate:down
DROP TRIGGER version_deployment_tasks_insert_ready_flush ON version_deployment_tasks;
DROP TRIGGER version_deployment_tasks_update_ready_flush ON version_deployment_tasks;
DROP TRIGGER version_deployment_tasks_delete_ready_flush ON version_deployment_tasks;
DROP TRIGGER model_version_regions_ready_flush ON model_version_regions;
DROP TRIGGER model_regions_ready_flush ON model_regions;
DROP TRIGGER model_versions_insert_ready_flush ON model_versions;
DROP TRIGGER model_versions_update_ready_flush ON model_versions;
DROP TRIGGER model_versions_delete_ready_flush ON model_versions;
DROP TRIGGER validation_requests_ready_flush ON validation_requests;
DROP TRIGGER version_deployment_tasks_insert_ready_mark ON version_deployment_tasks;
DROP TRIGGER version_deployment_tasks_update_ready_mark ON version_deployment_tasks;
DROP TRIGGER version_deployment_tasks_delete_ready_mark ON version_deployment_tasks;
DROP FUNCTION version_deployment_tasks_ready_mark();
DROP TRIGGER model_version_regions_insert_ready_mark ON model_version_regions;
DROP TRIGGER model_version_regions_update_ready_mark ON model_version_regions;
DROP TRIGGER model_version_regions_delete_ready_mark ON model_version_regions;
DROP FUNCTION model_version_regions_ready_mark();
DROP TRIGGER model_regions_insert_ready_mark ON model_regions;
DROP TRIGGER model_regions_update_ready_mark ON model_regions;
DROP TRIGGER model_regions_delete_ready_mark ON model_regions;
DROP FUNCTION model_regions_ready_mark();
DROP TRIGGER model_versions_insert_ready_mark ON model_versions;
DROP TRIGGER model_versions_update_ready_mark ON model_versions;
DROP TRIGGER model_versions_delete_ready_mark ON model_versions;
DROP FUNCTION model_versions_ready_mark();
DROP TRIGGER validation_requests_ready_mark ON validation_requests;
DROP FUNCTION validation_requests_ready_mark();
DROP FUNCTION model_ready_flush();
DROP FUNCTION model_ready_mark(integer[]);
DROP TRIGGER models_ready_count_create ON models;
DROP FUNCTION models_ready_count_create();
DROP TABLE model_ready_counts;
