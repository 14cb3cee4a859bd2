-- migrate:up
-- The approver's queue (GET /approvals?mine=true) read in order and stopped at its page
-- (docs/backstops.md, "Who may decide, as sets"). validation_approvals_decidable_by was a UNION ALL
-- with one branch per role, each with its own WHERE. PostgreSQL never flattens a UNION ALL member
-- that has a WHERE into the query around it (an append member may not carry quals), so the queue
-- planned the surviving branch as a subquery of its own, blind to the queue's ORDER BY: every
-- pending approval the role decides (3,000 to 6,000 on the queues benchmark's seed) was read,
-- probed and sorted to keep 51 (bench/results/queues-explain.md). One SELECT whose WHERE is an OR
-- of the three roles is inlined and flattened like a plain table: with the caller's role as a
-- value, the OR folds to that role's predicate alone (ADMIN: none; GLOBAL_APPROVER: GLOBAL ones;
-- REGIONAL_APPROVER: non-GLOBAL ones of its regions, a hashed lookup of its user_regions rows),
-- and the queue walks validation_approvals_pending_idx in approval_id order, stopping at the page.
-- The rule is unchanged: ADMIN any; a GLOBAL approval a GLOBAL_APPROVER; a REGIONAL or DEPLOYMENT
-- approval a REGIONAL_APPROVER of its region (user_regions' primary key is (user_id, region_id),
-- so the join it replaces never doubled a row either).
CREATE OR REPLACE FUNCTION validation_approvals_decidable_by(p_role user_role, p_user_id integer)
RETURNS TABLE (approval_id integer, request_id integer, approval_type text, region_id integer,
               status text, created_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, a.status, a.created_at
    FROM validation_approvals a
    WHERE p_role = 'ADMIN'
       OR (p_role = 'GLOBAL_APPROVER' AND a.approval_type = 'GLOBAL')
       OR (p_role = 'REGIONAL_APPROVER' AND a.approval_type <> 'GLOBAL'
           AND a.region_id IN (SELECT ur.region_id FROM user_regions ur WHERE ur.user_id = p_user_id))
$$;

-- The queue sorted by creation (sort=created_at), keyset on (created_at, approval_id): the pending
-- approvals in that order, so that page stops early too instead of stepping over every decided
-- approval in validation_approvals_created_at_idx.
CREATE INDEX validation_approvals_pending_created_idx ON validation_approvals (created_at, approval_id)
    WHERE status = 'PENDING';

-- The REGIONAL_APPROVER branch of the UNION ALL was driven from user_regions through this index;
-- the queue now walks the pending approvals in id order and filters by region, and no other
-- statement reads it.
DROP INDEX validation_approvals_pending_region_idx;

-- migrate:down
CREATE INDEX validation_approvals_pending_region_idx ON validation_approvals (region_id, approval_id)
    WHERE status = 'PENDING';
DROP INDEX validation_approvals_pending_created_idx;
CREATE OR REPLACE FUNCTION validation_approvals_decidable_by(p_role user_role, p_user_id integer)
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
