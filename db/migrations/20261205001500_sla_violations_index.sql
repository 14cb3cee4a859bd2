-- migrate:up
-- The SLA violations report (docs/sla.md) walks the active requests in request_id order from its
-- keyset position and needs, of each, its creation time and submission day before the per-request
-- probes (history, primary, audit, tiers). validation_requests_active_idx has only the id, so the
-- planner preferred a sequential scan of the whole table (50,000 rows) and a sort when a filter
-- is selective; with these columns included the walk is an Index Only Scan of the active rows.
CREATE INDEX validation_requests_active_sla_idx ON validation_requests (request_id)
    INCLUDE (created_at, submission_received_date) WHERE NOT is_closed;

-- migrate:down
DROP INDEX validation_requests_active_sla_idx;
