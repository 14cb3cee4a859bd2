-- migrate:up
-- Every mutation writes one row here in the same transaction as the change it records.
-- user_id is NULL only for actions taken by the operator's command line (e.g. the first admin).
CREATE TABLE audit_logs (
    audit_id    bigint GENERATED ALWAYS AS IDENTITY,
    entity_type text        NOT NULL,
    entity_id   integer     NOT NULL,
    action      text        NOT NULL,
    user_id     integer,
    changes     jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_logs_pkey PRIMARY KEY (audit_id),
    CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (user_id),
    CONSTRAINT audit_logs_entity_type_known CHECK (entity_type IN (
        'user', 'api_token', 'region', 'model', 'model_version', 'validation_request', 'deployment_task')),
    CONSTRAINT audit_logs_action_upper_snake CHECK (action ~ '^[A-Z][A-Z_]*$')
);

-- Each filter of GET /audit-logs has an index ending in audit_id, so a filtered page is one
-- index range scan in the listing's newest-first order.
CREATE INDEX audit_logs_entity_idx ON audit_logs (entity_type, entity_id, audit_id);
CREATE INDEX audit_logs_action_idx ON audit_logs (action, audit_id);
CREATE INDEX audit_logs_user_id_idx ON audit_logs (user_id, audit_id);

-- migrate:down
DROP TABLE audit_logs;
