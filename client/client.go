package client

// This file is the hand-written part of the package; client.gen.go is generated from
// api/openapi.yaml by `make generate` and never edited (docs/client.md).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxProblemBody bounds how much of an error answer ProblemErrors reads. The server's problems
// are far smaller (docs/limits.md); a larger body is not one of them, and its start is enough to
// say what it was.
const maxProblemBody = 1 << 20

// New returns a client for the mrmflow server at baseURL (for example "http://127.0.0.1:8080")
// that sends token as a bearer token with every request and returns every answer of status 400
// or above as an *Error (ProblemErrors), so a caller checks err and then reads the typed success
// field (JSON200, JSON201) of the answer. opts are applied first: WithHTTPClient, for one, sets
// the HTTP client the problems are read from.
func New(baseURL, token string, opts ...ClientOption) (*ClientWithResponses, error) {
	all := make([]ClientOption, 0, len(opts)+2)
	all = append(all, WithRequestEditorFn(BearerToken(token)))
	all = append(all, opts...)
	all = append(all, ProblemErrors())
	return NewClientWithResponses(baseURL, all...)
}

// BearerToken sets `Authorization: Bearer <token>` on a request: a RequestEditorFn for the
// whole client (WithRequestEditorFn) or for one call.
func BearerToken(token string) RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// ProblemErrors turns every answer of status 400 or above into an *Error returned by the call,
// instead of an answer whose typed problem field (ApplicationproblemJSON409, ...) the caller must
// look for. It wraps the HTTP client set so far, so it must come after WithHTTPClient.
func ProblemErrors() ClientOption {
	return func(c *Client) error {
		next := c.Client
		if next == nil {
			next = &http.Client{}
		}
		c.Client = problemDoer{next: next}
		return nil
	}
}

// problemDoer is the HTTP client of ProblemErrors.
type problemDoer struct{ next HttpRequestDoer }

func (d problemDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.next.Do(req)
	if err != nil || resp.StatusCode < http.StatusBadRequest {
		return resp, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProblemBody))
	if err != nil {
		return nil, fmt.Errorf("%s %s: status %d, body unread: %w", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	return nil, ParseProblem(resp, body)
}

// Error is an error answer of the server: its problem+json body (docs/errors.md) as a Go error.
// An answer that is not problem+json (a proxy's 502 page, say) is an Error too, with an empty Code
// and the start of its body as Detail.
type Error struct {
	// Status is the HTTP status of the answer.
	Status int
	// Code is the problem's stable machine code (validation_conflict, not_found, ...).
	Code ErrorCode
	// Detail is the problem's sentence for a human.
	Detail string
	// RequestID names the request in the server's log: the problem's request_id, else the
	// X-Request-ID header. Quote it when reporting a problem.
	RequestID string
	// Fields are the offending fields of an invalid_request, each with its message.
	Fields []FieldError
	// Body is the whole answer, for the members a code adds (conflicts, unmet, versions,
	// warnings): decode it into the generated type of the operation's problem.
	Body []byte
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mrmflow: %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	for i, f := range e.Fields {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Fields)-i)
			break
		}
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request_id %s)", e.RequestID)
	}
	return b.String()
}

// ParseProblem returns the *Error of an error answer whose body was read into body. The answer of
// a client built without ProblemErrors has its body in the Body field of the operation's answer:
// ParseProblem(answer.HTTPResponse, answer.Body).
func ParseProblem(resp *http.Response, body []byte) *Error {
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-ID"), Body: body}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var p Problem
	if mediaType != "application/problem+json" || json.Unmarshal(body, &p) != nil {
		const keep = 200
		e.Detail = strings.TrimSpace(string(body[:min(len(body), keep)]))
		return e
	}
	e.Code, e.Detail = p.Code, p.Detail
	if p.RequestId != "" {
		e.RequestID = p.RequestId
	}
	if p.Errors != nil {
		e.Fields = *p.Errors
	}
	return e
}
