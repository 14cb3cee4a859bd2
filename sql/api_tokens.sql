-- name: APITokenCreate :one
-- expires_at is the caller's, else ttl_seconds from now (the database's clock, the one
-- authentication compares with); LEAST caps that default at not_after, the expiry of the token
-- the request came with (NULL from the command line, which LEAST ignores), so a token never
-- mints one that outlives it. An explicit expires_at past not_after is refused before this runs;
-- one in the past violates api_tokens_expires_after_created.
INSERT INTO api_tokens (user_id, name, secret_hash, expires_at)
VALUES (@user_id, @name, @secret_hash,
        LEAST(coalesce(sqlc.narg('expires_at')::timestamptz, now() + make_interval(secs => @ttl_seconds::bigint)),
              sqlc.narg('not_after')::timestamptz))
RETURNING token_id, user_id, name, created_at, expires_at;

-- name: APITokenAuthorize :one
-- Authentication, one statement: api_token_authorize (migration 20261206000100) raises 28000 for
-- a bad token and 42501 for a role outside roles (NULL: any role), so a statement queued behind
-- it in a pipeline runs only for a good one. last_used_at tells the caller whether to record the
-- use (APITokenTouch).
SELECT a.user_id, a.role, a.expires_at, a.last_used_at
FROM api_token_authorize(@token_id::int, @secret_hash::bytea, sqlc.narg('roles')::text[]::user_role[]) a;

-- name: APITokenTouch :exec
-- Records use at most once a minute per token (the guard makes a repeat a no-op), so reads do not
-- turn into a write on every request.
UPDATE api_tokens
SET last_used_at = now()
WHERE token_id = @token_id
  AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: APITokenGetForUpdate :one
-- FOR UPDATE: revocation reads then writes the row; the lock makes two revokes serialise.
SELECT token_id, user_id, name, created_at, revoked_at
FROM api_tokens
WHERE token_id = @token_id
FOR UPDATE;

-- name: APITokenRevoke :exec
UPDATE api_tokens
SET revoked_at = now()
WHERE token_id = @token_id AND revoked_at IS NULL;

-- name: APITokensRevokeForUser :many
-- Revokes every live token of a user (DELETE /users/{user_id}/tokens), through
-- api_tokens_user_id_idx. The row locks make a concurrent single revoke of one of them wait, and
-- then find it revoked.
UPDATE api_tokens
SET revoked_at = now()
WHERE user_id = @user_id AND revoked_at IS NULL
RETURNING token_id, name;

-- name: APITokensRevokeByName :many
-- Revokes a user's live tokens of one name: `serve --dev` revokes the development token it
-- printed last time before printing a new one. Through api_tokens_user_id_idx (a user has few
-- tokens).
UPDATE api_tokens
SET revoked_at = now()
WHERE user_id = @user_id AND name = @name AND revoked_at IS NULL
RETURNING token_id;
