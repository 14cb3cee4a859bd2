-- migrate:up
-- Approvals of a validation request. A REGIONAL approval is created when a deployment lands in a
-- region that requires regional approval but lies outside the validation's regions (REL-02).
CREATE TABLE validation_approvals (
    approval_id   integer GENERATED ALWAYS AS IDENTITY,
    request_id    integer     NOT NULL,
    region_id     integer,
    approval_type text        NOT NULL,
    status        text        NOT NULL DEFAULT 'PENDING',
    approver_id   integer,
    decided_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT validation_approvals_pkey PRIMARY KEY (approval_id),
    CONSTRAINT validation_approvals_request_id_fkey FOREIGN KEY (request_id) REFERENCES validation_requests (request_id),
    CONSTRAINT validation_approvals_region_id_fkey FOREIGN KEY (region_id) REFERENCES regions (region_id),
    CONSTRAINT validation_approvals_approver_id_fkey FOREIGN KEY (approver_id) REFERENCES users (user_id),
    CONSTRAINT validation_approvals_approval_type_known CHECK (approval_type IN ('GLOBAL', 'REGIONAL')),
    CONSTRAINT validation_approvals_status_known CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
    -- A regional approval names its region; any other approval does not.
    CONSTRAINT validation_approvals_region_matches_type CHECK ((approval_type = 'REGIONAL') = (region_id IS NOT NULL))
);

-- At most one regional approval per request and region: concurrent confirmations create it once
-- (INSERT ... ON CONFLICT DO NOTHING waits on this index).
CREATE UNIQUE INDEX validation_approvals_regional_key
    ON validation_approvals (request_id, region_id) WHERE approval_type = 'REGIONAL';
CREATE INDEX validation_approvals_request_id_idx ON validation_approvals (request_id);
CREATE INDEX validation_approvals_region_id_idx ON validation_approvals (region_id);
CREATE INDEX validation_approvals_approver_id_idx ON validation_approvals (approver_id);

-- migrate:down
DROP TABLE validation_approvals;
