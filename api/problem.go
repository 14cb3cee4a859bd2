package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// The codes only the HTTP transport raises: no service can meet an oversized body, a wrong
// Content-Type or a method a route does not serve, so they live here rather than in
// internal/domain. They are ordinary domain.Codes, answered through the same tables below.
const (
	codeBodyTooLarge         domain.Code = "body_too_large"
	codeUnsupportedMediaType domain.Code = "unsupported_media_type"
	codeMethodNotAllowed     domain.Code = "method_not_allowed"
)

// statusOf maps every domain error code to its HTTP status: the one table of the API.
var statusOf = map[domain.Code]int{
	domain.CodeInvalidRequest:            http.StatusBadRequest,
	domain.CodeUnauthenticated:           http.StatusUnauthorized,
	domain.CodeForbidden:                 http.StatusForbidden,
	domain.CodeNotFound:                  http.StatusNotFound,
	codeMethodNotAllowed:                 http.StatusMethodNotAllowed,
	domain.CodeConflict:                  http.StatusConflict,
	domain.CodeValidationConflict:        http.StatusConflict,
	domain.CodeInvalidTransition:         http.StatusConflict,
	domain.CodeInvalidStatus:             http.StatusConflict,
	domain.CodeValidationNotApproved:     http.StatusConflict,
	domain.CodeDeciderNotIndependent:     http.StatusForbidden,
	domain.CodeGateNotMet:                http.StatusConflict,
	domain.CodeNotIndependent:            http.StatusConflict,
	domain.CodeTargetAfterImplementation: http.StatusConflict,
	domain.CodeWarningsNotAcknowledged:   http.StatusConflict,
	domain.CodeExportTooLarge:            http.StatusBadRequest,
	codeBodyTooLarge:                     http.StatusRequestEntityTooLarge,
	codeUnsupportedMediaType:             http.StatusUnsupportedMediaType,
	domain.CodeIdempotencyKeyReused:      http.StatusUnprocessableEntity,
	domain.CodeInternal:                  http.StatusInternalServerError,
	domain.CodeLockTimeout:               http.StatusServiceUnavailable,
	domain.CodeUnavailable:               http.StatusServiceUnavailable,
}

// titleOf is the human summary of each code (RFC 9457 "title": the same for every occurrence).
var titleOf = map[domain.Code]string{
	domain.CodeInvalidRequest:            "Invalid request",
	domain.CodeUnauthenticated:           "Unauthenticated",
	domain.CodeForbidden:                 "Forbidden",
	domain.CodeNotFound:                  "Not found",
	codeMethodNotAllowed:                 "Method not allowed",
	domain.CodeConflict:                  "Conflict",
	domain.CodeValidationConflict:        "Validation conflict",
	domain.CodeInvalidTransition:         "Invalid status transition",
	domain.CodeInvalidStatus:             "Invalid status",
	domain.CodeValidationNotApproved:     "Validation not approved",
	domain.CodeDeciderNotIndependent:     "Not independent",
	domain.CodeGateNotMet:                "Status gate not met",
	domain.CodeNotIndependent:            "Not independent",
	domain.CodeTargetAfterImplementation: "Target after implementation",
	domain.CodeWarningsNotAcknowledged:   "Warnings not acknowledged",
	domain.CodeExportTooLarge:            "Export too large",
	codeBodyTooLarge:                     "Request body too large",
	codeUnsupportedMediaType:             "Unsupported media type",
	domain.CodeIdempotencyKeyReused:      "Idempotency key reused",
	domain.CodeInternal:                  "Internal error",
	domain.CodeLockTimeout:               "Lock timeout",
	domain.CodeUnavailable:               "Service unavailable",
}

// wireCodeOf names the codes that clients see under another name: a decider involved in the
// request is refused 403 where an assignment of an involved validator is refused 409, and both
// are "not_independent" to clients.
var wireCodeOf = map[domain.Code]domain.Code{
	domain.CodeDeciderNotIndependent: "not_independent",
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
	code := e.Code
	if wire, ok := wireCodeOf[code]; ok {
		code = wire
	}
	body := map[string]any{
		"type":       "urn:mrmflow:problem:" + string(code),
		"title":      titleOf[e.Code],
		"status":     status,
		"detail":     e.Message,
		"code":       code,
		"instance":   instanceOf(r),
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

// maxInstanceBytes bounds the request path echoed as a problem's instance: the path is the
// client's, and an error answer must stay small whatever was sent.
const maxInstanceBytes = 1024

// instanceOf is the problem's instance: the request path, cut at maxInstanceBytes.
func instanceOf(r *http.Request) string {
	p := r.URL.Path
	if len(p) > maxInstanceBytes {
		p = strings.ToValidUTF8(p[:maxInstanceBytes], "") + "…"
	}
	return p
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
