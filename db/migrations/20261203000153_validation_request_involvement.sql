-- migrate:up
-- Whether a user owns, or actively delegates for, a model of a request: a USER sees only such
-- requests, and such a user is involved in the request.
CREATE FUNCTION validation_request_visible_to(p_request_id integer, p_user_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
               SELECT 1 FROM validation_request_models l
               JOIN models m ON m.model_id = l.model_id
               WHERE l.request_id = p_request_id AND m.owner_id = p_user_id)
        OR EXISTS (
               SELECT 1 FROM validation_request_models l
               JOIN model_delegates d ON d.model_id = l.model_id AND d.revoked_at IS NULL
               WHERE l.request_id = p_request_id AND d.user_id = p_user_id)
$$;

-- Separation of duties, in one place: a user is involved in a request when they requested it,
-- are assigned to validate it, or own or actively delegate for one of its models. An involved user may not decide its
-- approvals, whatever their role (ADMIN included). Both the decision and the approver queue
-- (GET /approvals?mine=true) ask this function, so the two cannot disagree.
CREATE FUNCTION validation_request_involves(p_request_id integer, p_user_id integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
               SELECT 1 FROM validation_requests vr
               WHERE vr.request_id = p_request_id AND vr.requestor_id = p_user_id)
        OR EXISTS (
               SELECT 1 FROM validation_assignments a
               WHERE a.request_id = p_request_id AND a.validator_id = p_user_id)
        OR validation_request_visible_to(p_request_id, p_user_id)
$$;

-- Who may decide an approval by role, in one place: ADMIN any; a GLOBAL approval a
-- GLOBAL_APPROVER; a REGIONAL or DEPLOYMENT approval a REGIONAL_APPROVER of its region. Both the
-- decision and the approver queue ask this function (and validation_request_involves).
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

-- migrate:down
DROP FUNCTION validation_approval_decidable_by(text, integer, user_role, integer);
DROP FUNCTION validation_request_involves(integer, integer);
DROP FUNCTION validation_request_visible_to(integer, integer);
