\restrict dbmate

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;


--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';


--
-- Name: deployment_task_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.deployment_task_status AS ENUM (
    'PENDING',
    'ADJUSTED',
    'CONFIRMED',
    'CANCELLED'
);


--
-- Name: user_role; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.user_role AS ENUM (
    'ADMIN',
    'VALIDATOR',
    'USER',
    'GLOBAL_APPROVER',
    'REGIONAL_APPROVER'
);


--
-- Name: validation_priority; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.validation_priority AS ENUM (
    'URGENT',
    'HIGH',
    'MEDIUM',
    'LOW'
);


--
-- Name: version_scope; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.version_scope AS ENUM (
    'GLOBAL',
    'REGIONAL'
);


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_tokens (
    token_id integer NOT NULL,
    user_id integer NOT NULL,
    name text NOT NULL,
    secret_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT api_tokens_expires_after_created CHECK ((expires_at > created_at)),
    CONSTRAINT api_tokens_name_length CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT api_tokens_secret_hash_length CHECK ((octet_length(secret_hash) = 32))
);


--
-- Name: user_disablements; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_disablements (
    user_id integer NOT NULL,
    disabled_by integer,
    disabled_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    user_id integer NOT NULL,
    email text NOT NULL,
    full_name text NOT NULL,
    role public.user_role NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_email_length CHECK (((char_length(email) >= 3) AND (char_length(email) <= 200))),
    CONSTRAINT users_full_name_length CHECK (((char_length(full_name) >= 1) AND (char_length(full_name) <= 200)))
);


--
-- Name: api_token_holders; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.api_token_holders AS
 SELECT k.token_id,
    k.secret_hash,
    k.revoked_at,
    k.expires_at,
    k.last_used_at,
    u.user_id,
    u.role,
    (EXISTS ( SELECT 1
           FROM public.user_disablements d
          WHERE (d.user_id = u.user_id))) AS user_disabled
   FROM (public.api_tokens k
     JOIN public.users u ON ((u.user_id = k.user_id)));


--
-- Name: api_token_authorize(integer, bytea, public.user_role[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.api_token_authorize(p_token_id integer, p_secret_hash bytea, p_roles public.user_role[]) RETURNS SETOF public.api_token_holders
    LANGUAGE plpgsql STABLE
    AS $$
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


--
-- Name: audit_logs_refuse_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_logs_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;


--
-- Name: regions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.regions (
    region_id integer NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    requires_regional_approval boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT regions_code_length CHECK (((char_length(code) >= 1) AND (char_length(code) <= 200))),
    CONSTRAINT regions_name_length CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200)))
);


