package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"mrmflow/api"
)

// contract is openapi.yaml loaded, validated and routed once per test binary.
var contract struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// loadContract returns the embedded OpenAPI document and a router over it; a document that does
// not load or does not validate fails every test that uses it.
func loadContract(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	contract.once.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.OpenAPIDocument)
		if err != nil {
			contract.err = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contract.err = err
			return
		}
		contract.doc = doc
		contract.router, contract.err = gorillamux.NewRouter(doc)
	})
	if contract.err != nil {
		t.Fatalf("openapi.yaml: %v", contract.err)
	}
	return contract.doc, contract.router
}

// checkOptions: security is the server's business (the tests call without tokens on purpose), and
// an answer whose status the document does not list is a contract violation.
var checkOptions = &openapi3filter.Options{
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	IncludeResponseStatus: true,
	MultiError:            true,
}

// checkAgainstOpenAPI validates one exchange against openapi.yaml:
//   - the answer always: its status must be documented for the operation, and its content type,
//     headers and body must match;
//   - the request only when the server accepted it (status < 400): the tests send invalid input
//     on purpose, and the server, not the document, is what refuses it;
//   - a request the document has no operation for must have been answered 404 or 405 with a
//     problem body; anything else is a route missing from the document.
func checkAgainstOpenAPI(t *testing.T, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	t.Helper()
	doc, router := loadContract(t)
	ctx := context.Background()

	vreq := req.Clone(ctx)
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		checkUnroutedAnswer(t, doc, req, err, resp, respBody)
		return
	}

	in := &openapi3filter.RequestValidationInput{
		Request:    vreq,
		PathParams: params,
		Route:      route,
		Options:    checkOptions,
	}
	if resp.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("openapi: %s %s was accepted (%d) but does not match the document: %v",
				req.Method, req.URL.RequestURI(), resp.StatusCode, err)
		}
	}
	// ValidateRequest consumed the body; the response check only needs the route and options.
	in.Request = req.Clone(ctx)
	in.Request.Body = io.NopCloser(bytes.NewReader(reqBody))
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(respBody)),
		Options:                checkOptions,
	})
	if err != nil {
		t.Errorf("openapi: answer %d to %s %s does not match the document: %v\nbody: %s",
			resp.StatusCode, req.Method, req.URL.RequestURI(), err, truncate(respBody))
	}
}

// checkUnroutedAnswer checks the answer to a request for which the document has no operation: it
// must be the router's own 404 (unknown path) or 405 (known path, other method) problem.
func checkUnroutedAnswer(t *testing.T, doc *openapi3.T, req *http.Request, routeErr error, resp *http.Response, respBody []byte) {
	t.Helper()
	var want int
	var component string
	switch {
	case errors.Is(routeErr, routers.ErrMethodNotAllowed):
		want, component = http.StatusMethodNotAllowed, "MethodNotAllowed"
	case errors.Is(routeErr, routers.ErrPathNotFound):
		want, component = http.StatusNotFound, "NotFound"
	default:
		t.Errorf("openapi: route %s %s: %v", req.Method, req.URL.Path, routeErr)
		return
	}
	if resp.StatusCode != want {
		t.Errorf("openapi: %s %s is not in the document (%v) but was answered %d, want %d: the route is undocumented",
			req.Method, req.URL.Path, routeErr, resp.StatusCode, want)
		return
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mediaType != "application/problem+json" {
		t.Errorf("openapi: %d answer to %s %s has content type %q, want application/problem+json",
			resp.StatusCode, req.Method, req.URL.Path, resp.Header.Get("Content-Type"))
		return
	}
	ref := doc.Components.Responses[component]
	if ref == nil || ref.Value == nil {
		t.Errorf("openapi: components.responses.%s is missing", component)
		return
	}
	schema := ref.Value.Content.Get("application/problem+json").Schema.Value
	var body any
	if err := json.Unmarshal(respBody, &body); err != nil {
		t.Errorf("openapi: %d answer to %s %s is not JSON: %v", resp.StatusCode, req.Method, req.URL.Path, err)
		return
	}
	if err := schema.VisitJSON(body, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors()); err != nil {
		t.Errorf("openapi: %d answer to %s %s does not match %s: %v\nbody: %s",
			resp.StatusCode, req.Method, req.URL.Path, component, err, truncate(respBody))
	}
}

func truncate(b []byte) []byte {
	const maxShown = 2000
	if len(b) > maxShown {
		return append(b[:maxShown:maxShown], "..."...)
	}
	return b
}
