-- migrate:up
-- The regions a REGIONAL_APPROVER decides for. The composite foreign key on (user_id, role), with
-- role pinned to REGIONAL_APPROVER, means only a regional approver can belong to a region, whoever
-- writes the rows.
ALTER TABLE users ADD CONSTRAINT users_user_id_role_key UNIQUE (user_id, role);

CREATE TABLE user_regions (
    user_id   integer   NOT NULL,
    role      user_role NOT NULL DEFAULT 'REGIONAL_APPROVER',
    region_id integer   NOT NULL,
    CONSTRAINT user_regions_pkey PRIMARY KEY (user_id, region_id),
    CONSTRAINT user_regions_role_regional_approver CHECK (role = 'REGIONAL_APPROVER'),
    CONSTRAINT user_regions_user_fkey FOREIGN KEY (user_id, role) REFERENCES users (user_id, role),
    CONSTRAINT user_regions_region_id_fkey FOREIGN KEY (region_id) REFERENCES regions (region_id)
);

-- "Who may decide region R's approvals" (the approver queue joins on the primary key instead).
CREATE INDEX user_regions_region_id_idx ON user_regions (region_id, user_id);

-- migrate:down
DROP TABLE user_regions;
ALTER TABLE users DROP CONSTRAINT users_user_id_role_key;
