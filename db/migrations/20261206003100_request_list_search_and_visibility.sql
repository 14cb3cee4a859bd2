-- migrate:up
-- The request list's slower filters (docs/lists.md, "The validation request list").

-- q, a case-insensitive substring of a model's name: no b-tree serves a substring, so every
-- search read the models whole (10,000 names lowered and searched per page on the queues
-- benchmark's seed). A trigram index on the lowered name serves `lower(model_name) LIKE
-- '%...%'`, which the list now asks instead of strpos (pg_trgm is a contrib extension, shipped
-- with PostgreSQL; a search shorter than three characters has no trigram and still reads the
-- index whole, which is correct, only slower).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX models_model_name_lower_trgm_idx ON models USING gin (lower(model_name) gin_trgm_ops);

-- What a USER sees, the same set (docs/backstops.md, "What a USER sees, as a set"): the links of
-- the models they own or actively delegate for. Written as a join, the planner hashed the user's
-- models and read validation_request_models whole for an owner of many (a sequential scan of
-- every link: 52,000 for an owner of 1,000 of 10,000 models), so its cost grew with the links of
-- everyone. The user's models are now an array (models_owner_id_idx, model_delegates_user_id_idx,
-- read once), and the links are probed for them through validation_request_models_model_id_idx
-- (model_id, request_id), index-only: the cost follows the caller's own links. A request id
-- pushed into the set (ValidationRequestVisible) is still a probe of
-- validation_request_models_pkey (request_id, model_id), after the array of the user's models.
-- models_owner_id_idx carries model_id, so that array is read index-only (a bitmap heap scan of a
-- hundred pages for an owner of 1,000 models before).
DROP INDEX models_owner_id_idx;
CREATE INDEX models_owner_id_idx ON models (owner_id) INCLUDE (model_id);

CREATE OR REPLACE FUNCTION validation_requests_visible_to(p_user_id integer) RETURNS TABLE (request_id integer)
LANGUAGE sql STABLE AS $$
    SELECT l.request_id
    FROM validation_request_models l
    WHERE l.model_id = ANY (ARRAY(SELECT m.model_id FROM models m WHERE m.owner_id = p_user_id))
    UNION ALL
    SELECT l.request_id
    FROM validation_request_models l
    WHERE l.model_id = ANY (ARRAY(SELECT d.model_id FROM model_delegates d
                                  WHERE d.user_id = p_user_id AND d.revoked_at IS NULL))
$$;

-- migrate:down
DROP INDEX models_owner_id_idx;
CREATE INDEX models_owner_id_idx ON models (owner_id);
CREATE OR REPLACE FUNCTION validation_requests_visible_to(p_user_id integer) RETURNS TABLE (request_id integer)
LANGUAGE sql STABLE AS $$
    SELECT l.request_id
    FROM models m
    JOIN validation_request_models l ON l.model_id = m.model_id
    WHERE m.owner_id = p_user_id
    UNION ALL
    SELECT l.request_id
    FROM model_delegates d
    JOIN validation_request_models l ON l.model_id = d.model_id
    WHERE d.user_id = p_user_id AND d.revoked_at IS NULL
$$;
DROP INDEX models_model_name_lower_trgm_idx;
DROP EXTENSION IF EXISTS pg_trgm;
