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

-- migrate:down
DROP FUNCTION validation_request_involves(integer, integer);
DROP FUNCTION validation_request_visible_to(integer, integer);
