-- migrate:up
-- Validation types. is_targeted says which types may overlap anything (docs/backstops.md, "One
-- blocking validation per model"): only a TARGETED validation is targeted; every other type blocks
-- other non-targeted validations.
CREATE TABLE validation_types (
    code        text    NOT NULL,
    is_targeted boolean NOT NULL,
    CONSTRAINT validation_types_pkey PRIMARY KEY (code),
    -- Target of the composite foreign key that keeps validation_requests.is_targeted truthful.
    CONSTRAINT validation_types_code_is_targeted_key UNIQUE (code, is_targeted)
);
INSERT INTO validation_types (code, is_targeted) VALUES
    ('INITIAL', false), ('COMPREHENSIVE', false), ('CHANGE', false), ('INTERIM', false), ('TARGETED', true);

-- Validation statuses. is_closed marks the terminal statuses; every other status is active.
CREATE TABLE validation_statuses (
    code      text    NOT NULL,
    is_closed boolean NOT NULL,
    CONSTRAINT validation_statuses_pkey PRIMARY KEY (code),
    CONSTRAINT validation_statuses_code_is_closed_key UNIQUE (code, is_closed)
);
INSERT INTO validation_statuses (code, is_closed) VALUES
    ('INTAKE', false), ('PLANNING', false), ('IN_PROGRESS', false), ('REVIEW', false),
    ('PENDING_APPROVAL', false), ('REVISION', false), ('ON_HOLD', false),
    ('APPROVED', true), ('CANCELLED', true);

-- The allowed status changes; the trigger below refuses any other, even from raw SQL.
CREATE TABLE validation_status_transitions (
    from_status text NOT NULL,
    to_status   text NOT NULL,
    CONSTRAINT validation_status_transitions_pkey PRIMARY KEY (from_status, to_status),
    CONSTRAINT validation_status_transitions_from_fkey FOREIGN KEY (from_status) REFERENCES validation_statuses (code),
    CONSTRAINT validation_status_transitions_to_fkey FOREIGN KEY (to_status) REFERENCES validation_statuses (code)
);
INSERT INTO validation_status_transitions (from_status, to_status) VALUES
    ('INTAKE', 'PLANNING'), ('INTAKE', 'CANCELLED'), ('INTAKE', 'ON_HOLD'),
    ('PLANNING', 'IN_PROGRESS'), ('PLANNING', 'CANCELLED'), ('PLANNING', 'ON_HOLD'),
    ('IN_PROGRESS', 'REVIEW'), ('IN_PROGRESS', 'CANCELLED'), ('IN_PROGRESS', 'ON_HOLD'),
    ('REVIEW', 'PENDING_APPROVAL'), ('REVIEW', 'IN_PROGRESS'), ('REVIEW', 'CANCELLED'), ('REVIEW', 'ON_HOLD'),
    ('PENDING_APPROVAL', 'APPROVED'), ('PENDING_APPROVAL', 'REVISION'), ('PENDING_APPROVAL', 'REVIEW'),
    ('PENDING_APPROVAL', 'IN_PROGRESS'), ('PENDING_APPROVAL', 'CANCELLED'), ('PENDING_APPROVAL', 'ON_HOLD'),
    ('REVISION', 'PENDING_APPROVAL'), ('REVISION', 'CANCELLED'), ('REVISION', 'ON_HOLD'),
    ('ON_HOLD', 'INTAKE'), ('ON_HOLD', 'PLANNING'), ('ON_HOLD', 'IN_PROGRESS'), ('ON_HOLD', 'REVIEW'),
    ('ON_HOLD', 'PENDING_APPROVAL'), ('ON_HOLD', 'REVISION'), ('ON_HOLD', 'CANCELLED');

CREATE TYPE validation_priority AS ENUM ('URGENT', 'HIGH', 'MEDIUM', 'LOW');

-- is_targeted and is_closed copy the lookup tables' flags (filled by the trigger below, checked by
-- composite foreign keys), so blocks_models — "active and non-targeted" — is a plain generated
-- column that the link rows can reference.
CREATE TABLE validation_requests (
    request_id             integer GENERATED ALWAYS AS IDENTITY,
    requestor_id           integer             NOT NULL,
    validation_type        text                NOT NULL,
    is_targeted            boolean             NOT NULL,
    priority               validation_priority NOT NULL,
    status                 text                NOT NULL DEFAULT 'INTAKE',
    is_closed              boolean             NOT NULL,
    blocks_models          boolean             NOT NULL GENERATED ALWAYS AS (NOT is_targeted AND NOT is_closed) STORED,
    target_completion_date date                NOT NULL,
    trigger_reason         text,
    created_at             timestamptz         NOT NULL DEFAULT now(),
    updated_at             timestamptz         NOT NULL DEFAULT now(),
    CONSTRAINT validation_requests_pkey PRIMARY KEY (request_id),
    CONSTRAINT validation_requests_request_id_blocks_models_key UNIQUE (request_id, blocks_models),
    CONSTRAINT validation_requests_requestor_id_fkey FOREIGN KEY (requestor_id) REFERENCES users (user_id),
    CONSTRAINT validation_requests_type_fkey FOREIGN KEY (validation_type, is_targeted)
        REFERENCES validation_types (code, is_targeted),
    CONSTRAINT validation_requests_status_fkey FOREIGN KEY (status, is_closed)
        REFERENCES validation_statuses (code, is_closed),
    CONSTRAINT validation_requests_trigger_reason_length CHECK (char_length(trigger_reason) <= 4000)
);

