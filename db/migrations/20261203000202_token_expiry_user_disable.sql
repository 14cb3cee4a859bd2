-- migrate:up
-- The users an ADMIN has disabled: their tokens are refused on every request (authentication
-- reads this table with the token, so a disable takes effect at once on every replica). A row of
-- its own rather than a column of users, so the users rows and their queries stay as they are;
-- enabling deletes the row (the audit log keeps the history).
CREATE TABLE user_disablements (
    user_id     integer     NOT NULL,
    disabled_by integer,
    disabled_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_disablements_pkey PRIMARY KEY (user_id),
    CONSTRAINT user_disablements_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (user_id),
    CONSTRAINT user_disablements_disabled_by_fkey FOREIGN KEY (disabled_by) REFERENCES users (user_id)
);
-- disabled_by's foreign key checks when a user row is deleted (users are never deleted; the index
-- keeps such a check from scanning).
CREATE INDEX user_disablements_disabled_by_idx ON user_disablements (disabled_by);

-- Every token expires. Tokens issued before expiry existed get 90 days from this migration (the
-- default TOKEN_TTL), so no client is locked out by the upgrade; new tokens get theirs at creation.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
-- A token that expires before it exists is a client's mistake (an expires_at in the past): the
-- service answers its violation as invalid_request on expires_at.
ALTER TABLE api_tokens
    ADD CONSTRAINT api_tokens_expires_after_created CHECK (expires_at > created_at);

-- migrate:down
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_expires_after_created;
ALTER TABLE api_tokens DROP COLUMN expires_at;
DROP TABLE user_disablements;
