-- migrate:up
-- Three rows name a version next to a model, and the version must be one of that model's: a
-- deployment task (its model_id is copied from the version), a validation request's model link
-- (the version the request covers for that model), and a model region (the version running
-- there). The service has always written them consistently; these composite foreign keys make
-- the schema refuse anything else, raw SQL included. Each is added NOT VALID and then validated,
-- so existing rows are checked (a row written inconsistently outside the service fails the
-- migration naming the constraint; fix that row and migrate again).
--
-- The referenced key. version_id alone is already unique, so this adds no rule of its own; its
-- index also serves "the versions of model M" in version_id order.
ALTER TABLE model_versions
    ADD CONSTRAINT model_versions_model_id_version_id_key UNIQUE (model_id, version_id);

-- A task's model is its version's model. Checked through model_versions_model_id_version_id_key;
-- versions are never deleted or re-parented, so the referencing side needs no new index.
ALTER TABLE version_deployment_tasks
    ADD CONSTRAINT version_deployment_tasks_model_version_fkey FOREIGN KEY (model_id, version_id)
        REFERENCES model_versions (model_id, version_id) NOT VALID;
ALTER TABLE version_deployment_tasks VALIDATE CONSTRAINT version_deployment_tasks_model_version_fkey;

-- A request's version for a model is a version of that model (version_id NULL: no version
-- named; MATCH SIMPLE skips the check).
ALTER TABLE validation_request_models
    ADD CONSTRAINT validation_request_models_model_version_fkey FOREIGN KEY (model_id, version_id)
        REFERENCES model_versions (model_id, version_id) NOT VALID;
ALTER TABLE validation_request_models VALIDATE CONSTRAINT validation_request_models_model_version_fkey;

-- The version running in a model's region is a version of that model (NULL: none deployed yet).
ALTER TABLE model_regions
    ADD CONSTRAINT model_regions_model_version_fkey FOREIGN KEY (model_id, version_id)
        REFERENCES model_versions (model_id, version_id) NOT VALID;
ALTER TABLE model_regions VALIDATE CONSTRAINT model_regions_model_version_fkey;

-- migrate:down
ALTER TABLE model_regions DROP CONSTRAINT model_regions_model_version_fkey;
ALTER TABLE validation_request_models DROP CONSTRAINT validation_request_models_model_version_fkey;
ALTER TABLE version_deployment_tasks DROP CONSTRAINT version_deployment_tasks_model_version_fkey;
ALTER TABLE model_versions DROP CONSTRAINT model_versions_model_id_version_id_key;
