-- migrate:up
-- v1.1 approvals. A request entering PENDING_APPROVAL gets one GLOBAL approval and one REGIONAL
-- approval per region of its approval scope that requires one; a deployment that lands in a region
-- requiring approval outside the validation's regions gets a DEPLOYMENT approval (these were
-- called REGIONAL in v1, and v1 created no other kind, so every existing REGIONAL row is one).
-- Approvals are decided once: PENDING -> APPROVED | SENT_BACK, or VOIDED when the request leaves
-- PENDING_APPROVAL another way.
ALTER TABLE validation_approvals
    DROP CONSTRAINT validation_approvals_approval_type_known,
    DROP CONSTRAINT validation_approvals_status_known,
    DROP CONSTRAINT validation_approvals_region_matches_type;
DROP INDEX validation_approvals_regional_key;

UPDATE validation_approvals SET approval_type = 'DEPLOYMENT' WHERE approval_type = 'REGIONAL';
-- v1 had no way to decide an approval; a REJECTED row written by hand is a send-back.
UPDATE validation_approvals SET status = 'SENT_BACK' WHERE status = 'REJECTED';

ALTER TABLE validation_approvals RENAME COLUMN approver_id TO decided_by_id;
ALTER TABLE validation_approvals RENAME CONSTRAINT validation_approvals_approver_id_fkey TO validation_approvals_decided_by_id_fkey;
ALTER INDEX validation_approvals_approver_id_idx RENAME TO validation_approvals_decided_by_id_idx;

ALTER TABLE validation_approvals
    ADD COLUMN comments text,
    ADD CONSTRAINT validation_approvals_approval_type_known
        CHECK (approval_type IN ('GLOBAL', 'REGIONAL', 'DEPLOYMENT')),
    ADD CONSTRAINT validation_approvals_status_known
        CHECK (status IN ('PENDING', 'APPROVED', 'SENT_BACK', 'VOIDED')),
    -- REGIONAL and DEPLOYMENT approvals name their region; the GLOBAL one does not.
    ADD CONSTRAINT validation_approvals_region_matches_type
        CHECK ((approval_type = 'GLOBAL') = (region_id IS NULL)),
    -- A decision records who and when; nothing else does.
    ADD CONSTRAINT validation_approvals_decision_recorded
        CHECK ((status IN ('APPROVED', 'SENT_BACK')) = (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)),
    ADD CONSTRAINT validation_approvals_send_back_explained
        CHECK (status <> 'SENT_BACK' OR comments IS NOT NULL),
    ADD CONSTRAINT validation_approvals_comments_length CHECK (char_length(comments) <= 4000);

-- One DEPLOYMENT approval per request and region: concurrent confirmations create it once
-- (INSERT ... ON CONFLICT DO NOTHING waits on this index).
CREATE UNIQUE INDEX validation_approvals_deployment_key
    ON validation_approvals (request_id, region_id) WHERE approval_type = 'DEPLOYMENT';
-- One pending GLOBAL approval per request and one pending REGIONAL approval per request and
-- region: the approvals of one round of PENDING_APPROVAL are created once, whoever writes them.
CREATE UNIQUE INDEX validation_approvals_one_pending_global_key
    ON validation_approvals (request_id) WHERE approval_type = 'GLOBAL' AND status = 'PENDING';
CREATE UNIQUE INDEX validation_approvals_one_pending_regional_key
    ON validation_approvals (request_id, region_id) WHERE approval_type = 'REGIONAL' AND status = 'PENDING';
-- The approver queue: pending approvals in id order.
CREATE INDEX validation_approvals_pending_idx ON validation_approvals (approval_id) WHERE status = 'PENDING';

ALTER TABLE audit_logs DROP CONSTRAINT audit_logs_entity_type_known;
ALTER TABLE audit_logs ADD CONSTRAINT audit_logs_entity_type_known CHECK (entity_type IN (
    'user', 'api_token', 'region', 'model', 'model_version', 'validation_request', 'deployment_task',
    'validation_approval'));

-- migrate:down
ALTER TABLE audit_logs DROP CONSTRAINT audit_logs_entity_type_known;
DELETE FROM audit_logs WHERE entity_type = 'validation_approval';
ALTER TABLE audit_logs ADD CONSTRAINT audit_logs_entity_type_known CHECK (entity_type IN (
    'user', 'api_token', 'region', 'model', 'model_version', 'validation_request', 'deployment_task'));
DROP INDEX validation_approvals_pending_idx;
DROP INDEX validation_approvals_one_pending_regional_key;
DROP INDEX validation_approvals_one_pending_global_key;
DROP INDEX validation_approvals_deployment_key;
DELETE FROM validation_approvals WHERE approval_type <> 'DEPLOYMENT';
ALTER TABLE validation_approvals
    DROP CONSTRAINT validation_approvals_comments_length,
    DROP CONSTRAINT validation_approvals_send_back_explained,
    DROP CONSTRAINT validation_approvals_decision_recorded,
    DROP CONSTRAINT validation_approvals_region_matches_type,
    DROP CONSTRAINT validation_approvals_status_known,
    DROP CONSTRAINT validation_approvals_approval_type_known,
    DROP COLUMN comments;
ALTER INDEX validation_approvals_decided_by_id_idx RENAME TO validation_approvals_approver_id_idx;
ALTER TABLE validation_approvals RENAME CONSTRAINT validation_approvals_decided_by_id_fkey TO validation_approvals_approver_id_fkey;
ALTER TABLE validation_approvals RENAME COLUMN decided_by_id TO approver_id;
UPDATE validation_approvals SET status = 'REJECTED' WHERE status IN ('SENT_BACK', 'VOIDED');
UPDATE validation_approvals SET approval_type = 'REGIONAL';
CREATE UNIQUE INDEX validation_approvals_regional_key
    ON validation_approvals (request_id, region_id) WHERE approval_type = 'REGIONAL';
ALTER TABLE validation_approvals
    ADD CONSTRAINT validation_approvals_approval_type_known CHECK (approval_type IN ('GLOBAL', 'REGIONAL')),
    ADD CONSTRAINT validation_approvals_status_known CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
    ADD CONSTRAINT validation_approvals_region_matches_type CHECK ((approval_type = 'REGIONAL') = (region_id IS NOT NULL));
