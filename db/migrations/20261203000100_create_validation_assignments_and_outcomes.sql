-- migrate:up
-- The validators working a validation request. An assignment is made only after the validator
-- attested their independence from the request's models (independence_attested_at records when);
-- the service refuses owners, active delegates and the requestor.
CREATE TABLE validation_assignments (
    assignment_id            integer GENERATED ALWAYS AS IDENTITY,
    request_id               integer          NOT NULL,
    validator_id             integer          NOT NULL,
    is_primary               boolean          NOT NULL DEFAULT false,
    is_reviewer              boolean          NOT NULL DEFAULT false,
    estimated_hours          double precision,
    actual_hours             double precision,
    independence_attested_at timestamptz      NOT NULL DEFAULT now(),
    signed_off_at            timestamptz,
    sign_off_comments        text,
    assigned_by              integer          NOT NULL,
    created_at               timestamptz      NOT NULL DEFAULT now(),
    updated_at               timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT validation_assignments_pkey PRIMARY KEY (assignment_id),
    -- A validator is assigned once per request (a second assignment is 409 conflict).
    CONSTRAINT validation_assignments_request_validator_key UNIQUE (request_id, validator_id),
    CONSTRAINT validation_assignments_request_id_fkey FOREIGN KEY (request_id) REFERENCES validation_requests (request_id),
    CONSTRAINT validation_assignments_validator_id_fkey FOREIGN KEY (validator_id) REFERENCES users (user_id),
    CONSTRAINT validation_assignments_assigned_by_fkey FOREIGN KEY (assigned_by) REFERENCES users (user_id),
    CONSTRAINT validation_assignments_hours_range CHECK (
        (estimated_hours IS NULL OR estimated_hours BETWEEN 0 AND 100000)
        AND (actual_hours IS NULL OR actual_hours BETWEEN 0 AND 100000)),
    -- The reviewer challenges the primary's work, so one person is never both.
    CONSTRAINT validation_assignments_primary_not_reviewer CHECK (NOT (is_primary AND is_reviewer)),
    -- Only the reviewer signs off; demoting a reviewer clears the sign-off.
    CONSTRAINT validation_assignments_sign_off_by_reviewer CHECK (signed_off_at IS NULL OR is_reviewer),
    CONSTRAINT validation_assignments_sign_off_comments_length CHECK (char_length(sign_off_comments) <= 4000)
);

-- At most one primary validator and one reviewer per request. The service names a new one by
-- demoting the old in the same transaction under the request's row lock; these indexes hold the
-- rule for any writer (a second concurrent primary waits, then fails with 23505).
CREATE UNIQUE INDEX validation_assignments_one_primary_key ON validation_assignments (request_id) WHERE is_primary;
CREATE UNIQUE INDEX validation_assignments_one_reviewer_key ON validation_assignments (request_id) WHERE is_reviewer;
-- "Which requests is validator V assigned to" (and the foreign keys' referencing side).
CREATE INDEX validation_assignments_validator_id_idx ON validation_assignments (validator_id);
CREATE INDEX validation_assignments_assigned_by_idx ON validation_assignments (assigned_by);

-- The outcome of a validation: at most one per request (validation_outcomes_request_id_key; a
-- second is 409 conflict, also between concurrent creators).
CREATE TABLE validation_outcomes (
    outcome_id        integer GENERATED ALWAYS AS IDENTITY,
    request_id        integer     NOT NULL,
    overall_rating    text        NOT NULL,
    executive_summary text        NOT NULL,
    effective_date    date        NOT NULL,
    expiration_date   date,
    created_by        integer     NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT validation_outcomes_pkey PRIMARY KEY (outcome_id),
    CONSTRAINT validation_outcomes_request_id_key UNIQUE (request_id),
    CONSTRAINT validation_outcomes_request_id_fkey FOREIGN KEY (request_id) REFERENCES validation_requests (request_id),
    CONSTRAINT validation_outcomes_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (user_id),
    CONSTRAINT validation_outcomes_rating_known CHECK (overall_rating IN ('PASS', 'PASS_WITH_FINDINGS', 'FAIL')),
    CONSTRAINT validation_outcomes_summary_length CHECK (char_length(executive_summary) BETWEEN 1 AND 4000),
    CONSTRAINT validation_outcomes_expiration_after_effective CHECK (expiration_date IS NULL OR expiration_date > effective_date)
);

CREATE INDEX validation_outcomes_created_by_idx ON validation_outcomes (created_by);

-- MRM3's one exception to its transition map: a request without a reviewer goes from IN_PROGRESS
-- straight to PENDING_APPROVAL (the service refuses it, review_required, when a reviewer is
-- assigned). The guard trigger reads this table, so the row must exist for the move to pass.
INSERT INTO validation_status_transitions (from_status, to_status) VALUES ('IN_PROGRESS', 'PENDING_APPROVAL');

-- migrate:down
DELETE FROM validation_status_transitions WHERE from_status = 'IN_PROGRESS' AND to_status = 'PENDING_APPROVAL';
DROP TABLE validation_outcomes;
DROP TABLE validation_assignments;
