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
// internal/domain. They are ordinary domain.Codes, answered through the same table below.
const (
	codeBodyTooLarge         domain.Code = "body_too_large"
	codeUnsupportedMediaType domain.Code = "unsupported_media_type"
	codeMethodNotAllowed     domain.Code = "method_not_allowed"
)

// problemKind is how the API answers one domain error code: its HTTP status, its RFC 9457
// "title" (the same for every occurrence), and the code clients see when it is not the domain's.
type problemKind struct {
	status int
	title  string
	// wire is the code clients see in place of the domain code, when set.
	wire domain.Code
}

// problemOf maps every domain error code to its answer: the one table of the API. A decider
// involved in the request is refused 403 where an assignment of an involved validator is refused
// 409, and both are "not_independent" to clients.
var problemOf = map[domain.Code]problemKind{
	domain.CodeInvalidRequest:            {http.StatusBadRequest, "Invalid request", ""},
	domain.CodeUnauthenticated:           {http.StatusUnauthorized, "Unauthenticated", ""},
	domain.CodeForbidden:                 {http.StatusForbidden, "Forbidden", ""},
	domain.CodeNotFound:                  {http.StatusNotFound, "Not found", ""},
	codeMethodNotAllowed:                 {http.StatusMethodNotAllowed, "Method not allowed", ""},
	domain.CodeConflict:                  {http.StatusConflict, "Conflict", ""},
	domain.CodeValidationConflict:        {http.StatusConflict, "Validation conflict", ""},
	domain.CodeInvalidTransition:         {http.StatusConflict, "Invalid status transition", ""},
	domain.CodeInvalidStatus:             {http.StatusConflict, "Invalid status", ""},
	domain.CodeValidationNotApproved:     {http.StatusConflict, "Validation not approved", ""},
	domain.CodeDeciderNotIndependent:     {http.StatusForbidden, "Not independent", domain.CodeNotIndependent},
	domain.CodeGateNotMet:                {http.StatusConflict, "Status gate not met", ""},
	domain.CodeNotIndependent:            {http.StatusConflict, "Not independent", ""},
	domain.CodeTargetAfterImplementation: {http.StatusConflict, "Target after implementation", ""},
	domain.CodeWarningsNotAcknowledged:   {http.StatusConflict, "Warnings not acknowledged", ""},
	domain.CodeExportTooLarge:            {http.StatusBadRequest, "Export too large", ""},
	codeBodyTooLarge:                     {http.StatusRequestEntityTooLarge, "Request body too large", ""},
	codeUnsupportedMediaType:             {http.StatusUnsupportedMediaType, "Unsupported media type", ""},
	domain.CodeIdempotencyKeyReused:      {http.StatusUnprocessableEntity, "Idempotency key reused", ""},
	domain.CodeInternal:                  {http.StatusInternalServerError, "Internal error", ""},
	domain.CodeLockTimeout:               {http.StatusServiceUnavailable, "Lock timeout", ""},
	domain.CodeUnavailable:               {http.StatusServiceUnavailable, "Service unavailable", ""},
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
	kind, ok := problemOf[e.Code]
	if !ok {
		kind.status = http.StatusInternalServerError
	}
	status, code := kind.status, e.Code
	if kind.wire != "" {
		code = kind.wire
	}
	body := map[string]any{
		"type":       "urn:mrmflow:problem:" + string(code),
		"title":      kind.title,
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
