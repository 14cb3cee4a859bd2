// Package domain holds what every layer of mrmflow shares: the error type and its codes, the acting
// user, roles and the small value types that cross from the service layer to the HTTP layer.
package domain

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Clients branch on it, so a code never changes
// meaning once released; the HTTP layer maps each code to a status in one table.
type Code string

// The error codes of the API (docs/errors.md, "Codes and statuses") that services return; the few
// only the HTTP transport raises (an oversized body, say) are declared in api/problem.go.
const (
	CodeInvalidRequest        Code = "invalid_request"
	CodeUnauthenticated       Code = "unauthenticated"
	CodeForbidden             Code = "forbidden"
	CodeNotFound              Code = "not_found"
	CodeConflict              Code = "conflict"
	CodeValidationConflict    Code = "validation_conflict"
	CodeInvalidTransition     Code = "invalid_transition"
	CodeInvalidStatus         Code = "invalid_status"
	CodeValidationNotApproved Code = "validation_not_approved"
	// CodeGateNotMet refuses a status change whose workflow conditions are not met; the problem
	// lists the unmet conditions under "unmet".
	CodeGateNotMet Code = "gate_not_met"
	// CodeNotIndependent refuses someone who is not independent of a validation request (its
	// requestor, or the owner or an active delegate of one of its models).
	CodeNotIndependent       Code = "not_independent"
	CodeIdempotencyKeyReused Code = "idempotency_key_reused"
	// CodeTargetAfterImplementation refuses a validation request whose target completion date is
	// after the production date of a version it covers; the problem lists them under "versions".
	CodeTargetAfterImplementation Code = "target_after_implementation"
	// CodeExportTooLarge refuses a CSV export of more rows than EXPORT_MAX_ROWS, before any row
	// is sent; the problem says how many rows matched (matching_rows) and the limit (max_rows).
	CodeExportTooLarge Code = "export_too_large"
	// CodeDeciderNotIndependent refuses an approval decision by someone involved in the request
	// (separation of duties). The API answers it 403 with the code "not_independent", where an
	// assignment of a validator who is not independent is 409.
	CodeDeciderNotIndependent Code = "decider_not_independent"
	// CodeWarningsNotAcknowledged refuses a create or PATCH of a validation request whose target
	// completion date has warnings (LEAD_TIME, REVALIDATION_OVERDUE) the body did not
	// acknowledge; the problem lists them under "warnings".
	CodeWarningsNotAcknowledged Code = "warnings_not_acknowledged"
	CodeLockTimeout             Code = "lock_timeout"
	CodeUnavailable             Code = "unavailable"
	CodeInternal                Code = "internal"
)

// FieldError names one offending input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one error type the service layer returns for anything a client caused or may act
// on. Anything else reaching the HTTP layer is an internal error and is never shown to a client.
type Error struct {
	Code    Code
	Message string
	// Fields lists per-field problems of an invalid_request.
	Fields []FieldError
	// Extra holds additional members of the problem body, such as "conflicts" of a
	// validation_conflict or "allowed" of an invalid_transition.
	Extra map[string]any
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf builds an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotACursor is what a list says of a cursor it cannot decode or that names no position it could
// have returned (the HTTP layer's decoding and every service's keyset check say it alike).
const NotACursor = "is not a cursor this API returned"

// BadCursor is the invalid_request of such a cursor.
func BadCursor() *Error { return Invalid("cursor", NotACursor) }

// Invalid is an invalid_request naming one field.
func Invalid(field, message string) *Error {
	return &Error{
		Code:    CodeInvalidRequest,
		Message: "the request is invalid",
		Fields:  []FieldError{fieldError(field, message)},
	}
}

// NotFound is a not_found error with a message naming what is missing.
func NotFound(format string, args ...any) *Error { return Errorf(CodeNotFound, format, args...) }

// NotFoundIDs is a not_found error naming which ids of an input field do not exist, with the
// field and the ids as extra members so a client can act on them.
func NotFoundIDs(what, field string, missing []int32) *Error {
	e := NotFound("%s %v do not exist", what, missing)
	e.Extra = map[string]any{"field": field, "missing_ids": missing}
	return e
}

// MissingIDs returns the ids of want for which exists is false, in want's order.
func MissingIDs(want []int32, exists func(id int32) bool) []int32 {
	var missing []int32
	for _, id := range want {
		if !exists(id) {
			missing = append(missing, id)
		}
	}
	return missing
}

// Forbidden is a forbidden error saying what the caller may not do.
func Forbidden(format string, args ...any) *Error { return Errorf(CodeForbidden, format, args...) }

// CodeOf returns the code of err if it is (or wraps) an *Error, and CodeInternal otherwise.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