--
-- Name: deployment_regions_requiring_approval(integer, integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.deployment_regions_requiring_approval(p_request_id integer, p_model_id integer, p_region_id integer) RETURNS SETOF public.regions
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT r.region_id, r.code, r.name, r.requires_regional_approval, r.created_at
    FROM model_regions mr
    JOIN regions r ON r.region_id = mr.region_id
    WHERE mr.model_id = p_model_id
      AND (p_region_id IS NULL OR mr.region_id = p_region_id)
      AND r.requires_regional_approval
      AND NOT EXISTS (
          SELECT 1 FROM validation_approval_scope(p_request_id) s
          WHERE s.region_id = r.region_id
      )
$$;


--
-- Name: model_ready_flush(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.model_ready_flush() RETURNS trigger
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
DECLARE
    marked integer[] := nullif(current_setting('mrmflow.ready_models', true), '')::integer[];
BEGIN
    IF marked IS NULL OR cardinality(marked) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('mrmflow.ready_models', '', true);
    PERFORM 1
    FROM model_ready_counts c
    WHERE c.model_id = ANY (marked)
    ORDER BY c.model_id
    FOR UPDATE;
    UPDATE model_ready_counts c
    SET ready_rows = (SELECT count(*) FROM deployment_readiness r WHERE r.model_id = c.model_id)
    WHERE c.model_id = ANY (marked);
    RETURN NULL;
END;
$$;


--
-- Name: model_ready_mark(integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.model_ready_mark(p_model_ids integer[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF cardinality(p_model_ids) > 0 THEN
        PERFORM set_config('mrmflow.ready_models', ARRAY(
            SELECT DISTINCT m
            FROM unnest(coalesce(nullif(current_setting('mrmflow.ready_models', true), '')::integer[], '{}') || p_model_ids) AS m
            WHERE m IS NOT NULL
        )::text, true);
    END IF;
END;
$$;


--
-- Name: model_regions_ready_mark(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.model_regions_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a model's region added or removed: the model
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT n.model_id FROM new_rows n));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT o.model_id FROM old_rows o));
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: model_version_regions_ready_mark(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.model_version_regions_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a version's region added or removed: the version's model
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT v.model_id FROM new_rows n JOIN model_versions v ON v.version_id = n.version_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT v.model_id FROM old_rows o JOIN model_versions v ON v.version_id = o.version_id));
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: model_versions_keep_request_status(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.model_versions_keep_request_status() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.validation_request_id IS NULL THEN
        DELETE FROM model_version_request_status WHERE version_id = NEW.version_id;
    ELSE
        INSERT INTO model_version_request_status (version_id, model_id, request_id, request_status,
                                                  request_status_entered_on)
        SELECT NEW.version_id, NEW.model_id, vr.request_id, vr.status, vr.status_entered_on
        FROM validation_requests vr
        WHERE vr.request_id = NEW.validation_request_id
        ON CONFLICT (version_id) DO UPDATE
        SET request_id = EXCLUDED.request_id, request_status = EXCLUDED.request_status,
            request_status_entered_on = EXCLUDED.request_status_entered_on;
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: model_versions_ready_mark(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.model_versions_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a version a request covers, before or after: its model (its request, scope or model may
    -- have changed)
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT n.model_id FROM new_rows n WHERE n.validation_request_id IS NOT NULL));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT o.model_id FROM old_rows o WHERE o.validation_request_id IS NOT NULL));
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: models_ready_count_create(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.models_ready_count_create() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO model_ready_counts (model_id, ready_rows) VALUES (NEW.model_id, 0);
    RETURN NULL;
END;
$$;


--
-- Name: report_rule_exceptions(text, integer, integer, integer, integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.report_rule_exceptions(p_kind text, p_after_request_id integer, p_after_kind_order integer, p_after_model_id integer, p_after_region_id integer, p_page_limit integer) RETURNS TABLE(kind_order integer, kind text, request_id integer, model_id integer, region_id integer, detected_from bigint, status_then text)
    LANGUAGE plpgsql STABLE ROWS 20
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH models_changed AS (
        SELECT ma.request_id, l.model_id, ma.audit_id, ma.status_then
        FROM (
            SELECT al.entity_id AS request_id, al.audit_id,
                   coalesce(al.changes ->> 'status', (
                       SELECT h.to_status
                       FROM validation_status_history h
                       WHERE h.request_id = al.entity_id
                         AND h.changed_at <= al.created_at
                       ORDER BY h.changed_at DESC, h.history_id DESC
                       LIMIT 1
                   ), 'INTAKE') AS status_then
            FROM audit_logs al
            WHERE al.action = 'VALIDATION_MODELS_CHANGED'
              AND al.entity_type = 'validation_request'
              -- the candidates (audit_logs_models_changed_candidates_idx): a change recorded
              -- outside INTAKE and PLANNING, or one that records no status
              AND coalesce(al.changes ->> 'status', '') NOT IN ('INTAKE', 'PLANNING')
              AND al.entity_id >= p_after_request_id
              AND (p_kind IS NULL OR p_kind = 'MODELS_CHANGED_OUTSIDE_PLANNING')
            OFFSET 0
        ) ma
        CROSS JOIN LATERAL (
            SELECT vrm.model_id
            FROM audit_logs cur
            JOIN validation_request_models vrm ON vrm.request_id = ma.request_id
            WHERE cur.audit_id = ma.audit_id
              AND cur.changes -> 'added' @> to_jsonb(vrm.model_id)
              AND NOT EXISTS (
                  SELECT 1
                  FROM audit_logs later
                  WHERE later.action = 'VALIDATION_MODELS_CHANGED'
                    AND later.entity_type = 'validation_request'
                    AND later.entity_id = ma.request_id
                    AND later.audit_id > ma.audit_id
                    AND later.changes -> 'added' @> to_jsonb(vrm.model_id)
              )
            OFFSET 0
        ) l
        WHERE ma.status_then NOT IN ('INTAKE', 'PLANNING')
          AND (ma.request_id, 1, l.model_id, 0)
              > (p_after_request_id, p_after_kind_order, p_after_model_id, p_after_region_id)
        ORDER BY ma.request_id, l.model_id
        LIMIT p_page_limit
    ),
    regions_outside AS (
        SELECT scoped.request_id, x.model_id, x.region_id
        FROM validation_requests scoped
        CROSS JOIN LATERAL (
            SELECT vrm.model_id, vrr.region_id
            FROM validation_request_regions vrr
            JOIN validation_request_models vrm ON vrm.request_id = vrr.request_id
            WHERE vrr.request_id = scoped.request_id
              AND NOT EXISTS (
                  SELECT 1 FROM model_regions mr
                  WHERE mr.model_id = vrm.model_id AND mr.region_id = vrr.region_id
              )
            OFFSET 0
        ) x
        WHERE NOT scoped.is_closed
          AND scoped.request_id >= p_after_request_id
          AND (p_kind IS NULL OR p_kind = 'REGION_OUTSIDE_MODEL_SCOPE')
          AND (scoped.request_id, 2, x.model_id, x.region_id)
              > (p_after_request_id, p_after_kind_order, p_after_model_id, p_after_region_id)
        ORDER BY scoped.request_id, x.model_id, x.region_id
        LIMIT p_page_limit
    ),
    exceptions AS (
        SELECT 1 AS kind_order, 'MODELS_CHANGED_OUTSIDE_PLANNING'::text AS kind, mc.request_id, mc.model_id,
               NULL::int AS region_id, mc.audit_id AS detected_from, mc.status_then
        FROM models_changed mc
        UNION ALL
        SELECT 2, 'REGION_OUTSIDE_MODEL_SCOPE'::text, ro.request_id, ro.model_id, ro.region_id, NULL::bigint, NULL::text
        FROM regions_outside ro
    )
    SELECT e.kind_order, e.kind, e.request_id, e.model_id, e.region_id, e.detected_from, e.status_then
    FROM exceptions e
    ORDER BY e.request_id, e.kind_order, e.model_id, coalesce(e.region_id, 0)
    LIMIT p_page_limit;
END
$$;


--
-- Name: revalidation_status(text, integer, integer, integer, date, date, date, date, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.revalidation_status(p_risk_tier text, p_last_validation_request_id integer, p_interim_request_id integer, p_active_request_id integer, p_submission_received_date date, p_submission_due date, p_grace_period_end date, p_validation_due date, p_as_of date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE
        WHEN p_risk_tier IS NULL THEN 'NO_POLICY'
        WHEN p_last_validation_request_id IS NULL AND p_interim_request_id IS NULL THEN 'NEVER_VALIDATED'
        WHEN p_last_validation_request_id IS NULL THEN CASE
            WHEN p_as_of > p_validation_due THEN 'INTERIM_EXPIRED'
            WHEN p_as_of > p_submission_due THEN 'INTERIM_SUBMISSION_OVERDUE'
            ELSE 'INTERIM_ACTIVE' END
        WHEN p_active_request_id IS NOT NULL AND p_submission_received_date IS NULL THEN CASE
            WHEN p_as_of > p_grace_period_end THEN 'SUBMISSION_OVERDUE'
            WHEN p_as_of > p_submission_due THEN 'IN_GRACE_PERIOD'
            ELSE 'AWAITING_SUBMISSION' END
        WHEN p_active_request_id IS NOT NULL THEN CASE
            WHEN p_as_of > p_validation_due THEN 'VALIDATION_OVERDUE'
            ELSE 'VALIDATION_IN_PROGRESS' END
        WHEN p_as_of > p_validation_due THEN 'REVALIDATION_OVERDUE'
        WHEN p_as_of > p_grace_period_end THEN 'SHOULD_CREATE_REQUEST'
        ELSE 'UPCOMING'
    END
$$;


--
-- Name: revalidation_statuses_without_active_request(text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.revalidation_statuses_without_active_request(p_statuses text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT p_statuses <@ ARRAY['REVALIDATION_OVERDUE', 'SHOULD_CREATE_REQUEST', 'UPCOMING']::text[]
$$;


--
-- Name: summary_for_user(public.user_role, integer, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.summary_for_user(p_role public.user_role, p_user_id integer, p_as_of date) RETURNS TABLE(approvals_to_decide bigint, tasks_overdue bigint, tasks_due_this_week bigint, ready_to_deploy bigint, requests_as_primary bigint, reviews_waiting bigint, unassigned_requests bigint, overdue_requests bigint)
    LANGUAGE plpgsql STABLE ROWS 1
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH my_models AS MATERIALIZED (
        SELECT m.model_id FROM models m WHERE m.owner_id = p_user_id
        UNION
        SELECT d.model_id FROM model_delegates d WHERE d.user_id = p_user_id AND d.revoked_at IS NULL
    ), day AS MATERIALIZED (
        SELECT coalesce(p_as_of, (now() AT TIME ZONE 'UTC')::date) AS as_of
    ), my_open_tasks AS MATERIALIZED (
        SELECT count(*) FILTER (WHERE t.planned_production_date < day.as_of) AS overdue,
               count(*) FILTER (WHERE t.planned_production_date BETWEEN day.as_of AND day.as_of + 7) AS due_this_week
        FROM day, (
            SELECT t.planned_production_date
            FROM version_deployment_tasks t
            WHERE t.assigned_to_id = p_user_id AND t.status IN ('PENDING', 'ADJUSTED')
              AND t.planned_production_date <= (SELECT day.as_of + 7 FROM day)
            UNION ALL
            SELECT t.planned_production_date
            FROM model_delegates d
            JOIN version_deployment_tasks t ON t.model_id = d.model_id
            WHERE d.user_id = p_user_id AND d.revoked_at IS NULL AND t.status IN ('PENDING', 'ADJUSTED')
              AND t.assigned_to_id IS DISTINCT FROM p_user_id
              AND t.planned_production_date <= (SELECT day.as_of + 7 FROM day)
        ) t
    )
    SELECT
        CASE WHEN p_role IN ('ADMIN', 'GLOBAL_APPROVER', 'REGIONAL_APPROVER') THEN (
            SELECT count(*)
            FROM validation_approvals_decidable_by(p_role, p_user_id) AS a (approval_id, request_id, approval_type, region_id, status, created_at)
            WHERE a.status = 'PENDING'
              AND (a.approval_type = 'DEPLOYMENT' OR EXISTS (
                      SELECT 1 FROM validation_requests vr
                      WHERE vr.request_id = a.request_id AND vr.status = 'PENDING_APPROVAL'))
              AND NOT EXISTS (SELECT 1 FROM validation_requests_involving(p_user_id) i WHERE i.request_id = a.request_id)
        ) ELSE 0 END::bigint AS approvals_to_decide,
        (SELECT ot.overdue FROM my_open_tasks ot)::bigint AS tasks_overdue,
        (SELECT ot.due_this_week FROM my_open_tasks ot)::bigint AS tasks_due_this_week,
        (SELECT coalesce(sum(c.ready_rows), 0) FROM model_ready_counts c
         WHERE c.model_id = ANY (ARRAY(SELECT mm.model_id FROM my_models mm)))::bigint AS ready_to_deploy,
        (SELECT count(*)
         FROM validation_assignments va
         WHERE va.validator_id = p_user_id AND NOT va.request_is_closed AND va.is_primary)::bigint AS requests_as_primary,
        (SELECT count(*)
         FROM validation_assignments va
         WHERE va.validator_id = p_user_id AND NOT va.request_is_closed AND va.is_reviewer
           AND va.signed_off_at IS NULL AND va.request_status = 'REVIEW')::bigint AS reviews_waiting,
        CASE WHEN p_role IN ('ADMIN', 'VALIDATOR') THEN (
            SELECT count(*) FROM validation_requests vr WHERE NOT vr.is_closed
        ) - (
            SELECT count(*) FROM validation_assignments va WHERE va.is_primary AND NOT va.request_is_closed
        ) ELSE 0 END::bigint AS unassigned_requests,
        CASE p_role
            WHEN 'ADMIN' THEN (
                SELECT count(*) FROM validation_requests vr, day
                WHERE NOT vr.is_closed AND vr.target_completion_date < day.as_of)
            WHEN 'VALIDATOR' THEN (
                SELECT count(*) FROM validation_requests vr, day
                WHERE NOT vr.is_closed AND vr.target_completion_date < day.as_of
                  AND EXISTS (SELECT 1 FROM validation_assignments va
                              WHERE va.request_id = vr.request_id AND va.validator_id = p_user_id))
            WHEN 'USER' THEN (
                SELECT count(DISTINCT l.request_id) FROM validation_request_models l
                WHERE l.model_id = ANY (ARRAY(SELECT mm.model_id FROM my_models mm))
                  AND NOT l.request_is_closed AND l.request_target_date < (SELECT day.as_of FROM day))
            ELSE 0
        END::bigint AS overdue_requests;
END
$$;


--
-- Name: validation_approval_decidable(integer, public.user_role, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_approval_decidable(p_approval_id integer, p_role public.user_role, p_user_id integer) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT EXISTS (SELECT 1 FROM validation_approvals_decidable_by(p_role, p_user_id) d WHERE d.approval_id = p_approval_id)
$$;


--
-- Name: validation_approval_scope(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_approval_scope(p_request_id integer) RETURNS TABLE(region_id integer)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    WITH covered AS (
        SELECT v.version_id, v.scope
        FROM validation_request_models l
        JOIN model_versions v ON v.version_id = l.version_id
        WHERE l.request_id = p_request_id
    ), listed AS (
        SELECT vrr.region_id
        FROM validation_request_regions vrr
        WHERE vrr.request_id = p_request_id
        UNION
        SELECT mvr.region_id
        FROM covered c
        JOIN model_version_regions mvr ON mvr.version_id = c.version_id
        WHERE c.scope = 'REGIONAL'
    )
    SELECT listed.region_id
    FROM listed
    WHERE NOT EXISTS (SELECT 1 FROM covered WHERE covered.scope = 'GLOBAL')
    UNION
    SELECT mr.region_id
    FROM validation_request_models l
    JOIN model_regions mr ON mr.model_id = l.model_id
    WHERE l.request_id = p_request_id
      AND (EXISTS (SELECT 1 FROM covered WHERE covered.scope = 'GLOBAL') OR NOT EXISTS (SELECT 1 FROM listed))
$$;


--
-- Name: validation_approvals_decidable_by(public.user_role, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_approvals_decidable_by(p_role public.user_role, p_user_id integer) RETURNS TABLE(approval_id integer, request_id integer, approval_type text, region_id integer, status text, created_at timestamp with time zone)
    LANGUAGE sql STABLE
    AS $$
    SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, a.status, a.created_at
    FROM validation_approvals a
    WHERE p_role = 'ADMIN'
       OR (p_role = 'GLOBAL_APPROVER' AND a.approval_type = 'GLOBAL')
       OR (p_role = 'REGIONAL_APPROVER' AND a.approval_type <> 'GLOBAL'
           AND a.region_id IN (SELECT ur.region_id FROM user_regions ur WHERE ur.user_id = p_user_id))
$$;


--
-- Name: validation_assignments_fill_request(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_assignments_fill_request() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    SELECT vr.is_closed, vr.status, vr.target_completion_date
    INTO NEW.request_is_closed, NEW.request_status, NEW.request_target_date
    FROM validation_requests vr
    WHERE vr.request_id = NEW.request_id;
    RETURN NEW;
END;
$$;


--
-- Name: validation_requests; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_requests (
    request_id integer NOT NULL,
    requestor_id integer NOT NULL,
    validation_type text NOT NULL,
    is_targeted boolean NOT NULL,
    priority public.validation_priority NOT NULL,
    status text DEFAULT 'INTAKE'::text NOT NULL,
    is_closed boolean NOT NULL,
    blocks_models boolean GENERATED ALWAYS AS (((NOT is_targeted) AND (NOT is_closed))) STORED NOT NULL,
    target_completion_date date NOT NULL,
    trigger_reason text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    status_entered_on date NOT NULL,
    submission_received_date date,
    submission_notes text,
    CONSTRAINT validation_requests_submission_notes_length CHECK ((char_length(submission_notes) <= 4000)),
    CONSTRAINT validation_requests_submission_notes_need_date CHECK (((submission_notes IS NULL) OR (submission_received_date IS NOT NULL))),
    CONSTRAINT validation_requests_trigger_reason_length CHECK ((char_length(trigger_reason) <= 4000))
);


--
-- Name: validation_request_created; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.validation_request_created AS
 SELECT validation_requests.request_id,
    validation_requests.requestor_id,
    validation_requests.validation_type,
    validation_requests.priority,
    validation_requests.status,
    validation_requests.target_completion_date,
    validation_requests.trigger_reason,
    validation_requests.created_at,
    validation_requests.updated_at,
    validation_requests.submission_received_date
   FROM public.validation_requests;


--
-- Name: validation_request_create(integer, text, public.validation_priority, date, text, integer[], integer[], integer[], integer[], text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_request_create(p_requestor_id integer, p_validation_type text, p_priority public.validation_priority, p_target_completion_date date, p_trigger_reason text, p_version_ids integer[], p_model_ids integer[], p_region_ids integer[], p_link_version_ids integer[], p_audit_action text, p_changes jsonb) RETURNS SETOF public.validation_request_created
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: validation_request_involves(integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_request_involves(p_request_id integer, p_user_id integer) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT EXISTS (SELECT 1 FROM validation_requests_involving(p_user_id) i WHERE i.request_id = p_request_id)
$$;


--
-- Name: validation_request_models_fill_request(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_request_models_fill_request() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    request record;
BEGIN
    SELECT vr.is_closed, vr.status, vr.target_completion_date
    INTO request
    FROM validation_requests vr
    WHERE vr.request_id = NEW.request_id;
    IF FOUND THEN
        NEW.request_is_closed := request.is_closed;
        NEW.request_status := request.status;
        NEW.request_target_date := request.target_completion_date;
    END IF;
    RETURN NEW;
END;
$$;


--
-- Name: validation_request_visible_to(integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_request_visible_to(p_request_id integer, p_user_id integer) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT EXISTS (SELECT 1 FROM validation_requests_visible_to(p_user_id) v WHERE v.request_id = p_request_id)
$$;


--
-- Name: validation_requests_guard(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_requests_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    SELECT t.is_targeted INTO NEW.is_targeted FROM validation_types t WHERE t.code = NEW.validation_type;
    SELECT s.is_closed INTO NEW.is_closed FROM validation_statuses s WHERE s.code = NEW.status;
    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
        SELECT 1 FROM validation_status_transitions
        WHERE from_status = OLD.status AND to_status = NEW.status
    ) THEN
        RAISE EXCEPTION 'validation request % cannot go from % to %', OLD.request_id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'validation_requests_status_transition';
    END IF;
    -- The day the status was entered, in UTC: now() is the transaction's time, the changed_at of
    -- the history row the same transaction writes.
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.status_entered_on := (now() AT TIME ZONE 'UTC')::date;
    END IF;
    RETURN NEW;
END;
$$;


--
-- Name: validation_requests_involving(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_requests_involving(p_user_id integer) RETURNS TABLE(request_id integer)
    LANGUAGE sql STABLE
    AS $$
    SELECT vr.request_id FROM validation_requests vr WHERE vr.requestor_id = p_user_id
    UNION ALL
    SELECT a.request_id FROM validation_assignments a WHERE a.validator_id = p_user_id
    UNION ALL
    SELECT v.request_id FROM validation_requests_visible_to(p_user_id) v
$$;


--
-- Name: validation_requests_ready_mark(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_requests_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- an approval reached or undone: the models of the request's versions
    PERFORM model_ready_mark(ARRAY(
        SELECT v.model_id FROM model_versions v WHERE v.validation_request_id = NEW.request_id));
    RETURN NULL;
END;
$$;


--
-- Name: validation_requests_visible_to(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_requests_visible_to(p_user_id integer) RETURNS TABLE(request_id integer)
    LANGUAGE sql STABLE
    AS $$
    SELECT l.request_id
    FROM validation_request_models l
    WHERE l.model_id = ANY (ARRAY(SELECT m.model_id FROM models m WHERE m.owner_id = p_user_id))
    UNION ALL
    SELECT l.request_id
    FROM validation_request_models l
    WHERE l.model_id = ANY (ARRAY(SELECT d.model_id FROM model_delegates d
                                  WHERE d.user_id = p_user_id AND d.revoked_at IS NULL))
$$;


--
-- Name: models; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.models (
    model_id integer NOT NULL,
    model_name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    owner_id integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    risk_tier text,
    CONSTRAINT models_description_length CHECK ((char_length(description) <= 4000)),
    CONSTRAINT models_model_name_length CHECK (((char_length(model_name) >= 1) AND (char_length(model_name) <= 200)))
);


--
-- Name: validation_outcomes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_outcomes (
    outcome_id integer NOT NULL,
    request_id integer NOT NULL,
    overall_rating text NOT NULL,
    executive_summary text NOT NULL,
    effective_date date NOT NULL,
    expiration_date date,
    created_by integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT validation_outcomes_expiration_after_effective CHECK (((expiration_date IS NULL) OR (expiration_date > effective_date))),
    CONSTRAINT validation_outcomes_rating_known CHECK ((overall_rating = ANY (ARRAY['PASS'::text, 'PASS_WITH_FINDINGS'::text, 'FAIL'::text]))),
    CONSTRAINT validation_outcomes_summary_length CHECK (((char_length(executive_summary) >= 1) AND (char_length(executive_summary) <= 4000)))
);


--
-- Name: validation_policies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_policies (
    risk_tier text NOT NULL,
    tier_rank integer NOT NULL,
    frequency_months integer NOT NULL,
    grace_period_months integer NOT NULL,
    model_change_lead_time_days integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by integer,
    CONSTRAINT validation_policies_frequency_range CHECK (((frequency_months >= 1) AND (frequency_months <= 120))),
    CONSTRAINT validation_policies_grace_range CHECK (((grace_period_months >= 0) AND (grace_period_months <= 60))),
    CONSTRAINT validation_policies_lead_time_range CHECK (((model_change_lead_time_days >= 0) AND (model_change_lead_time_days <= 3650))),
    CONSTRAINT validation_policies_tier_known CHECK ((risk_tier = ANY (ARRAY['TIER_1'::text, 'TIER_2'::text, 'TIER_3'::text, 'TIER_4'::text])))
);


--
-- Name: validation_request_models; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_request_models (
    request_id integer NOT NULL,
    model_id integer NOT NULL,
    version_id integer,
    blocks_model boolean NOT NULL,
    request_is_closed boolean NOT NULL,
    request_status text NOT NULL,
    request_target_date date NOT NULL
);


--
-- Name: validation_status_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_status_history (
    history_id bigint NOT NULL,
    request_id integer NOT NULL,
    from_status text,
    to_status text NOT NULL,
    reason text,
    changed_by integer NOT NULL,
    changed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT validation_status_history_reason_length CHECK ((char_length(reason) <= 4000))
);


--
-- Name: model_revalidation_schedule; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.model_revalidation_schedule AS
 SELECT m.model_id,
    m.model_name,
    m.owner_id,
    m.risk_tier,
    fv.request_id AS last_validation_request_id,
    fv.completed_on AS last_validation_date,
    iv.request_id AS interim_request_id,
    act.request_id AS active_request_id,
    act.submission_received_date,
        CASE
            WHEN (p.risk_tier IS NULL) THEN NULL::date
            WHEN (fv.request_id IS NOT NULL) THEN ((fv.completed_on + make_interval(months => p.frequency_months)))::date
            WHEN (iv.request_id IS NOT NULL) THEN (iv.expiration_date - p.model_change_lead_time_days)
            ELSE NULL::date
        END AS submission_due,
        CASE
            WHEN ((p.risk_tier IS NOT NULL) AND (fv.request_id IS NOT NULL)) THEN ((((fv.completed_on + make_interval(months => p.frequency_months)))::date + make_interval(months => p.grace_period_months)))::date
            ELSE NULL::date
        END AS grace_period_end,
        CASE
            WHEN (p.risk_tier IS NULL) THEN NULL::date
            WHEN (fv.request_id IS NOT NULL) THEN (((((fv.completed_on + make_interval(months => p.frequency_months)))::date + make_interval(months => p.grace_period_months)))::date + p.model_change_lead_time_days)
            WHEN (iv.request_id IS NOT NULL) THEN iv.expiration_date
            ELSE NULL::date
        END AS validation_due
   FROM ((((public.models m
     LEFT JOIN public.validation_policies p ON ((p.risk_tier = m.risk_tier)))
     LEFT JOIN LATERAL ( SELECT vr.request_id,
            ((h.changed_at AT TIME ZONE 'UTC'::text))::date AS completed_on
           FROM ((public.validation_request_models l
             JOIN public.validation_requests vr ON ((vr.request_id = l.request_id)))
             JOIN public.validation_status_history h ON (((h.request_id = vr.request_id) AND (h.to_status = 'APPROVED'::text))))
          WHERE ((l.model_id = m.model_id) AND (l.request_status = 'APPROVED'::text) AND (vr.status = 'APPROVED'::text) AND (vr.validation_type = ANY (ARRAY['INITIAL'::text, 'COMPREHENSIVE'::text])))
          ORDER BY h.changed_at DESC, vr.request_id DESC
         LIMIT 1) fv ON (true))
     LEFT JOIN LATERAL ( SELECT vr.request_id,
            o.expiration_date
           FROM (((public.validation_request_models l
             JOIN public.validation_requests vr ON ((vr.request_id = l.request_id)))
             JOIN public.validation_outcomes o ON ((o.request_id = vr.request_id)))
             JOIN public.validation_status_history h ON (((h.request_id = vr.request_id) AND (h.to_status = 'APPROVED'::text))))
          WHERE ((l.model_id = m.model_id) AND (l.request_status = 'APPROVED'::text) AND (vr.status = 'APPROVED'::text) AND (vr.validation_type = 'INTERIM'::text) AND (o.expiration_date IS NOT NULL) AND (fv.request_id IS NULL))
          ORDER BY h.changed_at DESC, vr.request_id DESC
         LIMIT 1) iv ON (true))
     LEFT JOIN LATERAL ( SELECT vr.request_id,
            vr.submission_received_date
           FROM (public.validation_request_models l
             JOIN public.validation_requests vr ON ((vr.request_id = l.request_id)))
          WHERE ((l.model_id = m.model_id) AND l.blocks_model)
         LIMIT 1) act ON (true));


--
-- Name: validation_target_overdue(date, integer[], integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.validation_target_overdue(p_target date, p_model_ids integer[], p_models_of integer) RETURNS SETOF public.model_revalidation_schedule
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN QUERY
    SELECT s.*
    FROM model_revalidation_schedule s
    WHERE s.model_id = ANY (p_model_ids || ARRAY(
              SELECT vrm.model_id FROM validation_request_models vrm WHERE vrm.request_id = p_models_of))
      AND s.validation_due < p_target;
END
$$;


--
-- Name: version_deployment_tasks_guard(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.version_deployment_tasks_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF OLD.status IN ('CONFIRMED', 'CANCELLED') THEN
        RAISE EXCEPTION 'deployment task % is % and cannot change', OLD.task_id, OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'version_deployment_tasks_status_transition';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status NOT IN ('ADJUSTED', 'CONFIRMED', 'CANCELLED') THEN
        RAISE EXCEPTION 'deployment task % cannot go from % to %', OLD.task_id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'version_deployment_tasks_status_transition';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;


--
-- Name: version_deployment_tasks_one_kind(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.version_deployment_tasks_one_kind() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM 1 FROM model_versions WHERE version_id = NEW.version_id FOR NO KEY UPDATE;
    IF EXISTS (
        SELECT 1 FROM version_deployment_tasks
        WHERE version_id = NEW.version_id AND (region_id IS NULL) <> (NEW.region_id IS NULL)
    ) THEN
        RAISE EXCEPTION 'version % cannot have both a global deployment task and regional ones', NEW.version_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'version_deployment_tasks_global_or_regional';
    END IF;
    RETURN NEW;
END;
$$;


--
-- Name: version_deployment_tasks_ready_mark(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.version_deployment_tasks_ready_mark() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a task counts only while CONFIRMED: a PENDING task's insert, adjustment or cancellation
    -- changes no ready row
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT n.model_id FROM new_rows n WHERE n.status = 'CONFIRMED'));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM model_ready_mark(ARRAY(SELECT o.model_id FROM old_rows o WHERE o.status = 'CONFIRMED'));
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: api_tokens_token_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.api_tokens ALTER COLUMN token_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.api_tokens_token_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: audit_logs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_logs (
    audit_id bigint NOT NULL,
    entity_type text NOT NULL,
    entity_id integer NOT NULL,
    action text NOT NULL,
    user_id integer,
    changes jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_logs_action_upper_snake CHECK ((action ~ '^[A-Z][A-Z_]*$'::text)),
    CONSTRAINT audit_logs_entity_type_known CHECK ((entity_type = ANY (ARRAY['user'::text, 'api_token'::text, 'region'::text, 'model'::text, 'model_version'::text, 'validation_request'::text, 'deployment_task'::text, 'validation_approval'::text, 'validation_policy'::text, 'workflow_sla'::text])))
);


--
-- Name: audit_logs_audit_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_logs ALTER COLUMN audit_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_logs_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: model_regions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.model_regions (
    model_id integer NOT NULL,
    region_id integer NOT NULL,
    version_id integer,
    deployed_at timestamp with time zone
);


--
-- Name: model_version_regions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.model_version_regions (
    version_id integer NOT NULL,
    region_id integer NOT NULL
);


--
-- Name: model_version_request_status; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.model_version_request_status (
    version_id integer NOT NULL,
    model_id integer NOT NULL,
    request_id integer NOT NULL,
    request_status text NOT NULL,
    request_status_entered_on date NOT NULL
);


--
-- Name: model_versions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.model_versions (
    version_id integer NOT NULL,
    model_id integer NOT NULL,
    version_number text NOT NULL,
    change_description text NOT NULL,
    scope public.version_scope NOT NULL,
    planned_production_date date,
    actual_production_date date,
    created_by integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    validation_request_id integer,
    CONSTRAINT model_versions_change_description_length CHECK (((char_length(change_description) >= 1) AND (char_length(change_description) <= 4000))),
    CONSTRAINT model_versions_version_number_length CHECK (((char_length(version_number) >= 1) AND (char_length(version_number) <= 200)))
);


--
-- Name: version_deployment_tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.version_deployment_tasks (
    task_id integer NOT NULL,
    version_id integer NOT NULL,
    model_id integer NOT NULL,
    region_id integer,
    assigned_to_id integer NOT NULL,
    status public.deployment_task_status DEFAULT 'PENDING'::public.deployment_task_status NOT NULL,
    planned_production_date date NOT NULL,
    actual_production_date date,
    notes text,
    confirmation_notes text,
    confirmed_by_id integer,
    confirmed_at timestamp with time zone,
    deployed_before_validation_approved boolean DEFAULT false NOT NULL,
    validation_override_reason text,
    adjustment_reason text,
    cancellation_reason text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT version_deployment_tasks_adjustment_reason_length CHECK ((char_length(adjustment_reason) <= 4000)),
    CONSTRAINT version_deployment_tasks_cancellation_reason CHECK (((status <> 'CANCELLED'::public.deployment_task_status) OR (cancellation_reason IS NOT NULL))),
    CONSTRAINT version_deployment_tasks_cancellation_reason_length CHECK ((char_length(cancellation_reason) <= 4000)),
    CONSTRAINT version_deployment_tasks_confirmation_notes_length CHECK ((char_length(confirmation_notes) <= 4000)),
    CONSTRAINT version_deployment_tasks_confirmed_complete CHECK (((status <> 'CONFIRMED'::public.deployment_task_status) OR ((actual_production_date IS NOT NULL) AND (confirmed_by_id IS NOT NULL) AND (confirmed_at IS NOT NULL)))),
    CONSTRAINT version_deployment_tasks_notes_length CHECK ((char_length(notes) <= 4000)),
    CONSTRAINT version_deployment_tasks_override_reason CHECK (((NOT deployed_before_validation_approved) OR (validation_override_reason IS NOT NULL))),
    CONSTRAINT version_deployment_tasks_override_reason_length CHECK ((char_length(validation_override_reason) <= 4000))
);


--
-- Name: deployment_readiness; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.deployment_readiness AS
 SELECT v.version_id,
    v.version_number,
    v.scope,
    s.model_id,
    ( SELECT m.model_name
           FROM public.models m
          WHERE (m.model_id = s.model_id)) AS model_name,
    ( SELECT m.owner_id
           FROM public.models m
          WHERE (m.model_id = s.model_id)) AS owner_id,
    mr.region_id,
    s.request_id AS validation_request_id,
    ( SELECT h.changed_at
           FROM public.validation_status_history h
          WHERE ((h.request_id = s.request_id) AND (h.to_status = 'APPROVED'::text))) AS validation_approved_at,
    s.request_status_entered_on AS approved_day,
    COALESCE(( SELECT t.task_id
           FROM public.version_deployment_tasks t
          WHERE ((t.version_id = v.version_id) AND (t.region_id = mr.region_id) AND (t.status = ANY (ARRAY['PENDING'::public.deployment_task_status, 'ADJUSTED'::public.deployment_task_status])))), ( SELECT t.task_id
           FROM public.version_deployment_tasks t
          WHERE ((t.version_id = v.version_id) AND (t.region_id IS NULL) AND (t.status = ANY (ARRAY['PENDING'::public.deployment_task_status, 'ADJUSTED'::public.deployment_task_status]))))) AS pending_task_id
   FROM ((public.model_version_request_status s
     JOIN public.model_versions v ON ((v.version_id = s.version_id)))
     JOIN public.model_regions mr ON ((mr.model_id = s.model_id)))
  WHERE ((s.request_status = 'APPROVED'::text) AND ((v.scope = 'GLOBAL'::public.version_scope) OR (EXISTS ( SELECT 1
           FROM public.model_version_regions mvr
          WHERE ((mvr.version_id = v.version_id) AND (mvr.region_id = mr.region_id))
         OFFSET 0))) AND (NOT (EXISTS ( SELECT 1
           FROM public.version_deployment_tasks t
          WHERE ((t.version_id = v.version_id) AND (t.region_id = mr.region_id) AND (t.status = 'CONFIRMED'::public.deployment_task_status))))) AND (NOT (EXISTS ( SELECT 1
           FROM public.version_deployment_tasks t
          WHERE ((t.version_id = v.version_id) AND (t.region_id IS NULL) AND (t.status = 'CONFIRMED'::public.deployment_task_status))))));


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    user_id integer NOT NULL,
    idempotency_key text NOT NULL,
    request_hash bytea NOT NULL,
    response_status integer NOT NULL,
    response_body bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotency_keys_key_length CHECK (((char_length(idempotency_key) >= 1) AND (char_length(idempotency_key) <= 200)))
);


--
-- Name: model_delegates; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.model_delegates (
    delegate_id integer NOT NULL,
    model_id integer NOT NULL,
    user_id integer NOT NULL,
    granted_by integer NOT NULL,
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT model_delegates_revoked_after_granted CHECK (((revoked_at IS NULL) OR (revoked_at >= granted_at)))
);


--
-- Name: model_delegates_delegate_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.model_delegates ALTER COLUMN delegate_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.model_delegates_delegate_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: model_ready_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.model_ready_counts (
    model_id integer NOT NULL,
    ready_rows integer NOT NULL,
    CONSTRAINT model_ready_counts_not_negative CHECK ((ready_rows >= 0))
);


--
-- Name: model_versions_version_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.model_versions ALTER COLUMN version_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.model_versions_version_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: models_model_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.models ALTER COLUMN model_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.models_model_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: regions_region_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.regions ALTER COLUMN region_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.regions_region_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);


--
-- Name: user_regions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_regions (
    user_id integer NOT NULL,
    role public.user_role DEFAULT 'REGIONAL_APPROVER'::public.user_role NOT NULL,
    region_id integer NOT NULL,
    CONSTRAINT user_regions_role_regional_approver CHECK ((role = 'REGIONAL_APPROVER'::public.user_role))
);


--
-- Name: users_user_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.users ALTER COLUMN user_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.users_user_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: validation_approvals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_approvals (
    approval_id integer NOT NULL,
    request_id integer NOT NULL,
    region_id integer,
    approval_type text NOT NULL,
    status text DEFAULT 'PENDING'::text NOT NULL,
    decided_by_id integer,
    decided_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    comments text,
    CONSTRAINT validation_approvals_approval_type_known CHECK ((approval_type = ANY (ARRAY['GLOBAL'::text, 'REGIONAL'::text, 'DEPLOYMENT'::text]))),
    CONSTRAINT validation_approvals_comments_length CHECK ((char_length(comments) <= 4000)),
    CONSTRAINT validation_approvals_decision_recorded CHECK (((status = ANY (ARRAY['APPROVED'::text, 'SENT_BACK'::text])) = ((decided_by_id IS NOT NULL) AND (decided_at IS NOT NULL)))),
    CONSTRAINT validation_approvals_region_matches_type CHECK (((approval_type = 'GLOBAL'::text) = (region_id IS NULL))),
    CONSTRAINT validation_approvals_send_back_explained CHECK (((status <> 'SENT_BACK'::text) OR (comments IS NOT NULL))),
    CONSTRAINT validation_approvals_status_known CHECK ((status = ANY (ARRAY['PENDING'::text, 'APPROVED'::text, 'SENT_BACK'::text, 'VOIDED'::text])))
);


--
-- Name: validation_approvals_approval_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.validation_approvals ALTER COLUMN approval_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.validation_approvals_approval_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: validation_assignments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_assignments (
    assignment_id integer NOT NULL,
    request_id integer NOT NULL,
    validator_id integer NOT NULL,
    is_primary boolean DEFAULT false NOT NULL,
    is_reviewer boolean DEFAULT false NOT NULL,
    estimated_hours double precision,
    actual_hours double precision,
    independence_attested_at timestamp with time zone DEFAULT now() NOT NULL,
    signed_off_at timestamp with time zone,
    sign_off_comments text,
    assigned_by integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    request_is_closed boolean NOT NULL,
    request_status text NOT NULL,
    request_target_date date NOT NULL,
    CONSTRAINT validation_assignments_hours_range CHECK ((((estimated_hours IS NULL) OR ((estimated_hours >= (0)::double precision) AND (estimated_hours <= (100000)::double precision))) AND ((actual_hours IS NULL) OR ((actual_hours >= (0)::double precision) AND (actual_hours <= (100000)::double precision))))),
    CONSTRAINT validation_assignments_primary_not_reviewer CHECK ((NOT (is_primary AND is_reviewer))),
    CONSTRAINT validation_assignments_sign_off_by_reviewer CHECK (((signed_off_at IS NULL) OR is_reviewer)),
    CONSTRAINT validation_assignments_sign_off_comments_length CHECK ((char_length(sign_off_comments) <= 4000))
);


--
-- Name: validation_assignments_assignment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.validation_assignments ALTER COLUMN assignment_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.validation_assignments_assignment_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: validation_outcomes_outcome_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.validation_outcomes ALTER COLUMN outcome_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.validation_outcomes_outcome_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: validation_request_regions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_request_regions (
    request_id integer NOT NULL,
    region_id integer NOT NULL
);


--
-- Name: validation_requests_request_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.validation_requests ALTER COLUMN request_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.validation_requests_request_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: validation_status_history_history_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.validation_status_history ALTER COLUMN history_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.validation_status_history_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: validation_status_transitions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_status_transitions (
    from_status text NOT NULL,
    to_status text NOT NULL
);


--
-- Name: validation_statuses; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_statuses (
    code text NOT NULL,
    is_closed boolean NOT NULL
);


--
-- Name: validation_types; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_types (
    code text NOT NULL,
    is_targeted boolean NOT NULL
);


--
-- Name: version_deployment_tasks_task_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.version_deployment_tasks ALTER COLUMN task_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.version_deployment_tasks_task_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: workflow_sla; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workflow_sla (
    singleton boolean DEFAULT true NOT NULL,
    assignment_days integer NOT NULL,
    begin_work_days integer NOT NULL,
    approval_days integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by integer,
    CONSTRAINT workflow_sla_days_range CHECK ((((assignment_days >= 1) AND (assignment_days <= 365)) AND ((begin_work_days >= 1) AND (begin_work_days <= 365)) AND ((approval_days >= 1) AND (approval_days <= 365)))),
    CONSTRAINT workflow_sla_one_row CHECK (singleton)
);


--
-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (token_id);


--
-- Name: audit_logs audit_logs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_logs
    ADD CONSTRAINT audit_logs_pkey PRIMARY KEY (audit_id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, idempotency_key);


--
-- Name: model_delegates model_delegates_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_delegates
    ADD CONSTRAINT model_delegates_pkey PRIMARY KEY (delegate_id);


--
-- Name: model_ready_counts model_ready_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_ready_counts
    ADD CONSTRAINT model_ready_counts_pkey PRIMARY KEY (model_id);


--
-- Name: model_regions model_regions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_regions
    ADD CONSTRAINT model_regions_pkey PRIMARY KEY (model_id, region_id);


--
-- Name: model_version_regions model_version_regions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_version_regions
    ADD CONSTRAINT model_version_regions_pkey PRIMARY KEY (version_id, region_id);


--
-- Name: model_version_request_status model_version_request_status_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_version_request_status
    ADD CONSTRAINT model_version_request_status_pkey PRIMARY KEY (version_id);


--
-- Name: model_versions model_versions_model_id_version_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_versions
    ADD CONSTRAINT model_versions_model_id_version_id_key UNIQUE (model_id, version_id);


--
-- Name: model_versions model_versions_model_id_version_number_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_versions
    ADD CONSTRAINT model_versions_model_id_version_number_key UNIQUE (model_id, version_number);


--
-- Name: model_versions model_versions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_versions
    ADD CONSTRAINT model_versions_pkey PRIMARY KEY (version_id);


--
-- Name: models models_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.models
    ADD CONSTRAINT models_pkey PRIMARY KEY (model_id);


--
-- Name: regions regions_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.regions
    ADD CONSTRAINT regions_code_key UNIQUE (code);


--
-- Name: regions regions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.regions
    ADD CONSTRAINT regions_pkey PRIMARY KEY (region_id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: user_disablements user_disablements_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_disablements
    ADD CONSTRAINT user_disablements_pkey PRIMARY KEY (user_id);


--
-- Name: user_regions user_regions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_regions
    ADD CONSTRAINT user_regions_pkey PRIMARY KEY (user_id, region_id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (user_id);


--
-- Name: users users_user_id_role_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_user_id_role_key UNIQUE (user_id, role);


--
-- Name: validation_approvals validation_approvals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_approvals
    ADD CONSTRAINT validation_approvals_pkey PRIMARY KEY (approval_id);


--
-- Name: validation_assignments validation_assignments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_assignments
    ADD CONSTRAINT validation_assignments_pkey PRIMARY KEY (assignment_id);


--
-- Name: validation_assignments validation_assignments_request_validator_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_assignments
    ADD CONSTRAINT validation_assignments_request_validator_key UNIQUE (request_id, validator_id);


--
-- Name: validation_outcomes validation_outcomes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_outcomes
    ADD CONSTRAINT validation_outcomes_pkey PRIMARY KEY (outcome_id);


--
-- Name: validation_outcomes validation_outcomes_request_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_outcomes
    ADD CONSTRAINT validation_outcomes_request_id_key UNIQUE (request_id);


--
-- Name: validation_policies validation_policies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_policies
    ADD CONSTRAINT validation_policies_pkey PRIMARY KEY (risk_tier);


--
-- Name: validation_policies validation_policies_tier_rank_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_policies
    ADD CONSTRAINT validation_policies_tier_rank_key UNIQUE (tier_rank);


--
-- Name: validation_request_models validation_request_models_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_request_models
    ADD CONSTRAINT validation_request_models_pkey PRIMARY KEY (request_id, model_id);


--
-- Name: validation_request_regions validation_request_regions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_request_regions
    ADD CONSTRAINT validation_request_regions_pkey PRIMARY KEY (request_id, region_id);


--
-- Name: validation_requests validation_requests_assignment_mirror_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_requests
    ADD CONSTRAINT validation_requests_assignment_mirror_key UNIQUE (request_id, is_closed, status, target_completion_date);


--
-- Name: validation_requests validation_requests_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_requests
    ADD CONSTRAINT validation_requests_pkey PRIMARY KEY (request_id);


--
-- Name: validation_requests validation_requests_request_id_blocks_models_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_requests
    ADD CONSTRAINT validation_requests_request_id_blocks_models_key UNIQUE (request_id, blocks_models);


--
-- Name: validation_requests validation_requests_status_mirror_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_requests
    ADD CONSTRAINT validation_requests_status_mirror_key UNIQUE (request_id, status, status_entered_on);


--
-- Name: validation_status_history validation_status_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_status_history
    ADD CONSTRAINT validation_status_history_pkey PRIMARY KEY (history_id);


--
-- Name: validation_status_transitions validation_status_transitions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_status_transitions
    ADD CONSTRAINT validation_status_transitions_pkey PRIMARY KEY (from_status, to_status);


--
-- Name: validation_statuses validation_statuses_code_is_closed_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_statuses
    ADD CONSTRAINT validation_statuses_code_is_closed_key UNIQUE (code, is_closed);


--
-- Name: validation_statuses validation_statuses_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_statuses
    ADD CONSTRAINT validation_statuses_pkey PRIMARY KEY (code);


--
-- Name: validation_types validation_types_code_is_targeted_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_types
    ADD CONSTRAINT validation_types_code_is_targeted_key UNIQUE (code, is_targeted);


--
-- Name: validation_types validation_types_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_types
    ADD CONSTRAINT validation_types_pkey PRIMARY KEY (code);


--
-- Name: version_deployment_tasks version_deployment_tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.version_deployment_tasks
    ADD CONSTRAINT version_deployment_tasks_pkey PRIMARY KEY (task_id);


--
-- Name: workflow_sla workflow_sla_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_sla
    ADD CONSTRAINT workflow_sla_pkey PRIMARY KEY (singleton);


--
-- Name: api_tokens_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_tokens_user_id_idx ON public.api_tokens USING btree (user_id);


--
-- Name: audit_logs_action_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_action_idx ON public.audit_logs USING btree (action, audit_id);


--
-- Name: audit_logs_entity_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_entity_idx ON public.audit_logs USING btree (entity_type, entity_id, audit_id);


--
-- Name: audit_logs_models_changed_candidates_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_models_changed_candidates_idx ON public.audit_logs USING btree (entity_id, audit_id) INCLUDE (created_at) WHERE ((action = 'VALIDATION_MODELS_CHANGED'::text) AND (entity_type = 'validation_request'::text) AND (COALESCE((changes ->> 'status'::text), ''::text) <> ALL (ARRAY['INTAKE'::text, 'PLANNING'::text])));


--
-- Name: audit_logs_models_changed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_models_changed_idx ON public.audit_logs USING btree (entity_id, audit_id) INCLUDE (created_at) WHERE ((action = 'VALIDATION_MODELS_CHANGED'::text) AND (entity_type = 'validation_request'::text));


--
-- Name: audit_logs_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_user_id_idx ON public.audit_logs USING btree (user_id, audit_id);


--
-- Name: idempotency_keys_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotency_keys_created_at_idx ON public.idempotency_keys USING btree (created_at);


--
-- Name: model_delegates_active_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX model_delegates_active_key ON public.model_delegates USING btree (model_id, user_id) WHERE (revoked_at IS NULL);


--
-- Name: model_delegates_granted_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_delegates_granted_by_idx ON public.model_delegates USING btree (granted_by);


--
-- Name: model_delegates_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_delegates_user_id_idx ON public.model_delegates USING btree (user_id);


--
-- Name: model_regions_region_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_regions_region_id_idx ON public.model_regions USING btree (region_id);


--
-- Name: model_regions_version_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_regions_version_id_idx ON public.model_regions USING btree (version_id);


--
-- Name: model_version_regions_region_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_version_regions_region_id_idx ON public.model_version_regions USING btree (region_id);


--
-- Name: model_version_request_status_approved_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_version_request_status_approved_idx ON public.model_version_request_status USING btree (request_status_entered_on, request_id, version_id) INCLUDE (model_id) WHERE (request_status = 'APPROVED'::text);


--
-- Name: model_version_request_status_approved_model_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_version_request_status_approved_model_idx ON public.model_version_request_status USING btree (model_id) INCLUDE (request_status_entered_on, request_id, version_id) WHERE (request_status = 'APPROVED'::text);


--
-- Name: model_version_request_status_request_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_version_request_status_request_idx ON public.model_version_request_status USING btree (request_id);


--
-- Name: model_versions_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_versions_created_by_idx ON public.model_versions USING btree (created_by);


--
-- Name: model_versions_under_validation_by_model_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_versions_under_validation_by_model_idx ON public.model_versions USING btree (model_id) INCLUDE (validation_request_id, version_id, scope) WHERE (validation_request_id IS NOT NULL);


--
-- Name: model_versions_validation_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX model_versions_validation_request_id_idx ON public.model_versions USING btree (validation_request_id) INCLUDE (model_id, version_id, scope, version_number);


--
-- Name: models_model_name_lower_trgm_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX models_model_name_lower_trgm_idx ON public.models USING gin (lower(model_name) public.gin_trgm_ops);


--
-- Name: models_owner_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX models_owner_id_idx ON public.models USING btree (owner_id) INCLUDE (model_id);


--
-- Name: models_risk_tier_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX models_risk_tier_idx ON public.models USING btree (risk_tier, model_id);


--
-- Name: user_disablements_disabled_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_disablements_disabled_by_idx ON public.user_disablements USING btree (disabled_by);


--
-- Name: user_regions_region_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_regions_region_id_idx ON public.user_regions USING btree (region_id, user_id);


--
-- Name: users_email_lower_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_lower_key ON public.users USING btree (lower(email));


--
-- Name: validation_approvals_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_approvals_created_at_idx ON public.validation_approvals USING btree (created_at, approval_id);


--
-- Name: validation_approvals_decided_by_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_approvals_decided_by_id_idx ON public.validation_approvals USING btree (decided_by_id);


--
-- Name: validation_approvals_deployment_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX validation_approvals_deployment_key ON public.validation_approvals USING btree (request_id, region_id) WHERE (approval_type = 'DEPLOYMENT'::text);


--
-- Name: validation_approvals_one_pending_global_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX validation_approvals_one_pending_global_key ON public.validation_approvals USING btree (request_id) WHERE ((approval_type = 'GLOBAL'::text) AND (status = 'PENDING'::text));


--
-- Name: validation_approvals_one_pending_regional_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX validation_approvals_one_pending_regional_key ON public.validation_approvals USING btree (request_id, region_id) WHERE ((approval_type = 'REGIONAL'::text) AND (status = 'PENDING'::text));


--
-- Name: validation_approvals_pending_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_approvals_pending_created_idx ON public.validation_approvals USING btree (created_at, approval_id) WHERE (status = 'PENDING'::text);


--
-- Name: validation_approvals_pending_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_approvals_pending_idx ON public.validation_approvals USING btree (approval_id) INCLUDE (request_id, approval_type, region_id) WHERE (status = 'PENDING'::text);


--
-- Name: validation_approvals_region_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_approvals_region_id_idx ON public.validation_approvals USING btree (region_id);


--
-- Name: validation_approvals_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_approvals_request_id_idx ON public.validation_approvals USING btree (request_id);


--
-- Name: validation_assignments_assigned_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_assignments_assigned_by_idx ON public.validation_assignments USING btree (assigned_by);


--
-- Name: validation_assignments_one_primary_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX validation_assignments_one_primary_key ON public.validation_assignments USING btree (request_id) WHERE is_primary;


--
-- Name: validation_assignments_one_reviewer_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX validation_assignments_one_reviewer_key ON public.validation_assignments USING btree (request_id) WHERE is_reviewer;


--
-- Name: validation_assignments_open_primary_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_assignments_open_primary_idx ON public.validation_assignments USING btree (request_id) WHERE (is_primary AND (NOT request_is_closed));


--
-- Name: validation_assignments_open_work_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_assignments_open_work_idx ON public.validation_assignments USING btree (validator_id) INCLUDE (is_primary, signed_off_at, request_status, request_target_date) WHERE ((NOT request_is_closed) AND (is_primary OR is_reviewer));


--
-- Name: validation_assignments_validator_request_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_assignments_validator_request_idx ON public.validation_assignments USING btree (validator_id, request_id) INCLUDE (is_primary, is_reviewer);


--
-- Name: validation_outcomes_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_outcomes_created_by_idx ON public.validation_outcomes USING btree (created_by);


--
-- Name: validation_request_models_approved_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_request_models_approved_idx ON public.validation_request_models USING btree (model_id, request_id) WHERE (request_status = 'APPROVED'::text);


--
-- Name: validation_request_models_model_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_request_models_model_id_idx ON public.validation_request_models USING btree (model_id, request_id);


--
-- Name: validation_request_models_one_blocking_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX validation_request_models_one_blocking_key ON public.validation_request_models USING btree (model_id) WHERE blocks_model;


--
-- Name: validation_request_models_open_target_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_request_models_open_target_idx ON public.validation_request_models USING btree (model_id, request_target_date) INCLUDE (request_id) WHERE (NOT request_is_closed);


--
-- Name: validation_request_models_version_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_request_models_version_id_idx ON public.validation_request_models USING btree (version_id);


--
-- Name: validation_request_regions_region_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_request_regions_region_id_idx ON public.validation_request_regions USING btree (region_id);


--
-- Name: validation_requests_active_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_active_created_idx ON public.validation_requests USING btree (created_at, request_id) WHERE (NOT is_closed);


--
-- Name: validation_requests_active_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_active_idx ON public.validation_requests USING btree (request_id) WHERE (NOT is_closed);


--
-- Name: validation_requests_active_sla_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_active_sla_idx ON public.validation_requests USING btree (request_id) INCLUDE (created_at, submission_received_date) WHERE (NOT is_closed);


--
-- Name: validation_requests_active_status_entered_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_active_status_entered_idx ON public.validation_requests USING btree (status_entered_on, request_id) WHERE (NOT is_closed);


--
-- Name: validation_requests_active_target_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_active_target_idx ON public.validation_requests USING btree (target_completion_date, request_id) WHERE (NOT is_closed);


--
-- Name: validation_requests_approved_type_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_approved_type_idx ON public.validation_requests USING btree (request_id) INCLUDE (validation_type) WHERE (status = 'APPROVED'::text);


--
-- Name: validation_requests_requestor_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_requestor_id_idx ON public.validation_requests USING btree (requestor_id);


--
-- Name: validation_requests_status_entered_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_status_entered_idx ON public.validation_requests USING btree (status_entered_on, request_id);


--
-- Name: validation_requests_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_status_idx ON public.validation_requests USING btree (status, request_id);


--
-- Name: validation_requests_target_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_requests_target_idx ON public.validation_requests USING btree (target_completion_date, request_id);


--
-- Name: validation_status_history_approved_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_status_history_approved_idx ON public.validation_status_history USING btree (request_id) INCLUDE (changed_at) WHERE (to_status = 'APPROVED'::text);


--
-- Name: validation_status_history_changed_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_status_history_changed_by_idx ON public.validation_status_history USING btree (changed_by);


--
-- Name: validation_status_history_request_changed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_status_history_request_changed_idx ON public.validation_status_history USING btree (request_id, changed_at DESC, history_id DESC) INCLUDE (to_status);


--
-- Name: validation_status_history_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_status_history_request_id_idx ON public.validation_status_history USING btree (request_id, history_id);


--
-- Name: version_deployment_tasks_assigned_to_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX version_deployment_tasks_assigned_to_id_idx ON public.version_deployment_tasks USING btree (assigned_to_id, task_id);


--
-- Name: version_deployment_tasks_confirmed_by_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX version_deployment_tasks_confirmed_by_id_idx ON public.version_deployment_tasks USING btree (confirmed_by_id);


--
-- Name: version_deployment_tasks_model_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX version_deployment_tasks_model_id_idx ON public.version_deployment_tasks USING btree (model_id, region_id, task_id);


--
-- Name: version_deployment_tasks_open_assigned_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX version_deployment_tasks_open_assigned_idx ON public.version_deployment_tasks USING btree (assigned_to_id, planned_production_date) WHERE (status = ANY (ARRAY['PENDING'::public.deployment_task_status, 'ADJUSTED'::public.deployment_task_status]));


--
-- Name: version_deployment_tasks_open_planned_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX version_deployment_tasks_open_planned_idx ON public.version_deployment_tasks USING btree (planned_production_date, task_id) WHERE (status = ANY (ARRAY['PENDING'::public.deployment_task_status, 'ADJUSTED'::public.deployment_task_status]));


--
-- Name: version_deployment_tasks_planned_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX version_deployment_tasks_planned_idx ON public.version_deployment_tasks USING btree (planned_production_date, task_id);


--
-- Name: version_deployment_tasks_region_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX version_deployment_tasks_region_id_idx ON public.version_deployment_tasks USING btree (region_id);


--
-- Name: version_deployment_tasks_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX version_deployment_tasks_status_idx ON public.version_deployment_tasks USING btree (status, task_id);


--
-- Name: version_deployment_tasks_version_global_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX version_deployment_tasks_version_global_key ON public.version_deployment_tasks USING btree (version_id) WHERE (region_id IS NULL);


--
-- Name: version_deployment_tasks_version_region_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX version_deployment_tasks_version_region_key ON public.version_deployment_tasks USING btree (version_id, region_id) WHERE (region_id IS NOT NULL);


--
-- Name: audit_logs audit_logs_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_logs_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON public.audit_logs FOR EACH STATEMENT EXECUTE FUNCTION public.audit_logs_refuse_change();


--
-- Name: model_regions model_regions_delete_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_regions_delete_ready_mark AFTER DELETE ON public.model_regions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.model_regions_ready_mark();


--
-- Name: model_regions model_regions_insert_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_regions_insert_ready_mark AFTER INSERT ON public.model_regions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.model_regions_ready_mark();


--
-- Name: model_regions model_regions_ready_flush; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER model_regions_ready_flush AFTER INSERT OR DELETE OR UPDATE ON public.model_regions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.model_ready_flush();


--
-- Name: model_regions model_regions_update_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_regions_update_ready_mark AFTER UPDATE ON public.model_regions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.model_regions_ready_mark();


--
-- Name: model_version_regions model_version_regions_delete_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_version_regions_delete_ready_mark AFTER DELETE ON public.model_version_regions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.model_version_regions_ready_mark();


--
-- Name: model_version_regions model_version_regions_insert_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_version_regions_insert_ready_mark AFTER INSERT ON public.model_version_regions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.model_version_regions_ready_mark();


--
-- Name: model_version_regions model_version_regions_ready_flush; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER model_version_regions_ready_flush AFTER INSERT OR DELETE OR UPDATE ON public.model_version_regions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.model_ready_flush();


--
-- Name: model_version_regions model_version_regions_update_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_version_regions_update_ready_mark AFTER UPDATE ON public.model_version_regions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.model_version_regions_ready_mark();


--
-- Name: model_versions model_versions_delete_ready_flush; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER model_versions_delete_ready_flush AFTER DELETE ON public.model_versions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((old.validation_request_id IS NOT NULL)) EXECUTE FUNCTION public.model_ready_flush();


--
-- Name: model_versions model_versions_delete_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_versions_delete_ready_mark AFTER DELETE ON public.model_versions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.model_versions_ready_mark();


--
-- Name: model_versions model_versions_insert_ready_flush; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER model_versions_insert_ready_flush AFTER INSERT ON public.model_versions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.validation_request_id IS NOT NULL)) EXECUTE FUNCTION public.model_ready_flush();


--
-- Name: model_versions model_versions_insert_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_versions_insert_ready_mark AFTER INSERT ON public.model_versions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.model_versions_ready_mark();


--
-- Name: model_versions model_versions_keep_request_status; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_versions_keep_request_status AFTER INSERT ON public.model_versions FOR EACH ROW WHEN ((new.validation_request_id IS NOT NULL)) EXECUTE FUNCTION public.model_versions_keep_request_status();


--
-- Name: model_versions model_versions_keep_request_status_on_link; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_versions_keep_request_status_on_link AFTER UPDATE OF validation_request_id ON public.model_versions FOR EACH ROW WHEN ((old.validation_request_id IS DISTINCT FROM new.validation_request_id)) EXECUTE FUNCTION public.model_versions_keep_request_status();


--
-- Name: model_versions model_versions_update_ready_flush; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER model_versions_update_ready_flush AFTER UPDATE OF validation_request_id, scope, model_id ON public.model_versions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.model_ready_flush();


--
-- Name: model_versions model_versions_update_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER model_versions_update_ready_mark AFTER UPDATE ON public.model_versions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.model_versions_ready_mark();


--
-- Name: models models_ready_count_create; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER models_ready_count_create AFTER INSERT ON public.models FOR EACH ROW EXECUTE FUNCTION public.models_ready_count_create();


--
-- Name: validation_assignments validation_assignments_fill_request; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER validation_assignments_fill_request BEFORE INSERT OR UPDATE OF request_id ON public.validation_assignments FOR EACH ROW EXECUTE FUNCTION public.validation_assignments_fill_request();


--
-- Name: validation_request_models validation_request_models_fill_request; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER validation_request_models_fill_request BEFORE INSERT OR UPDATE OF request_id ON public.validation_request_models FOR EACH ROW EXECUTE FUNCTION public.validation_request_models_fill_request();


--
-- Name: validation_requests validation_requests_guard; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER validation_requests_guard BEFORE INSERT OR UPDATE OF validation_type, status ON public.validation_requests FOR EACH ROW EXECUTE FUNCTION public.validation_requests_guard();


--
-- Name: validation_requests validation_requests_ready_flush; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER validation_requests_ready_flush AFTER UPDATE OF status ON public.validation_requests DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((old.status = 'APPROVED'::text) IS DISTINCT FROM (new.status = 'APPROVED'::text))) EXECUTE FUNCTION public.model_ready_flush();


--
-- Name: validation_requests validation_requests_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER validation_requests_ready_mark AFTER UPDATE OF status ON public.validation_requests FOR EACH ROW WHEN (((old.status = 'APPROVED'::text) IS DISTINCT FROM (new.status = 'APPROVED'::text))) EXECUTE FUNCTION public.validation_requests_ready_mark();


--
-- Name: version_deployment_tasks version_deployment_tasks_delete_ready_flush; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER version_deployment_tasks_delete_ready_flush AFTER DELETE ON public.version_deployment_tasks DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((old.status = 'CONFIRMED'::public.deployment_task_status)) EXECUTE FUNCTION public.model_ready_flush();


--
-- Name: version_deployment_tasks version_deployment_tasks_delete_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER version_deployment_tasks_delete_ready_mark AFTER DELETE ON public.version_deployment_tasks REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.version_deployment_tasks_ready_mark();


--
-- Name: version_deployment_tasks version_deployment_tasks_guard; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER version_deployment_tasks_guard BEFORE UPDATE ON public.version_deployment_tasks FOR EACH ROW EXECUTE FUNCTION public.version_deployment_tasks_guard();


--
-- Name: version_deployment_tasks version_deployment_tasks_insert_ready_flush; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER version_deployment_tasks_insert_ready_flush AFTER INSERT ON public.version_deployment_tasks DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.status = 'CONFIRMED'::public.deployment_task_status)) EXECUTE FUNCTION public.model_ready_flush();


--
-- Name: version_deployment_tasks version_deployment_tasks_insert_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER version_deployment_tasks_insert_ready_mark AFTER INSERT ON public.version_deployment_tasks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.version_deployment_tasks_ready_mark();


--
-- Name: version_deployment_tasks version_deployment_tasks_one_kind; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER version_deployment_tasks_one_kind BEFORE INSERT OR UPDATE OF version_id, region_id ON public.version_deployment_tasks FOR EACH ROW EXECUTE FUNCTION public.version_deployment_tasks_one_kind();


--
-- Name: version_deployment_tasks version_deployment_tasks_update_ready_flush; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER version_deployment_tasks_update_ready_flush AFTER UPDATE ON public.version_deployment_tasks DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((old.status = 'CONFIRMED'::public.deployment_task_status) OR (new.status = 'CONFIRMED'::public.deployment_task_status))) EXECUTE FUNCTION public.model_ready_flush();


--
-- Name: version_deployment_tasks version_deployment_tasks_update_ready_mark; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER version_deployment_tasks_update_ready_mark AFTER UPDATE ON public.version_deployment_tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.version_deployment_tasks_ready_mark();


--
-- Name: api_tokens api_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(user_id);


--
-- Name: audit_logs audit_logs_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_logs
    ADD CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(user_id);


--
-- Name: idempotency_keys idempotency_keys_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(user_id);


--
-- Name: model_delegates model_delegates_granted_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_delegates
    ADD CONSTRAINT model_delegates_granted_by_fkey FOREIGN KEY (granted_by) REFERENCES public.users(user_id);


--
-- Name: model_delegates model_delegates_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_delegates
    ADD CONSTRAINT model_delegates_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(model_id);


--
-- Name: model_delegates model_delegates_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_delegates
    ADD CONSTRAINT model_delegates_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(user_id);


--
-- Name: model_ready_counts model_ready_counts_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_ready_counts
    ADD CONSTRAINT model_ready_counts_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(model_id) ON DELETE CASCADE;


--
-- Name: model_regions model_regions_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_regions
    ADD CONSTRAINT model_regions_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(model_id);


--
-- Name: model_regions model_regions_model_version_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_regions
    ADD CONSTRAINT model_regions_model_version_fkey FOREIGN KEY (model_id, version_id) REFERENCES public.model_versions(model_id, version_id);


--
-- Name: model_regions model_regions_region_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_regions
    ADD CONSTRAINT model_regions_region_id_fkey FOREIGN KEY (region_id) REFERENCES public.regions(region_id);


--
-- Name: model_regions model_regions_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_regions
    ADD CONSTRAINT model_regions_version_id_fkey FOREIGN KEY (version_id) REFERENCES public.model_versions(version_id);


--
-- Name: model_version_regions model_version_regions_region_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_version_regions
    ADD CONSTRAINT model_version_regions_region_id_fkey FOREIGN KEY (region_id) REFERENCES public.regions(region_id);


--
-- Name: model_version_regions model_version_regions_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_version_regions
    ADD CONSTRAINT model_version_regions_version_id_fkey FOREIGN KEY (version_id) REFERENCES public.model_versions(version_id);


--
-- Name: model_version_request_status model_version_request_status_request_mirror_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_version_request_status
    ADD CONSTRAINT model_version_request_status_request_mirror_fkey FOREIGN KEY (request_id, request_status, request_status_entered_on) REFERENCES public.validation_requests(request_id, status, status_entered_on) ON UPDATE CASCADE;


--
-- Name: model_version_request_status model_version_request_status_version_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_version_request_status
    ADD CONSTRAINT model_version_request_status_version_fkey FOREIGN KEY (model_id, version_id) REFERENCES public.model_versions(model_id, version_id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: model_versions model_versions_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_versions
    ADD CONSTRAINT model_versions_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(user_id);


--
-- Name: model_versions model_versions_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_versions
    ADD CONSTRAINT model_versions_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(model_id);


--
-- Name: model_versions model_versions_validation_request_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.model_versions
    ADD CONSTRAINT model_versions_validation_request_id_fkey FOREIGN KEY (validation_request_id) REFERENCES public.validation_requests(request_id);


--
-- Name: models models_owner_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.models
    ADD CONSTRAINT models_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users(user_id);


--
-- Name: models models_risk_tier_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.models
    ADD CONSTRAINT models_risk_tier_fkey FOREIGN KEY (risk_tier) REFERENCES public.validation_policies(risk_tier);


--
-- Name: user_disablements user_disablements_disabled_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_disablements
    ADD CONSTRAINT user_disablements_disabled_by_fkey FOREIGN KEY (disabled_by) REFERENCES public.users(user_id);


--
-- Name: user_disablements user_disablements_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_disablements
    ADD CONSTRAINT user_disablements_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(user_id);


--
-- Name: user_regions user_regions_region_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_regions
    ADD CONSTRAINT user_regions_region_id_fkey FOREIGN KEY (region_id) REFERENCES public.regions(region_id);


--
-- Name: user_regions user_regions_user_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_regions
    ADD CONSTRAINT user_regions_user_fkey FOREIGN KEY (user_id, role) REFERENCES public.users(user_id, role);


--
-- Name: validation_approvals validation_approvals_decided_by_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_approvals
    ADD CONSTRAINT validation_approvals_decided_by_id_fkey FOREIGN KEY (decided_by_id) REFERENCES public.users(user_id);


--
-- Name: validation_approvals validation_approvals_region_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_approvals
    ADD CONSTRAINT validation_approvals_region_id_fkey FOREIGN KEY (region_id) REFERENCES public.regions(region_id);


--
-- Name: validation_approvals validation_approvals_request_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_approvals
    ADD CONSTRAINT validation_approvals_request_id_fkey FOREIGN KEY (request_id) REFERENCES public.validation_requests(request_id);


--
-- Name: validation_assignments validation_assignments_assigned_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_assignments
    ADD CONSTRAINT validation_assignments_assigned_by_fkey FOREIGN KEY (assigned_by) REFERENCES public.users(user_id);


--
-- Name: validation_assignments validation_assignments_request_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_assignments
    ADD CONSTRAINT validation_assignments_request_id_fkey FOREIGN KEY (request_id) REFERENCES public.validation_requests(request_id);


--
-- Name: validation_assignments validation_assignments_request_mirror_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_assignments
    ADD CONSTRAINT validation_assignments_request_mirror_fkey FOREIGN KEY (request_id, request_is_closed, request_status, request_target_date) REFERENCES public.validation_requests(request_id, is_closed, status, target_completion_date) ON UPDATE CASCADE;


--
-- Name: validation_assignments validation_assignments_validator_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_assignments
    ADD CONSTRAINT validation_assignments_validator_id_fkey FOREIGN KEY (validator_id) REFERENCES public.users(user_id);


--
-- Name: validation_outcomes validation_outcomes_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_outcomes
    ADD CONSTRAINT validation_outcomes_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(user_id);


--
-- Name: validation_outcomes validation_outcomes_request_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_outcomes
    ADD CONSTRAINT validation_outcomes_request_id_fkey FOREIGN KEY (request_id) REFERENCES public.validation_requests(request_id);


--
-- Name: validation_policies validation_policies_updated_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_policies
    ADD CONSTRAINT validation_policies_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(user_id);


--
-- Name: validation_request_models validation_request_models_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_request_models
    ADD CONSTRAINT validation_request_models_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(model_id);


--
-- Name: validation_request_models validation_request_models_model_version_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_request_models
    ADD CONSTRAINT validation_request_models_model_version_fkey FOREIGN KEY (model_id, version_id) REFERENCES public.model_versions(model_id, version_id);


--
-- Name: validation_request_models validation_request_models_request_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_request_models
    ADD CONSTRAINT validation_request_models_request_fkey FOREIGN KEY (request_id, blocks_model) REFERENCES public.validation_requests(request_id, blocks_models) ON UPDATE CASCADE;


--
-- Name: validation_request_models validation_request_models_request_mirror_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_request_models
    ADD CONSTRAINT validation_request_models_request_mirror_fkey FOREIGN KEY (request_id, request_is_closed, request_status, request_target_date) REFERENCES public.validation_requests(request_id, is_closed, status, target_completion_date) ON UPDATE CASCADE;


--
-- Name: validation_request_models validation_request_models_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_request_models
    ADD CONSTRAINT validation_request_models_version_id_fkey FOREIGN KEY (version_id) REFERENCES public.model_versions(version_id);


--
-- Name: validation_request_regions validation_request_regions_region_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_request_regions
    ADD CONSTRAINT validation_request_regions_region_id_fkey FOREIGN KEY (region_id) REFERENCES public.regions(region_id);


--
-- Name: validation_request_regions validation_request_regions_request_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_request_regions
    ADD CONSTRAINT validation_request_regions_request_id_fkey FOREIGN KEY (request_id) REFERENCES public.validation_requests(request_id);


--
-- Name: validation_requests validation_requests_requestor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_requests
    ADD CONSTRAINT validation_requests_requestor_id_fkey FOREIGN KEY (requestor_id) REFERENCES public.users(user_id);


--
-- Name: validation_requests validation_requests_status_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_requests
    ADD CONSTRAINT validation_requests_status_fkey FOREIGN KEY (status, is_closed) REFERENCES public.validation_statuses(code, is_closed);


--
-- Name: validation_requests validation_requests_type_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_requests
    ADD CONSTRAINT validation_requests_type_fkey FOREIGN KEY (validation_type, is_targeted) REFERENCES public.validation_types(code, is_targeted);


--
-- Name: validation_status_history validation_status_history_changed_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_status_history
    ADD CONSTRAINT validation_status_history_changed_by_fkey FOREIGN KEY (changed_by) REFERENCES public.users(user_id);


--
-- Name: validation_status_history validation_status_history_from_status_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_status_history
    ADD CONSTRAINT validation_status_history_from_status_fkey FOREIGN KEY (from_status) REFERENCES public.validation_statuses(code);


--
-- Name: validation_status_history validation_status_history_request_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_status_history
    ADD CONSTRAINT validation_status_history_request_id_fkey FOREIGN KEY (request_id) REFERENCES public.validation_requests(request_id);


--
-- Name: validation_status_history validation_status_history_to_status_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_status_history
    ADD CONSTRAINT validation_status_history_to_status_fkey FOREIGN KEY (to_status) REFERENCES public.validation_statuses(code);


--
-- Name: validation_status_transitions validation_status_transitions_from_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_status_transitions
    ADD CONSTRAINT validation_status_transitions_from_fkey FOREIGN KEY (from_status) REFERENCES public.validation_statuses(code);


--
-- Name: validation_status_transitions validation_status_transitions_to_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_status_transitions
    ADD CONSTRAINT validation_status_transitions_to_fkey FOREIGN KEY (to_status) REFERENCES public.validation_statuses(code);


--
-- Name: version_deployment_tasks version_deployment_tasks_assigned_to_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.version_deployment_tasks
    ADD CONSTRAINT version_deployment_tasks_assigned_to_id_fkey FOREIGN KEY (assigned_to_id) REFERENCES public.users(user_id);


--
-- Name: version_deployment_tasks version_deployment_tasks_confirmed_by_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.version_deployment_tasks
    ADD CONSTRAINT version_deployment_tasks_confirmed_by_id_fkey FOREIGN KEY (confirmed_by_id) REFERENCES public.users(user_id);


--
-- Name: version_deployment_tasks version_deployment_tasks_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.version_deployment_tasks
    ADD CONSTRAINT version_deployment_tasks_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(model_id);


--
-- Name: version_deployment_tasks version_deployment_tasks_model_region_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.version_deployment_tasks
    ADD CONSTRAINT version_deployment_tasks_model_region_fkey FOREIGN KEY (model_id, region_id) REFERENCES public.model_regions(model_id, region_id);


--
-- Name: version_deployment_tasks version_deployment_tasks_model_version_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.version_deployment_tasks
    ADD CONSTRAINT version_deployment_tasks_model_version_fkey FOREIGN KEY (model_id, version_id) REFERENCES public.model_versions(model_id, version_id);


--
-- Name: version_deployment_tasks version_deployment_tasks_region_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.version_deployment_tasks
    ADD CONSTRAINT version_deployment_tasks_region_id_fkey FOREIGN KEY (region_id) REFERENCES public.regions(region_id);


--
-- Name: version_deployment_tasks version_deployment_tasks_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.version_deployment_tasks
    ADD CONSTRAINT version_deployment_tasks_version_id_fkey FOREIGN KEY (version_id) REFERENCES public.model_versions(version_id);


--
-- Name: workflow_sla workflow_sla_updated_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_sla
    ADD CONSTRAINT workflow_sla_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(user_id);


--
-- PostgreSQL database dump complete
--

\unrestrict dbmate


--
-- Dbmate schema migrations
--

INSERT INTO public.schema_migrations (version) VALUES
    ('20261126000001'),
    ('20261126000002'),
    ('20261126000003'),
    ('20261126000004'),
    ('20261126000005'),
    ('20261126000006'),
    ('20261126000007'),
    ('20261126000010'),
    ('20261126000020'),
    ('20261126000021'),
    ('20261126000022'),
    ('20261203000100'),
    ('20261203000150'),
    ('20261203000151'),
    ('20261203000152'),
    ('20261203000153'),
    ('20261203000200'),
    ('20261203000201'),
    ('20261203000202'),
    ('20261205000200'),
    ('20261205000500'),
    ('20261205000600'),
    ('20261205000700'),
    ('20261205000800'),
    ('20261205000900'),
    ('20261205001000'),
    ('20261205001100'),
    ('20261205001300'),
    ('20261205001500'),
    ('20261205002000'),
    ('20261205003000'),
    ('20261205003100'),
    ('20261205003600'),
    ('20261206000100'),
    ('20261206001000'),
    ('20261206002000'),
    ('20261206002020'),
    ('20261206002030'),
    ('20261206002040'),
    ('20261206003000'),
    ('20261206003100'),
    ('20261206004000'),
    ('20261206005000'),
    ('20261206006000'),
    ('20261206007000'),
    ('20261206008000'),
    ('20261206009000');
