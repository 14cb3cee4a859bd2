-- migrate:up
CREATE TABLE regions (
    region_id                  integer GENERATED ALWAYS AS IDENTITY,
    code                       text        NOT NULL,
    name                       text        NOT NULL,
    requires_regional_approval boolean     NOT NULL DEFAULT false,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT regions_pkey PRIMARY KEY (region_id),
    CONSTRAINT regions_code_key UNIQUE (code),
    CONSTRAINT regions_code_length CHECK (char_length(code) BETWEEN 1 AND 200),
    CONSTRAINT regions_name_length CHECK (char_length(name) BETWEEN 1 AND 200)
);

-- migrate:down
DROP TABLE regions;
