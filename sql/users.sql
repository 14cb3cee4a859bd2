-- name: UserCreate :one
INSERT INTO users (email, full_name, role)
VALUES (@email, @full_name, @role)
RETURNING user_id, email, full_name, role, created_at;

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

-- name: UserDirectoryGet :one
-- One user as the directory and GET /users/me show it: its regions (user_regions_pkey, which leads
-- with user_id) and whether it is disabled (user_disablements_pkey), both primary-key lookups.
SELECT u.user_id, u.email, u.full_name, u.role, u.created_at,
       ARRAY(SELECT ur.region_id FROM user_regions ur WHERE ur.user_id = u.user_id ORDER BY ur.region_id)::int[] AS region_ids,
       EXISTS (SELECT 1 FROM user_disablements d WHERE d.user_id = u.user_id) AS disabled
FROM users u
WHERE u.user_id = @user_id;

-- name: UserDirectoryList :many
-- The users directory (GET /users): keyset pagination on the primary key, the columns of
-- UserDirectoryGet. Every filter is optional (NULL = not filtered).
-- role: compared on the row; users is small (hundreds of people, not a growing table), so a walk
-- of users_pkey in order is the plan for every filter, and no index is added for it.
-- region_id: the users who belong to the region (only REGIONAL_APPROVERs do), a primary-key probe
-- of user_regions per user.
-- q: a case-insensitive substring of the email or the full name. strpos, not LIKE, so the
-- client's % and _ are plain characters. No b-tree can serve a substring match: this is a scan of
-- users, acceptable for its size; a trigram index (pg_trgm) is the answer should it grow.
-- disabled: a primary-key probe of user_disablements.
SELECT u.user_id, u.email, u.full_name, u.role, u.created_at,
       ARRAY(SELECT ur.region_id FROM user_regions ur WHERE ur.user_id = u.user_id ORDER BY ur.region_id)::int[] AS region_ids,
       EXISTS (SELECT 1 FROM user_disablements d WHERE d.user_id = u.user_id) AS disabled
FROM users u
WHERE u.user_id > @after_id
  AND (sqlc.narg('role')::user_role IS NULL OR u.role = sqlc.narg('role')::user_role)
  AND (sqlc.narg('region_id')::int IS NULL
       OR EXISTS (SELECT 1 FROM user_regions ur WHERE ur.user_id = u.user_id AND ur.region_id = sqlc.narg('region_id')::int))
  AND (sqlc.narg('q')::text IS NULL
       OR strpos(lower(u.email), lower(sqlc.narg('q')::text)) > 0
       OR strpos(lower(u.full_name), lower(sqlc.narg('q')::text)) > 0)
  AND (sqlc.narg('disabled')::boolean IS NULL
       OR EXISTS (SELECT 1 FROM user_disablements d WHERE d.user_id = u.user_id) = sqlc.narg('disabled')::boolean)
ORDER BY u.user_id
LIMIT @page_limit;

-- name: UserDirectoryCount :one
-- How many users UserDirectoryList would list over all its pages, for a CSV export, which is
-- refused over EXPORT_MAX_ROWS before any row is sent. The same filters, word for word.
SELECT count(*)
FROM users u
WHERE (sqlc.narg('role')::user_role IS NULL OR u.role = sqlc.narg('role')::user_role)
  AND (sqlc.narg('region_id')::int IS NULL
       OR EXISTS (SELECT 1 FROM user_regions ur WHERE ur.user_id = u.user_id AND ur.region_id = sqlc.narg('region_id')::int))
  AND (sqlc.narg('q')::text IS NULL
       OR strpos(lower(u.email), lower(sqlc.narg('q')::text)) > 0
       OR strpos(lower(u.full_name), lower(sqlc.narg('q')::text)) > 0)
  AND (sqlc.narg('disabled')::boolean IS NULL
       OR EXISTS (SELECT 1 FROM user_disablements d WHERE d.user_id = u.user_id) = sqlc.narg('disabled')::boolean);
