package database

// VersionRequestStatusDrift counts the model versions whose request status row
// (model_version_request_status, migration 20261206004000) is not their request's: a linked
// version without a row, a row for a version without a request, or a row naming another request,
// model, status or status day than the version's request has. Zero is the invariant the table's
// cascading foreign key and trigger keep; its test (TestVersionRequestStatusFollowsItsVersion)
// and the queues benchmark's seed check it with this one query.
const VersionRequestStatusDrift = `
	SELECT count(*) FROM model_versions v
	FULL JOIN model_version_request_status s ON s.version_id = v.version_id
	LEFT JOIN validation_requests vr ON vr.request_id = v.validation_request_id
	WHERE (v.validation_request_id IS NULL) <> (s.version_id IS NULL)
	   OR (s.version_id IS NOT NULL
	       AND (s.request_id, s.model_id, s.request_status, s.request_status_entered_on)
	           IS DISTINCT FROM (vr.request_id, v.model_id, vr.status, vr.status_entered_on))`
