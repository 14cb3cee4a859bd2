-- migrate:up
-- The REVALIDATION_OVERDUE read of a target completion date (sql/validation_requests.sql,
-- ValidationTargetOverdue; docs/rules.md, "Target-date warnings"), kept in a plpgsql function for
-- one reason: its plan. The query reads the view model_revalidation_schedule (the one home of the
-- schedule's dates; this function only filters it), whose three lateral subqueries cost about
-- 1 ms to plan and 0.1 ms to run. A statement sent unnamed — pgx's cache_describe and exec modes,
-- which a transaction pooler such as PgBouncer needs — is planned at every execution; plpgsql
-- keeps the plan of its query for the life of the server connection (a generic plan after five
-- executions), so the statement the service sends is a trivial call, whichever mode it runs in
-- (bench/results/create-profile.md). Called once per statement with the models as one array, in
-- FROM: never per row. The filter on the view's model_id reaches models_pkey, and the view's
-- laterals run per model on validation_request_models_model_id_idx and
-- validation_request_models_one_blocking_key.
-- It returns the view's own rows (its row type), so the columns have one definition.
CREATE FUNCTION validation_target_overdue(p_target date, p_model_ids integer[], p_models_of integer)
RETURNS SETOF model_revalidation_schedule
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT s.*
    FROM model_revalidation_schedule s
    WHERE s.model_id = ANY (p_model_ids || ARRAY(
              SELECT vrm.model_id FROM validation_request_models vrm WHERE vrm.request_id = p_models_of))
      AND s.validation_due < p_target;
END
$$;

-- migrate:down
DROP FUNCTION validation_target_overdue(date, integer[], integer);
