-- migrate:up
-- A version is deployed either by one global task or by one task per region, never both
-- (docs/backstops.md, "Global or regional deployment tasks"): confirming both would deploy it
-- twice. The two unique indexes cannot say "not both", so a trigger does, for every writer. It
-- first locks the version row (NO KEY UPDATE: foreign-key checks still pass), so two creators of
-- the two kinds for one version are serialised and the second sees the first's committed task.
CREATE FUNCTION version_deployment_tasks_one_kind() RETURNS trigger
LANGUAGE plpgsql AS $$
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

CREATE TRIGGER version_deployment_tasks_one_kind
    BEFORE INSERT OR UPDATE OF version_id, region_id ON version_deployment_tasks
    FOR EACH ROW EXECUTE FUNCTION version_deployment_tasks_one_kind();

-- migrate:down
DROP TRIGGER version_deployment_tasks_one_kind ON version_deployment_tasks;
DROP FUNCTION version_deployment_tasks_one_kind();
