package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	"mrmflow/api"
	"mrmflow/internal/app"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
)

// TestOpenAPIMatchesRouter checks that openapi.yaml documents exactly the routes Server.Router()
// registers: no undocumented route, no documented operation the server does not serve.
func TestOpenAPIMatchesRouter(t *testing.T) {
	t.Parallel()
	doc, _ := loadContract(t)

	served := map[string]bool{}
	err := api.New(api.Deps{Metrics: metrics.New(), Services: app.New(nil, pgtx.Limits{}, nil, 0)}).Router().Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		// Every route is registered with a path and methods; one without either would serve
		// something the document cannot describe.
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return fmt.Errorf("route without a path template: %w", err)
		}
		methods, err := route.GetMethods()
		if err != nil {
			return fmt.Errorf("route %s without methods: %w", tpl, err)
		}
		for _, m := range methods {
			served[strings.ToUpper(m)+" "+tpl] = true
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk router: %v", err)
	}

	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}

	if len(served) == 0 {
		t.Fatal("the router serves no routes")
	}
	for _, op := range sortedKeys(served) {
		if !documented[op] {
			t.Errorf("%s is served but not documented in openapi.yaml", op)
		}
	}
	for _, op := range sortedKeys(documented) {
		if !served[op] {
			t.Errorf("%s is documented in openapi.yaml but not served by Server.Router()", op)
		}
	}
}

// TestOpenAPIDocumentShape checks what later fragments and clients rely on: the shared error
// responses exist, every /api/v1 operation needs bearerAuth, and every operation has an id.
func TestOpenAPIDocumentShape(t *testing.T) {
	t.Parallel()
	doc, _ := loadContract(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi version %q, want 3.1.x", doc.OpenAPI)
	}
	for _, name := range []string{
		"BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "UnprocessableEntity",
		"PayloadTooLarge", "UnsupportedMediaType", "MethodNotAllowed", "ServiceUnavailable", "InternalError",
	} {
		ref := doc.Components.Responses[name]
		if ref == nil || ref.Value == nil || ref.Value.Content.Get("application/problem+json") == nil {
			t.Errorf("components.responses.%s is missing or not application/problem+json", name)
		}
	}
	if doc.Components.SecuritySchemes["bearerAuth"] == nil {
		t.Error("components.securitySchemes.bearerAuth is missing")
	}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", where)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share operationId %q", where, other, op.OperationID)
			}
			ids[op.OperationID] = where
			if !strings.HasPrefix(path, "/api/v1/") {
				continue
			}
			secured := op.Security != nil && slices.ContainsFunc(*op.Security, func(req openapi3.SecurityRequirement) bool {
				_, ok := req["bearerAuth"]
				return ok
			})
			if !secured && (doc.Security == nil || op.Security != nil) {
				t.Errorf("%s does not require bearerAuth", where)
			}
			if op.Responses.Status(401) == nil {
				t.Errorf("%s does not document 401", where)
			}
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
