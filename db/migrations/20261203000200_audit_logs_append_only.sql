-- migrate:up
-- The audit log is append-only whatever role writes to it: a grant can be widened by mistake and
-- the service's role may own the table, so the rule is a trigger rather than a REVOKE. The
-- triggers are statement-level, so even an UPDATE or DELETE that matches no row is refused, and
-- TRUNCATE (which fires no row trigger) is refused too. No code path of the service updates or
-- deletes audit rows. Only ALTER TABLE ... DISABLE TRIGGER (the table's owner) or
-- session_replication_role = replica (a superuser) can get past it, both visible to a DBA.
CREATE FUNCTION audit_logs_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_logs_append_only
BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_logs
FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change();

-- migrate:down
DROP TRIGGER audit_logs_append_only ON audit_logs;
DROP FUNCTION audit_logs_refuse_change();
