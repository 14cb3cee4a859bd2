package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetricsLabelsAreBounded sends 1,000 requests with distinct made-up methods and paths,
// without a token: the latency histogram must not gain a series per request (each series lives
// in memory for the life of the process), only the bounded labels "OTHER" and "unmatched".
func TestMetricsLabelsAreBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	send := func(method, path string) {
		t.Helper()
		req, err := http.NewRequest(method, e.srv.URL+path, nil)
		if err != nil {
			t.Fatalf("build %s %s: %v", method, path, err)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	// One request of each kind first (and one of /metrics, which the counting reads), so every
	// bounded series the junk can reach exists.
	shapes := func(i int) [][2]string {
		return [][2]string{
			{fmt.Sprintf("JUNK%d", i), fmt.Sprintf("/junk/%d", i)},
			{fmt.Sprintf("JUNK%d", i), "/api/v1/models"},
			{http.MethodGet, fmt.Sprintf("/api/v1/junk/%d", i)},
			{fmt.Sprintf("JUNK%d", i), "/healthz"},
		}
	}
	for _, s := range shapes(0) {
		send(s[0], s[1])
	}
	send(http.MethodGet, "/metrics")
	before := e.histogramSeries()
	if before == 0 {
		t.Fatal("the latency histogram has no series: the test would count nothing")
	}
	for i := 1; i <= 1000; i++ {
		s := shapes(i)[i%4]
		send(s[0], s[1])
	}
	after := e.histogramSeries()
	if after != before {
		t.Fatalf("1,000 junk requests took the latency histogram from %d to %d series", before, after)
	}
	body := e.call(http.MethodGet, "/metrics", "", nil).want(http.StatusOK).Body
	if !bytes.Contains(body, []byte(`method="OTHER"`)) {
		t.Error(`/metrics has no method="OTHER" series`)
	}
	if bytes.Contains(body, []byte(`JUNK`)) || bytes.Contains(body, []byte(`/junk/`)) {
		t.Error("/metrics names a junk method or path")
	}
}

// histogramSeries counts the series of the request latency histogram in /metrics.
func (e *testEnv) histogramSeries() int {
	e.t.Helper()
	body := e.call(http.MethodGet, "/metrics", "", nil).want(http.StatusOK).Body
	n := 0
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "mrmflow_http_request_duration_seconds_count{") {
			n++
		}
	}
	return n
}
