// Package load is mrmflow's HTTP load generator: it builds a fixture through the public API and
// drives the validation-request scenarios (create-distinct, create-hot, create-multi) and bulk
// deployment confirmation against running `mrmflow serve` replicas, measuring what a client sees.
//
// It talks to the service only over HTTP, as a real client would, so the numbers include the
// router, the middleware, JSON and the connection pool, and the same code can drive one replica
// or several behind no load balancer at all (requests round-robin over the base URLs).
package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"mrmflow/client"
)

// requestTimeout bounds one HTTP exchange. It is generous because a 1,000-task bulk confirmation
// is one request; a hung server still surfaces as a transport error instead of a stuck client.
const requestTimeout = 2 * time.Minute

// Client talks to one or more running `mrmflow serve` replicas with one bearer token, through the
// client generated from api/openapi.yaml (mrmflow/client), so a request body or an answer that
// drifts from the document breaks the build or Prepare, not a benchmark's figures. Requests
// round-robin over the replicas, so N replicas share the load evenly without a load balancer.
// A Client is safe for concurrent use.
type Client struct {
	replicas []*client.Client
	http     *http.Client
	next     atomic.Uint64
}

// NewClient returns a Client for baseURLs (for example "http://127.0.0.1:8080") that keeps up to
// maxConns idle keep-alive connections per replica. maxConns should be at least the number of
// concurrent clients: a smaller idle pool makes Go close and re-dial connections under load, and
// the benchmark would then measure TCP handshakes instead of the service.
func NewClient(baseURLs []string, token string, maxConns int) *Client {
	maxConns = max(maxConns, 1)
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConns:        0, // no global cap: MaxIdleConnsPerHost bounds each replica
		MaxIdleConnsPerHost: maxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // small JSON bodies; gzip would only add client CPU
		ForceAttemptHTTP2:   false,
	}
	c := &Client{http: &http.Client{Transport: transport, Timeout: requestTimeout}}
	for _, u := range baseURLs {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u == "" {
			continue
		}
		// The raw generated client (not ClientWithResponses): the measured loops read only the
		// status, and the fixture code decodes what it needs (call).
		api, err := client.NewClient(u, client.WithHTTPClient(c.http), client.WithRequestEditorFn(client.BearerToken(token)))
		if err != nil {
			panic(err) // the options above never fail
		}
		c.replicas = append(c.replicas, api)
	}
	if len(c.replicas) == 0 {
		api, _ := client.NewClient("http://replica.invalid", client.WithHTTPClient(noReplica{}))
		c.replicas = append(c.replicas, api)
	}
	return c
}

// Close releases the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// noReplica is the HTTP client of a Client built without a base URL: every call fails with a
// transport error instead of reaching some default host.
type noReplica struct{}

func (noReplica) Do(*http.Request) (*http.Response, error) {
	return nil, errors.New("no base URL configured")
}

// api picks the next replica in round-robin order.
func (c *Client) api() *client.Client {
	n := c.next.Add(1) - 1
	return c.replicas[n%uint64(len(c.replicas))]
}

// answer reads an answer of the generated client to the end and closes it, so the connection goes
// back to the keep-alive pool, and returns its status and body. err is a transport error only
// (connection refused, timeout, cut connection); any HTTP status is a normal answer.
func answer(resp *http.Response, err error) (int, []byte, error) {
	if err != nil {
		return 0, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	if closeErr := resp.Body.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, body, nil
}

// StatusError is an answer with another status than the one the fixture code needed; it keeps
// the start of the body so the problem+json code and detail show in the error message.
type StatusError struct {
	Method, Path string
	Status, Want int
	Body         string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: status %d, want %d: %s", e.Method, e.Path, e.Status, e.Want, e.Body)
}

// call sends one request, built by send with the next replica's generated client, requires status
// want and decodes the answer into out (when not nil) with the generated types:
//
//	err := c.call(201, &region, func(api *client.Client) (*http.Response, error) {
//		return api.CreateRegion(ctx, nil, in)
//	})
//
// The fixture code uses it; the measured loops use answer directly to avoid the decoding.
func (c *Client) call(want int, out any, send func(api *client.Client) (*http.Response, error)) error {
	resp, err := send(c.api())
	if err != nil {
		return err // a transport error names the method and the URL itself (*url.Error)
	}
	method, path := resp.Request.Method, resp.Request.URL.Path
	status, body, err := answer(resp, nil)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		const keep = 500
		if len(body) > keep {
			body = append(body[:keep:keep], "..."...)
		}
		return &StatusError{Method: method, Path: path, Status: status, Want: want, Body: string(body)}
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("decode %s %s answer: %w", method, path, err)
		}
	}
	return nil
}

// date is a fixture's calendar date (a constant, so a bad one is a bug) as the generated client
// takes it.
func date(s string) client.Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return client.Date{Time: t}
}
