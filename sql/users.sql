-- name: UserCreate :one
INSERT INTO users (email, full_name, role)
VALUES (@email, @full_name, @role)
RETURNING user_id, email, full_name, role, created_at;

-- name: UserGetByID :one
SELECT user_id, email, full_name, role, created_at
FROM users
WHERE user_id = @user_id;

-- name: UserGetByEmail :one
-- lower(email) matches the expression of users_email_lower_key, so this is an index lookup.
SELECT user_id, email, full_name, role, created_at
FROM users
WHERE lower(email) = lower(@email);

-- name: UserExists :one
SELECT EXISTS (SELECT 1 FROM users WHERE user_id = @user_id);

-- name: UserRegionsAdd :exec
-- The regions of a new REGIONAL_APPROVER (user_regions refuses any other role through its
-- composite foreign key).
INSERT INTO user_regions (user_id, region_id)
SELECT @user_id, r
FROM unnest(@region_ids::int[]) AS r
ORDER BY r;

-- name: UserRegionIDs :many
SELECT region_id
FROM user_regions
WHERE user_id = @user_id
ORDER BY region_id;
