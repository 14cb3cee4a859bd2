-- name: APITokenCreate :one
INSERT INTO api_tokens (user_id, name, secret_hash)
VALUES (@user_id, @name, @secret_hash)
RETURNING token_id, user_id, name, created_at;

-- name: APITokenAuthenticate :one
-- One round trip per authenticated request: the token row by primary key plus its user. The
-- caller compares secret_hash in constant time and rejects revoked tokens itself, so every failure
-- takes the same path.
SELECT t.token_id, t.secret_hash, t.revoked_at, t.last_used_at,
       u.user_id, u.email, u.full_name, u.role, u.created_at
FROM api_tokens t
JOIN users u ON u.user_id = t.user_id
WHERE t.token_id = @token_id;

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
