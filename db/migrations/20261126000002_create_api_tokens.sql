-- migrate:up
-- Only the SHA-256 hash of a token's secret is stored; the plaintext is shown once at creation.
CREATE TABLE api_tokens (
    token_id     integer GENERATED ALWAYS AS IDENTITY,
    user_id      integer     NOT NULL,
    name         text        NOT NULL,
    secret_hash  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT api_tokens_pkey PRIMARY KEY (token_id),
    CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (user_id),
    CONSTRAINT api_tokens_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT api_tokens_secret_hash_length CHECK (octet_length(secret_hash) = 32)
);

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

-- migrate:down
DROP TABLE api_tokens;
