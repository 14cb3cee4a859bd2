-- migrate:up
CREATE TABLE models (
    model_id    integer GENERATED ALWAYS AS IDENTITY,
    model_name  text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    owner_id    integer     NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT models_pkey PRIMARY KEY (model_id),
    CONSTRAINT models_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (user_id),
    CONSTRAINT models_model_name_length CHECK (char_length(model_name) BETWEEN 1 AND 200),
    CONSTRAINT models_description_length CHECK (char_length(description) <= 4000)
);

CREATE INDEX models_owner_id_idx ON models (owner_id);

-- The regions a model runs in. version_id/deployed_at say which version runs there since when;
-- the foreign key to model_versions is added with that table.
CREATE TABLE model_regions (
    model_id    integer     NOT NULL,
    region_id   integer     NOT NULL,
    version_id  integer,
    deployed_at timestamptz,
    CONSTRAINT model_regions_pkey PRIMARY KEY (model_id, region_id),
    CONSTRAINT model_regions_model_id_fkey FOREIGN KEY (model_id) REFERENCES models (model_id),
    CONSTRAINT model_regions_region_id_fkey FOREIGN KEY (region_id) REFERENCES regions (region_id)
);

-- "Which models run in region R" (the primary key only serves lookups by model).
CREATE INDEX model_regions_region_id_idx ON model_regions (region_id);

-- Users who may act for a model's owner. Rows are never deleted: revoking sets revoked_at so the
-- history of who could act when is kept.
CREATE TABLE model_delegates (
    delegate_id integer GENERATED ALWAYS AS IDENTITY,
    model_id    integer     NOT NULL,
    user_id     integer     NOT NULL,
    granted_by  integer     NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    CONSTRAINT model_delegates_pkey PRIMARY KEY (delegate_id),
    CONSTRAINT model_delegates_model_id_fkey FOREIGN KEY (model_id) REFERENCES models (model_id),
    CONSTRAINT model_delegates_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (user_id),
    CONSTRAINT model_delegates_granted_by_fkey FOREIGN KEY (granted_by) REFERENCES users (user_id),
    CONSTRAINT model_delegates_revoked_after_granted CHECK (revoked_at IS NULL OR revoked_at >= granted_at)
);

-- At most one active grant per (model, user); it also serves the "is U an active delegate of M" check.
CREATE UNIQUE INDEX model_delegates_active_key ON model_delegates (model_id, user_id) WHERE revoked_at IS NULL;
CREATE INDEX model_delegates_user_id_idx ON model_delegates (user_id);
CREATE INDEX model_delegates_granted_by_idx ON model_delegates (granted_by);

-- migrate:down
DROP TABLE model_delegates;
DROP TABLE model_regions;
DROP TABLE models;
