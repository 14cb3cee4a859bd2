package api_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"mrmflow/api"
	"mrmflow/client"
)

// contractDoer is the HTTP client under the generated client (mrmflow/client) in these tests: it
// sends each request to the test server and checks the exchange against openapi.yaml, as
// testEnv.call does. A drift between the document and the server then fails a test twice: the
// generated types do not decode the answer, and the check names the difference.
type contractDoer struct {
	t    *testing.T
	next *http.Client
}

func (d contractDoer) Do(req *http.Request) (*http.Response, error) {
	d.t.Helper()
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := d.next.Do(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	checkAgainstOpenAPI(d.t, req, reqBody, resp, respBody)
	return resp, nil
}

// client returns the generated client of the test server as the user whose token is given, built
// as the README's "From Go" builds it (client.New): error answers come back as *client.Error.
func (e *testEnv) client(token string) *client.ClientWithResponses {
	e.t.Helper()
	c, err := client.New(e.srv.URL, token, client.WithHTTPClient(contractDoer{t: e.t, next: e.srv.Client()}))
	if err != nil {
		e.t.Fatalf("client: %v", err)
	}
	return c
}

// answered checks one call of the generated client: it returns a function that fails the test
// unless the call returned no error and the status wanted, and then returns the answer.
//
//	region := answered(c.CreateRegionWithResponse(ctx, nil, body))(t, http.StatusCreated).JSON201
func answered[A interface{ StatusCode() int }](a A, err error) func(t *testing.T, status int) A {
	return func(t *testing.T, status int) A {
		t.Helper()
		if err != nil {
			t.Fatalf("want status %d: %v", status, err)
		}
		if got := a.StatusCode(); got != status {
			t.Fatalf("status %d, want %d", got, status)
		}
		return a
	}
}

// TestGeneratedClientServesTheDocument reads GET /openapi.yaml through the generated client: the
// one answer that is not JSON (described as binary so that every generator takes it, docs/client.md)
// comes back byte for byte, and the health probe decodes into its generated type.
func TestGeneratedClientServesTheDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("")
	doc := answered(c.OpenapiWithResponse(t.Context()))(t, http.StatusOK)
	if !bytes.Equal(doc.Body, api.OpenAPIDocument) {
		t.Error("the generated client's /openapi.yaml is not the embedded document")
	}
	health := answered(c.HealthzWithResponse(t.Context()))(t, http.StatusOK).JSON200
	if health == nil || health.Status == "" {
		t.Errorf("healthz: %+v", health)
	}
}
