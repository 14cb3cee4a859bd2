-- name: IdempotencyKeyClaim :one
-- Claims a key at the start of the transaction that does the guarded work. A concurrent request
-- with the same key waits here on the primary key until the first transaction ends; if that one
-- committed, nothing is returned (no error, the transaction stays usable) and the caller replays
-- the stored answer. An expired row (older than 24 hours) is taken over as if it were absent.
INSERT INTO idempotency_keys AS k (user_id, idempotency_key, request_hash, response_status, response_body)
VALUES (@user_id, @idempotency_key, @request_hash, 0, '')
ON CONFLICT (user_id, idempotency_key) DO UPDATE
SET request_hash = excluded.request_hash,
    response_status = 0,
    response_body = '',
    created_at = now()
WHERE k.created_at < now() - interval '24 hours'
RETURNING true AS claimed;

-- name: IdempotencyKeyGet :one
SELECT request_hash, response_status, response_body
FROM idempotency_keys
WHERE user_id = @user_id AND idempotency_key = @idempotency_key;

-- name: IdempotencyKeyComplete :exec
-- Stores the answer in the same transaction as the work, just before it commits.
UPDATE idempotency_keys
SET response_status = @response_status, response_body = @response_body
WHERE user_id = @user_id AND idempotency_key = @idempotency_key;

-- name: IdempotencyKeyDeleteExpired :execrows
DELETE FROM idempotency_keys
WHERE created_at < now() - interval '24 hours';
