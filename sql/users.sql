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
