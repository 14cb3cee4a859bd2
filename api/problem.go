package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// statusOf maps every domain error code to its HTTP status: the one table of the API.
var statusOf = map[domain.Code]int{
	domain.CodeInvalidRequest:        http.StatusBadRequest,
	domain.CodeUnauthenticated:       http.StatusUnauthorized,
	domain.CodeForbidden:             http.StatusForbidden,
	domain.CodeNotFound:              http.StatusNotFound,
	domain.CodeMethodNotAllowed:      http.StatusMethodNotAllowed,
	domain.CodeConflict:              http.StatusConflict,
	domain.CodeValidationConflict:    http.StatusConflict,
	domain.CodeInvalidTransition:     http.StatusConflict,
	domain.CodeInvalidStatus:         http.StatusConflict,
	domain.CodeValidationNotApproved: http.StatusConflict,
	domain.CodeBodyTooLarge:          http.StatusRequestEntityTooLarge,
	domain.CodeUnsupportedMediaType:  http.StatusUnsupportedMediaType,
	domain.CodeIdempotencyKeyReused:  http.StatusUnprocessableEntity,
	domain.CodeInternal:              http.StatusInternalServerError,
	domain.CodeLockTimeout:           http.StatusServiceUnavailable,
	domain.CodeUnavailable:           http.StatusServiceUnavailable,
}

// titleOf is the human summary of each code (RFC 9457 "title": the same for every occurrence).
var titleOf = map[domain.Code]string{
	domain.CodeInvalidRequest:        "Invalid request",
	domain.CodeUnauthenticated:       "Unauthenticated",
	domain.CodeForbidden:             "Forbidden",
	domain.CodeNotFound:              "Not found",
	domain.CodeMethodNotAllowed:      "Method not allowed",
	domain.CodeConflict:              "Conflict",
	domain.CodeValidationConflict:    "Validation conflict",
	domain.CodeInvalidTransition:     "Invalid status transition",
	domain.CodeInvalidStatus:         "Invalid status",
	domain.CodeValidationNotApproved: "Validation not approved",
	domain.CodeBodyTooLarge:          "Request body too large",
	domain.CodeUnsupportedMediaType:  "Unsupported media type",
	domain.CodeIdempotencyKeyReused:  "Idempotency key reused",
	domain.CodeInternal:              "Internal error",
	domain.CodeLockTimeout:           "Lock timeout",
	domain.CodeUnavailable:           "Service unavailable",
}

// retryAfterSeconds is what a 503 asks clients to wait before retrying.
const retryAfterSeconds = "1"

// writeProblem answers err as application/problem+json (RFC 9457). A database failure is first
// translated by the one rule every service uses (pgtx.Translate: lock_timeout or unavailable, a
// 503 with Retry-After), so a read outside a transaction that meets a restarting database is a
// 503 too. A *domain.Error is shown as it is; anything else is logged with the request id and
// answered as a bare 500 that leaks nothing.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	err = pgtx.Translate(err)
	var e *domain.Error
	switch {
	case errors.As(err, &e):
		if pgtx.Classify(err) != pgtx.Other {
			s.log.WarnContext(r.Context(), "database failure", "request_id", requestID(r.Context()), "code", e.Code, "error", err)
		}
	default:
		s.log.ErrorContext(r.Context(), "internal error", "request_id", requestID(r.Context()), "error", err)
		e = domain.Errorf(domain.CodeInternal, "an internal error occurred; quote the request id when reporting it")
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	body := map[string]any{
		"type":       "urn:mrmflow:problem:" + string(e.Code),
		"title":      titleOf[e.Code],
		"status":     status,
		"detail":     e.Message,
		"code":       e.Code,
		"instance":   r.URL.Path,
		"request_id": requestID(r.Context()),
	}
	if len(e.Fields) > 0 {
		body["errors"] = e.Fields
	}
	for k, v := range e.Extra {
		body[k] = v
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="mrmflow"`)
	}
	b, mErr := json.Marshal(body)
	if mErr != nil {
		s.log.ErrorContext(r.Context(), "encode problem", "error", mErr)
		b = []byte(`{"code":"internal","status":500}`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeJSON answers v as JSON with status.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeRawJSON(w, status, b)
}

func writeRawJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
