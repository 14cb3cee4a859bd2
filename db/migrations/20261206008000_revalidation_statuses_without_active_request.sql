-- migrate:up
-- Which revalidation statuses a model reaches only without an active request, beside the rule
-- that says so (revalidation_status, 20261205001100: REVALIDATION_OVERDUE, SHOULD_CREATE_REQUEST
-- and UPCOMING are its branches after "an active request" has been ruled out). The report's
-- status filter asks it (sql/revalidation.sql): when every status asked for is one of them, the
-- models with a blocking link are skipped before their schedules are computed. An immutable SQL
-- function of one expression: inlined, and planned for the values sent it folds to a constant.
-- A change to revalidation_status's branches changes this list with it.
CREATE FUNCTION revalidation_statuses_without_active_request(p_statuses text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT p_statuses <@ ARRAY['REVALIDATION_OVERDUE', 'SHOULD_CREATE_REQUEST', 'UPCOMING']::text[]
$$;

-- migrate:down
DROP FUNCTION revalidation_statuses_without_active_request(text[]);
