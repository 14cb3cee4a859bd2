-- migrate:up
-- Roles are a closed set the service checks on every call; an enum keeps typos out of the table.
CREATE TYPE user_role AS ENUM ('ADMIN', 'VALIDATOR', 'USER');

CREATE TABLE users (
    user_id    integer GENERATED ALWAYS AS IDENTITY,
    email      text        NOT NULL,
    full_name  text        NOT NULL,
    role       user_role   NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (user_id),
    CONSTRAINT users_email_length CHECK (char_length(email) BETWEEN 3 AND 200),
    CONSTRAINT users_full_name_length CHECK (char_length(full_name) BETWEEN 1 AND 200)
);

-- Email is unique case-insensitively: "Ann@Bank.com" and "ann@bank.com" are one person.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- migrate:down
DROP TABLE users;
DROP TYPE user_role;
