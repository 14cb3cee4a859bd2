-- migrate:up
-- A new request's one statement (sql/validation_requests.sql, ValidationRequestCreate) as a
-- plpgsql function, for one reason: its plan. The statement is a CTE of six writes whose parse
-- and plan cost more than it takes to run. pgx's default statement mode prepares it once per
-- connection; the modes a transaction pooler needs (PgBouncer in transaction mode:
-- cache_describe, exec) send it unnamed, and PostgreSQL parses and plans it at every create.
-- plpgsql keeps the plan of its query for the life of the server connection, so in those modes
-- the service sends this call instead (ValidationRequestCreateCall; internal/validation,
-- createStatement) and the server plans a trivial SELECT. In the default mode the prepared
-- statement stays: the call through plpgsql (SPI, a tuplestore for the result) costs more
-- than a plan kept by the connection (bench/results/create-profile.md).
--
-- The body is the statement's text from sql/, every @name bound to p_name, and nothing else: a
-- change to one is a change to both, which TestCreateFunctionIsTheCreateStatement
-- (internal/validation) checks against the migrated database. It returns the statement's columns.
-- A request's columns a create answers with: the function's row type, so sqlc knows its columns
-- (as api_token_holders is api_token_authorize's).
CREATE VIEW validation_request_created AS
SELECT request_id, requestor_id, validation_type, priority, status, target_completion_date,
       trigger_reason, created_at, updated_at, submission_received_date
FROM validation_requests;

CREATE FUNCTION validation_request_create(
    p_requestor_id integer, p_validation_type text, p_priority validation_priority,
    p_target_completion_date date, p_trigger_reason text, p_version_ids integer[],
    p_model_ids integer[], p_region_ids integer[], p_link_version_ids integer[],
    p_audit_action text, p_changes jsonb)
RETURNS SETOF validation_request_created
LANGUAGE plpgsql AS $$
BEGIN
RETURN QUERY
WITH request AS (
    INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date, trigger_reason)
    VALUES (p_requestor_id, p_validation_type, p_priority, p_target_completion_date, p_trigger_reason)
    RETURNING request_id, requestor_id, validation_type, priority, status, target_completion_date,
              trigger_reason, created_at, updated_at, submission_received_date, blocks_models, is_closed
), model_links AS (
    INSERT INTO validation_request_models (request_id, model_id, version_id, blocks_model,
                                           request_is_closed, request_status, request_target_date)
    SELECT request.request_id, link.model_id, NULLIF((p_version_ids::int[])[link.ord::int], 0), request.blocks_models,
           request.is_closed, request.status, request.target_completion_date
    FROM request
    CROSS JOIN unnest(p_model_ids::int[]) WITH ORDINALITY AS link (model_id, ord)
    ORDER BY link.model_id
), region_links AS (
    INSERT INTO validation_request_regions (request_id, region_id)
    SELECT request.request_id, link.region_id
    FROM request
    CROSS JOIN unnest(p_region_ids::int[]) AS link (region_id)
    ORDER BY link.region_id
), locked_versions AS (
    SELECT mv.version_id
    FROM model_versions mv
    WHERE mv.version_id = ANY (p_link_version_ids::int[])
    ORDER BY mv.version_id
    FOR NO KEY UPDATE
), version_links AS (
    UPDATE model_versions v
    SET validation_request_id = request.request_id
    FROM locked_versions, request
    WHERE v.version_id = locked_versions.version_id
), history AS (
    INSERT INTO validation_status_history (request_id, from_status, to_status, reason, changed_by)
    SELECT request.request_id, NULL, request.status, NULL, p_requestor_id
    FROM request
), audit AS (
    INSERT INTO audit_logs (entity_type, entity_id, action, user_id, changes)
    SELECT 'validation_request', request.request_id, p_audit_action::text, p_requestor_id, p_changes
    FROM request
)
SELECT request_id, requestor_id, validation_type, priority, status, target_completion_date,
       trigger_reason, created_at, updated_at, submission_received_date
FROM request;
END
$$;

-- migrate:down
DROP FUNCTION validation_request_create(integer, text, validation_priority, date, text, integer[],
                                        integer[], integer[], integer[], text, jsonb);
DROP VIEW validation_request_created;