CREATE INDEX validation_requests_requestor_id_idx ON validation_requests (requestor_id);
CREATE INDEX validation_requests_status_idx ON validation_requests (status, request_id);

-- Fills is_targeted/is_closed from the lookup tables and refuses status changes that are not in
-- validation_status_transitions. The lookup tables never change at run time, so reading them
-- here cannot race with anything.
CREATE FUNCTION validation_requests_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT t.is_targeted INTO NEW.is_targeted FROM validation_types t WHERE t.code = NEW.validation_type;
    SELECT s.is_closed INTO NEW.is_closed FROM validation_statuses s WHERE s.code = NEW.status;
    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
        SELECT 1 FROM validation_status_transitions
        WHERE from_status = OLD.status AND to_status = NEW.status
    ) THEN
        RAISE EXCEPTION 'validation request % cannot go from % to %', OLD.request_id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'validation_requests_status_transition';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER validation_requests_guard
    BEFORE INSERT OR UPDATE OF validation_type, status ON validation_requests
    FOR EACH ROW EXECUTE FUNCTION validation_requests_guard();

-- A model covered by a request, optionally at a version. blocks_model mirrors the request's
-- blocks_models through the composite foreign key (ON UPDATE CASCADE: closing the request clears
-- it in the same statement), so it can never disagree with the request, whoever writes the rows.
CREATE TABLE validation_request_models (
    request_id   integer NOT NULL,
    model_id     integer NOT NULL,
    version_id   integer,
    blocks_model boolean NOT NULL,
    CONSTRAINT validation_request_models_pkey PRIMARY KEY (request_id, model_id),
    CONSTRAINT validation_request_models_request_fkey FOREIGN KEY (request_id, blocks_model)
        REFERENCES validation_requests (request_id, blocks_models) ON UPDATE CASCADE,
    CONSTRAINT validation_request_models_model_id_fkey FOREIGN KEY (model_id) REFERENCES models (model_id),
    CONSTRAINT validation_request_models_version_id_fkey FOREIGN KEY (version_id) REFERENCES model_versions (version_id)
);

-- DATA-01's database backstop: at most one active non-targeted request per model. A second
-- inserter waits for the first and then fails with 23505 on this index.
CREATE UNIQUE INDEX validation_request_models_one_blocking_key
    ON validation_request_models (model_id) WHERE blocks_model;
-- All requests of a model (conflict check, list filter).
CREATE INDEX validation_request_models_model_id_idx ON validation_request_models (model_id, request_id);
CREATE INDEX validation_request_models_version_id_idx ON validation_request_models (version_id);

CREATE TABLE validation_request_regions (
    request_id integer NOT NULL,
    region_id  integer NOT NULL,
    CONSTRAINT validation_request_regions_pkey PRIMARY KEY (request_id, region_id),
    CONSTRAINT validation_request_regions_request_id_fkey FOREIGN KEY (request_id) REFERENCES validation_requests (request_id),
    CONSTRAINT validation_request_regions_region_id_fkey FOREIGN KEY (region_id) REFERENCES regions (region_id)
);

CREATE INDEX validation_request_regions_region_id_idx ON validation_request_regions (region_id);

-- One row per status a request entered, the first with from_status NULL.
CREATE TABLE validation_status_history (
    history_id  bigint GENERATED ALWAYS AS IDENTITY,
    request_id  integer     NOT NULL,
    from_status text,
    to_status   text        NOT NULL,
    reason      text,
    changed_by  integer     NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT validation_status_history_pkey PRIMARY KEY (history_id),
    CONSTRAINT validation_status_history_request_id_fkey FOREIGN KEY (request_id) REFERENCES validation_requests (request_id),
    CONSTRAINT validation_status_history_from_status_fkey FOREIGN KEY (from_status) REFERENCES validation_statuses (code),
    CONSTRAINT validation_status_history_to_status_fkey FOREIGN KEY (to_status) REFERENCES validation_statuses (code),
    CONSTRAINT validation_status_history_changed_by_fkey FOREIGN KEY (changed_by) REFERENCES users (user_id),
    CONSTRAINT validation_status_history_reason_length CHECK (char_length(reason) <= 4000)
);

CREATE INDEX validation_status_history_request_id_idx ON validation_status_history (request_id, history_id);
CREATE INDEX validation_status_history_changed_by_idx ON validation_status_history (changed_by);

-- The validation request that covers a version (set when a request lists the version).
ALTER TABLE model_versions ADD COLUMN validation_request_id integer
    CONSTRAINT model_versions_validation_request_id_fkey REFERENCES validation_requests (request_id);
CREATE INDEX model_versions_validation_request_id_idx ON model_versions (validation_request_id);

-- migrate:down
DROP INDEX model_versions_validation_request_id_idx;
ALTER TABLE model_versions DROP COLUMN validation_request_id;
DROP TABLE validation_status_history;
DROP TABLE validation_request_regions;
DROP TABLE validation_request_models;
DROP TABLE validation_requests;
DROP FUNCTION validation_requests_guard();
DROP TYPE validation_priority;
DROP TABLE validation_status_transitions;
DROP TABLE validation_statuses;
DROP TABLE validation_types;
