-- migrate:up
CREATE TYPE version_scope AS ENUM ('GLOBAL', 'REGIONAL');

CREATE TABLE model_versions (
    version_id             integer GENERATED ALWAYS AS IDENTITY,
    model_id               integer       NOT NULL,
    version_number         text          NOT NULL,
    change_description     text          NOT NULL,
    scope                  version_scope NOT NULL,
    planned_production_date date,
    actual_production_date  date,
    created_by             integer       NOT NULL,
    created_at             timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT model_versions_pkey PRIMARY KEY (version_id),
    CONSTRAINT model_versions_model_id_fkey FOREIGN KEY (model_id) REFERENCES models (model_id),
    CONSTRAINT model_versions_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (user_id),
    CONSTRAINT model_versions_model_id_version_number_key UNIQUE (model_id, version_number),
    CONSTRAINT model_versions_version_number_length CHECK (char_length(version_number) BETWEEN 1 AND 200),
    CONSTRAINT model_versions_change_description_length CHECK (char_length(change_description) BETWEEN 1 AND 4000)
);

CREATE INDEX model_versions_created_by_idx ON model_versions (created_by);

-- The target regions of a REGIONAL version (a GLOBAL version has none).
CREATE TABLE model_version_regions (
    version_id integer NOT NULL,
    region_id  integer NOT NULL,
    CONSTRAINT model_version_regions_pkey PRIMARY KEY (version_id, region_id),
    CONSTRAINT model_version_regions_version_id_fkey FOREIGN KEY (version_id) REFERENCES model_versions (version_id),
    CONSTRAINT model_version_regions_region_id_fkey FOREIGN KEY (region_id) REFERENCES regions (region_id)
);

CREATE INDEX model_version_regions_region_id_idx ON model_version_regions (region_id);

ALTER TABLE model_regions
    ADD CONSTRAINT model_regions_version_id_fkey FOREIGN KEY (version_id) REFERENCES model_versions (version_id);
CREATE INDEX model_regions_version_id_idx ON model_regions (version_id);

-- migrate:down
DROP INDEX model_regions_version_id_idx;
ALTER TABLE model_regions DROP CONSTRAINT model_regions_version_id_fkey;
DROP TABLE model_version_regions;
DROP TABLE model_versions;
DROP TYPE version_scope;
