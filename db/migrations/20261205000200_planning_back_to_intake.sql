-- migrate:up
-- A PLANNING request whose last assignment is removed returns to INTAKE: nobody works it any
-- more, so it waits for validators again (MRM3's rule; README "Inside a validation"). The guard
-- trigger (validation_requests_guard) reads this table, so the row must exist for the service's
-- move to pass. It is the service's move only: the hand-set map in Go (transitions in
-- internal/validation/validation.go) leaves it out, so POST .../status neither offers nor makes
-- it; serviceTransitions lists it, and TestTransitionsMatchTable checks the table holds exactly
-- both maps.
INSERT INTO validation_status_transitions (from_status, to_status) VALUES ('PLANNING', 'INTAKE');

-- migrate:down
DELETE FROM validation_status_transitions WHERE from_status = 'PLANNING' AND to_status = 'INTAKE';
