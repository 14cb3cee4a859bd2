package client_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mrmflow/client"
)

// answering starts a server that records each request's Authorization header and answers with
// status, contentType and body.
func answering(t *testing.T, status int, contentType, body string, auth *string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-Request-ID", "from-header")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestNewSendsTheTokenAndDecodesSuccess(t *testing.T) {
	t.Parallel()
	var auth string
	url := answering(t, http.StatusOK, "application/json", `{"status":"ok"}`, &auth)
	c, err := client.New(url, "mrm_1_secret")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.HealthzWithResponse(t.Context())
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	if auth != "Bearer mrm_1_secret" {
		t.Errorf("Authorization %q, want the bearer token", auth)
	}
	if r.JSON200 == nil || r.JSON200.Status != client.HealthStatusOk {
		t.Errorf("healthz answer %+v", r.JSON200)
	}
}

func TestNewReturnsAProblemAsError(t *testing.T) {
	t.Parallel()
	var auth string
	url := answering(t, http.StatusBadRequest, "application/problem+json", `{"type":"urn:mrmflow:problem:invalid_request",
		"title":"Bad Request","status":400,"code":"invalid_request","detail":"the request is invalid","instance":"/api/v1/regions",
		"request_id":"r-1","errors":[{"field":"code","message":"is required"},{"field":"name","message":"is required"}]}`, &auth)
	c, err := client.New(url, "t")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.CreateRegionWithResponse(t.Context(), nil, client.RegionCreate{})
	var p *client.Error
	if !errors.As(err, &p) {
		t.Fatalf("answer %+v, error %v: want a *client.Error", r, err)
	}
	if p.Status != 400 || p.Code != client.ErrorCodeInvalidRequest || p.RequestID != "r-1" || len(p.Fields) != 2 ||
		p.Fields[1].Field != "name" || !strings.Contains(string(p.Body), `"instance"`) {
		t.Fatalf("problem %+v", p)
	}
	if msg := p.Error(); msg != "mrmflow: 400 invalid_request: the request is invalid; code: is required; name: is required (request_id r-1)" {
		t.Errorf("message %q", msg)
	}
}

func TestNewReturnsAnAnswerThatIsNoProblemAsError(t *testing.T) {
	t.Parallel()
	var auth string
	url := answering(t, http.StatusBadGateway, "text/html", "<html>bad gateway</html>", &auth)
	c, err := client.New(url, "t")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.HealthzWithResponse(t.Context())
	var p *client.Error
	if !errors.As(err, &p) || p.Status != http.StatusBadGateway || p.Code != "" || p.Detail != "<html>bad gateway</html>" || p.RequestID != "from-header" {
		t.Fatalf("error %v (%+v): want a 502 *client.Error with the body as detail and the header's request id", err, p)
	}
}

// Without ProblemErrors an error answer is an answer: the raw client's caller reads the status,
// and ParseProblem makes the same *Error of it.
func TestWithoutProblemErrorsAnErrorIsAnAnswer(t *testing.T) {
	t.Parallel()
	var auth string
	url := answering(t, http.StatusConflict, "application/problem+json",
		`{"status":409,"code":"conflict","detail":"region code EU is taken","request_id":"r-2"}`, &auth)
	c, err := client.NewClientWithResponses(url, client.WithRequestEditorFn(client.BearerToken("t")))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.CreateRegionWithResponse(t.Context(), nil, client.RegionCreate{Code: "EU", Name: "Europe"})
	if err != nil || r.StatusCode() != http.StatusConflict || r.ApplicationproblemJSON409 == nil {
		t.Fatalf("answer %+v, error %v: want the 409 as an answer", r, err)
	}
	if auth != "Bearer t" {
		t.Errorf("Authorization %q", auth)
	}
	if p := client.ParseProblem(r.HTTPResponse, r.Body); p.Code != client.ErrorCodeConflict || p.RequestID != "r-2" {
		t.Errorf("ParseProblem: %+v", p)
	}
}
