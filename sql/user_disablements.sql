-- name: UserDisablementCreate :execrows
-- Disables a user; no row when the user is already disabled (the primary key makes a concurrent
-- second disable wait for the first and then do nothing, so each change is audited once).
INSERT INTO user_disablements (user_id, disabled_by)
VALUES (@user_id, sqlc.narg('disabled_by'))
ON CONFLICT (user_id) DO NOTHING;

-- name: UserDisablementDelete :execrows
-- Enables a user; no row when the user was not disabled.
DELETE FROM user_disablements
WHERE user_id = @user_id;
