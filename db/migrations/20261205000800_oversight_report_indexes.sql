-- migrate:up
-- The MRM team's oversight reports (sql/reports.sql: ReportPendingAssignments,
-- ReportOutOfOrder). Both read only active requests; closed ones are most of
-- validation_requests and grow forever, active ones are the work in hand. Partial indexes on
-- NOT is_closed keep what the reports walk as small as the work in hand, in each report's order.

-- Pending assignments: active requests oldest first, keyset (created_at, request_id); the
-- severity filter is a range of created_at, so it bounds the same scan.
CREATE INDEX validation_requests_active_created_idx
    ON validation_requests (created_at, request_id) WHERE NOT is_closed;

-- Out-of-order walks the active requests in request_id order, keyset (request_id, version_id):
-- validation_requests_active_idx, from 20261205000500 (the request list's migration).

-- migrate:down
DROP INDEX validation_requests_active_created_idx;
