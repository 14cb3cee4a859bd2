-- migrate:up
-- The one home of the token rules (docs/backstops.md, "Tokens and users"): a bearer token is good when its row
-- exists, the SHA-256 of the secret sent equals the stored one, it is not revoked, not expired by
-- the database's clock (the one every replica shares), and its user is not disabled. A caller
-- that also names the roles it admits gets insufficient_privilege for any other role.
--
-- It raises instead of returning a flag, so that a statement queued after it in the same
-- pipeline never runs for a bad token: a create sends it at the head of its transaction's first
-- round trip, before the model locks (internal/validation/create.go), and the server skips the
-- rest of a pipeline after an error. Every way of failing raises the same SQLSTATE 28000 with the
-- same message, so a caller learns nothing about which tokens exist.
--
-- The digests are compared with =, not in constant time: the time such a comparison takes can
-- leak how much of the stored digest an attacker's chosen secret's digest matches, which tells
-- nothing about a secret that hashes to it (SHA-256 is preimage-resistant), so constant time
-- buys nothing here.
--
-- plpgsql for its plan: the function's query is planned once per server connection, where the
-- statement a pooler-safe client sends unnamed (PgBouncer in transaction mode) would be planned
-- at every request (bench/results/create-profile.md).
-- A token with what authentication needs of its user: the role, and whether an ADMIN disabled
-- them. The function's row type, so sqlc knows its columns.
CREATE VIEW api_token_holders AS
SELECT k.token_id, k.secret_hash, k.revoked_at, k.expires_at, k.last_used_at, u.user_id, u.role,
       EXISTS (SELECT 1 FROM user_disablements d WHERE d.user_id = u.user_id) AS user_disabled
FROM api_tokens k
JOIN users u ON u.user_id = k.user_id;

CREATE FUNCTION api_token_authorize(p_token_id integer, p_secret_hash bytea, p_roles user_role[])
RETURNS SETOF api_token_holders
LANGUAGE plpgsql STABLE AS $$
DECLARE
    h api_token_holders;
BEGIN
    SELECT * INTO h FROM api_token_holders WHERE token_id = p_token_id;
    IF NOT FOUND OR h.secret_hash <> p_secret_hash OR h.revoked_at IS NOT NULL
       OR h.expires_at <= now() OR h.user_disabled THEN
        RAISE EXCEPTION 'the bearer token is not valid' USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    IF p_roles IS NOT NULL AND NOT h.role = ANY (p_roles) THEN
        RAISE EXCEPTION 'the token''s user may not do this' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEXT h;
END
$$;

-- migrate:down
DROP FUNCTION api_token_authorize(integer, bytea, user_role[]);
DROP VIEW api_token_holders;
