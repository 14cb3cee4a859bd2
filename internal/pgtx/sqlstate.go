package pgtx

// The SQLSTATE codes mrmflow reacts to, all in this one block: the constraint violations a
// service maps to a domain error by constraint name (IsConstraintViolation), and the failures
// Classify tells apart. They are PostgreSQL's (Appendix A, "PostgreSQL Error Codes") and never
// change; class 08 (connection exception) is matched by its prefix in Classify.
const (
	// Class 28, invalid authorization specification: api_token_authorize's bad token.
	InvalidAuthorization = "28000"
	// Class 23, integrity constraint violation.
	UniqueViolation     = "23505"
	ForeignKeyViolation = "23503"
	CheckViolation      = "23514"
	// Class 40, transaction rollback: PostgreSQL aborted the transaction so another could go on.
	SerializationFailure = "40001"
	DeadlockDetected     = "40P01"
	// Class 42: api_token_authorize's good token whose user's role is not admitted.
	InsufficientPrivilege = "42501"
	// Class 53, insufficient resources.
	TooManyConnections = "53300"
	// Class 55, object not in prerequisite state: a lock wait past lock_timeout.
	LockNotAvailable = "55P03"
	// Class 57, operator intervention: a statement cancelled (statement_timeout or a cancelled
	// request), the server shutting down or starting.
	QueryCanceled    = "57014"
	AdminShutdown    = "57P01"
	CrashShutdown    = "57P02"
	CannotConnectNow = "57P03"
)
