-- migrate:up
-- The approver's queue at scale (docs/backstops.md, "Who may decide, as sets"). The rules of
-- 20261203000153 were scalar functions with EXISTS inside: PostgreSQL never inlines a scalar SQL
-- function whose body has a subquery, so `GET /approvals?mine=true` called them once per
-- approval, and no index could serve them (bench/results/approvals-queue-explain.md). Each rule
-- now has one home in a set-returning SQL function the planner inlines into the query that uses
-- it (LANGUAGE sql, STABLE, not STRICT, one SELECT): a UNION ALL with one branch per case, each
-- branch a predicate an index serves. The scalar functions stay, with the same names and
-- answers, as one-row questions asked of the sets (the decision path, and any single-row check).

-- What a USER sees is validation_requests_visible_to(user), from 20261205000500 (the request
-- list's migration); the sets below build on it.

-- Separation of duties: the requests a user is involved in — requested
-- (validation_requests_requestor_id_idx), assigned to validate
-- (validation_assignments_validator_request_idx, from 20261205000500), or of a model they own or actively delegate for.
-- An involved user never decides the request's approvals, whatever the role (ADMIN included).
-- A request may appear more than once; callers ask EXISTS / NOT EXISTS.
CREATE FUNCTION validation_requests_involving(p_user_id integer) RETURNS TABLE (request_id integer)
LANGUAGE sql STABLE AS $$
    SELECT vr.request_id FROM validation_requests vr WHERE vr.requestor_id = p_user_id
    UNION ALL
    SELECT a.request_id FROM validation_assignments a WHERE a.validator_id = p_user_id
    UNION ALL
    SELECT v.request_id FROM validation_requests_visible_to(p_user_id) v
$$;

-- Who may decide which approvals by role: ADMIN any; a GLOBAL approval a GLOBAL_APPROVER; a
-- REGIONAL or DEPLOYMENT approval a REGIONAL_APPROVER of its region. One branch per role, each
-- gated by a comparison of the parameter alone (a one-time filter: the other branches never
-- run). A caller filtering on status = 'PENDING' gets it pushed into each branch, where a partial
-- index serves it: validation_approvals_pending_idx (ADMIN),
-- validation_approvals_one_pending_global_key (GLOBAL_APPROVER: its predicate is exactly "GLOBAL
-- and PENDING"), validation_approvals_pending_region_idx driven from the approver's user_regions
-- rows (REGIONAL_APPROVER).
CREATE FUNCTION validation_approvals_decidable_by(p_role user_role, p_user_id integer)
RETURNS TABLE (approval_id integer, request_id integer, approval_type text, region_id integer,
               status text, created_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, a.status, a.created_at
    FROM validation_approvals a
    WHERE p_role = 'ADMIN'
    UNION ALL
    SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, a.status, a.created_at
    FROM validation_approvals a
    WHERE p_role = 'GLOBAL_APPROVER' AND a.approval_type = 'GLOBAL'
    UNION ALL
    SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, a.status, a.created_at
    FROM user_regions ur
    JOIN validation_approvals a ON a.region_id = ur.region_id
    WHERE p_role = 'REGIONAL_APPROVER' AND ur.user_id = p_user_id AND a.approval_type <> 'GLOBAL'
$$;

-- The one-row questions, asked of the sets above (the request or approval id is pushed into
-- every branch, so each is a few primary-key or index probes). Never call them per row of a
-- growing table: join the set instead.
CREATE OR REPLACE FUNCTION validation_request_involves(p_request_id integer, p_user_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM validation_requests_involving(p_user_id) i WHERE i.request_id = p_request_id)
$$;

-- By approval id rather than by (type, region): the set holds the rule.
CREATE FUNCTION validation_approval_decidable(p_approval_id integer, p_role user_role, p_user_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM validation_approvals_decidable_by(p_role, p_user_id) d WHERE d.approval_id = p_approval_id)
$$;

-- The (type, region) form is gone: it judged a kind of approval, not an approval, so it could
-- not be a question asked of the set, and a second home of the rule is how the two drift apart.
DROP FUNCTION validation_approval_decidable_by(text, integer, user_role, integer);

-- Pending approvals by region: a REGIONAL_APPROVER's branch of validation_approvals_decidable_by.
CREATE INDEX validation_approvals_pending_region_idx ON validation_approvals (region_id, approval_id)
    WHERE status = 'PENDING';
-- GET /approvals?sort=created_at (oldest first), keyset on (created_at, approval_id).
CREATE INDEX validation_approvals_created_at_idx ON validation_approvals (created_at, approval_id);

-- migrate:down
DROP INDEX validation_approvals_created_at_idx;
DROP INDEX validation_approvals_pending_region_idx;
CREATE OR REPLACE FUNCTION validation_request_involves(p_request_id integer, p_user_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
               SELECT 1 FROM validation_requests vr
               WHERE vr.request_id = p_request_id AND vr.requestor_id = p_user_id)
        OR EXISTS (
               SELECT 1 FROM validation_assignments a
               WHERE a.request_id = p_request_id AND a.validator_id = p_user_id)
        OR validation_request_visible_to(p_request_id, p_user_id)
$$;
CREATE FUNCTION validation_approval_decidable_by(
    p_approval_type text, p_region_id integer, p_role user_role, p_user_id integer
) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
               WHEN p_role = 'ADMIN' THEN true
               WHEN p_approval_type = 'GLOBAL' THEN p_role = 'GLOBAL_APPROVER'
               ELSE p_role = 'REGIONAL_APPROVER' AND EXISTS (
                   SELECT 1 FROM user_regions ur
                   WHERE ur.user_id = p_user_id AND ur.region_id = p_region_id)
           END
$$;
DROP FUNCTION validation_approval_decidable(integer, user_role, integer);
DROP FUNCTION validation_approvals_decidable_by(user_role, integer);
DROP FUNCTION validation_requests_involving(integer);
