-- migrate:up
-- The life of a deployment task (docs/backstops.md, "Deployment task states"). CONFIRMED and
-- CANCELLED are terminal.
CREATE TYPE deployment_task_status AS ENUM ('PENDING', 'ADJUSTED', 'CONFIRMED', 'CANCELLED');

-- One task per (version, region), or one global task (region_id NULL) covering every region the
-- model runs in. model_id is copied from the version so the list filters need no join; the
-- composite foreign key to model_regions keeps region_id one of the model's regions.
CREATE TABLE version_deployment_tasks (
    task_id                             integer GENERATED ALWAYS AS IDENTITY,
    version_id                          integer                NOT NULL,
    model_id                            integer                NOT NULL,
    region_id                           integer,
    assigned_to_id                      integer                NOT NULL,
    status                              deployment_task_status NOT NULL DEFAULT 'PENDING',
    planned_production_date             date                   NOT NULL,
    actual_production_date              date,
    notes                               text,
    confirmation_notes                  text,
    confirmed_by_id                     integer,
    confirmed_at                        timestamptz,
    deployed_before_validation_approved boolean                NOT NULL DEFAULT false,
    validation_override_reason          text,
    adjustment_reason                   text,
    cancellation_reason                 text,
    created_at                          timestamptz            NOT NULL DEFAULT now(),
    updated_at                          timestamptz            NOT NULL DEFAULT now(),
    CONSTRAINT version_deployment_tasks_pkey PRIMARY KEY (task_id),
    CONSTRAINT version_deployment_tasks_version_id_fkey FOREIGN KEY (version_id) REFERENCES model_versions (version_id),
    CONSTRAINT version_deployment_tasks_model_id_fkey FOREIGN KEY (model_id) REFERENCES models (model_id),
    CONSTRAINT version_deployment_tasks_region_id_fkey FOREIGN KEY (region_id) REFERENCES regions (region_id),
    CONSTRAINT version_deployment_tasks_model_region_fkey FOREIGN KEY (model_id, region_id)
        REFERENCES model_regions (model_id, region_id),
    CONSTRAINT version_deployment_tasks_assigned_to_id_fkey FOREIGN KEY (assigned_to_id) REFERENCES users (user_id),
    CONSTRAINT version_deployment_tasks_confirmed_by_id_fkey FOREIGN KEY (confirmed_by_id) REFERENCES users (user_id),
    -- A confirmed task always says when, by whom and for which date.
    CONSTRAINT version_deployment_tasks_confirmed_complete CHECK (
        status <> 'CONFIRMED'
        OR (actual_production_date IS NOT NULL AND confirmed_by_id IS NOT NULL AND confirmed_at IS NOT NULL)),
    -- Deploying ahead of the validation needs a stated reason.
    CONSTRAINT version_deployment_tasks_override_reason CHECK (
        NOT deployed_before_validation_approved OR validation_override_reason IS NOT NULL),
    CONSTRAINT version_deployment_tasks_cancellation_reason CHECK (
        status <> 'CANCELLED' OR cancellation_reason IS NOT NULL),
    CONSTRAINT version_deployment_tasks_notes_length CHECK (char_length(notes) <= 4000),
    CONSTRAINT version_deployment_tasks_confirmation_notes_length CHECK (char_length(confirmation_notes) <= 4000),
    CONSTRAINT version_deployment_tasks_override_reason_length CHECK (char_length(validation_override_reason) <= 4000),
    CONSTRAINT version_deployment_tasks_adjustment_reason_length CHECK (char_length(adjustment_reason) <= 4000),
    CONSTRAINT version_deployment_tasks_cancellation_reason_length CHECK (char_length(cancellation_reason) <= 4000)
);

-- One task per (version, region) and one global task per version. Being partial, neither serves
-- the version_id foreign key's checks; versions are never deleted, so those checks never run.
CREATE UNIQUE INDEX version_deployment_tasks_version_region_key
    ON version_deployment_tasks (version_id, region_id) WHERE region_id IS NOT NULL;
CREATE UNIQUE INDEX version_deployment_tasks_version_global_key
    ON version_deployment_tasks (version_id) WHERE region_id IS NULL;
-- The list filters (status, assigned_to, model_id), each ending in task_id so a filtered page
-- is one index range in keyset order; the model_id one also serves both model foreign keys.
CREATE INDEX version_deployment_tasks_status_idx ON version_deployment_tasks (status, task_id);
CREATE INDEX version_deployment_tasks_assigned_to_id_idx ON version_deployment_tasks (assigned_to_id, task_id);
CREATE INDEX version_deployment_tasks_model_id_idx ON version_deployment_tasks (model_id, region_id, task_id);
CREATE INDEX version_deployment_tasks_region_id_idx ON version_deployment_tasks (region_id);
CREATE INDEX version_deployment_tasks_confirmed_by_id_idx ON version_deployment_tasks (confirmed_by_id);

-- The state machine, enforced for every writer (raw SQL included): terminal tasks never change,
-- and a live task may only become ADJUSTED, CONFIRMED or CANCELLED (never PENDING again).
-- Also keeps updated_at.
CREATE FUNCTION version_deployment_tasks_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('CONFIRMED', 'CANCELLED') THEN
        RAISE EXCEPTION 'deployment task % is % and cannot change', OLD.task_id, OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'version_deployment_tasks_status_transition';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status NOT IN ('ADJUSTED', 'CONFIRMED', 'CANCELLED') THEN
        RAISE EXCEPTION 'deployment task % cannot go from % to %', OLD.task_id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'version_deployment_tasks_status_transition';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER version_deployment_tasks_guard
    BEFORE UPDATE ON version_deployment_tasks
    FOR EACH ROW EXECUTE FUNCTION version_deployment_tasks_guard();

-- migrate:down
DROP TABLE version_deployment_tasks;
DROP FUNCTION version_deployment_tasks_guard();
DROP TYPE deployment_task_status;
