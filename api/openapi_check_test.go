package api_test

import (
	"net/http"
	"testing"
)

// checkAgainstOpenAPI validates one exchange against openapi.yaml.
func checkAgainstOpenAPI(t *testing.T, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	t.Helper()
}
