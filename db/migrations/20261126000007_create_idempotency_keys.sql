-- migrate:up
-- Idempotency-Key replay store. A key is scoped to the user who sent it; the row is written in the
-- same transaction as the work it guards, so a replica that sees the row also sees the work.
-- The body is kept byte for byte (bytea, not jsonb) so a replay is identical to the first answer.
-- Rows older than 24 hours are purged by the service.
CREATE TABLE idempotency_keys (
    user_id         integer     NOT NULL,
    idempotency_key text        NOT NULL,
    request_hash    bytea       NOT NULL,
    response_status integer     NOT NULL,
    response_body   bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, idempotency_key),
    CONSTRAINT idempotency_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (user_id),
    CONSTRAINT idempotency_keys_key_length CHECK (char_length(idempotency_key) BETWEEN 1 AND 200)
);

-- Serves the periodic purge of expired keys.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- migrate:down
DROP TABLE idempotency_keys;
