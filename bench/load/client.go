// Package load is mrmflow's HTTP load generator: it builds a fixture through the public API and
// drives the validation-request scenarios (create-distinct, create-hot, create-multi) and bulk
// deployment confirmation against running `mrmflow serve` replicas, measuring what a client sees.
//
// It talks to the service only over HTTP, as a real client would, so the numbers include the
// router, the middleware, JSON and the connection pool, and the same code can drive one replica
// or several behind no load balancer at all (requests round-robin over the base URLs).
package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// requestTimeout bounds one HTTP exchange. It is generous because a 1,000-task bulk confirmation
// is one request; a hung server still surfaces as a transport error instead of a stuck client.
const requestTimeout = 2 * time.Minute

// Client talks to one or more running `mrmflow serve` replicas with one bearer token. Requests
// round-robin over BaseURLs, so N replicas share the load evenly without a load balancer.
// A Client is safe for concurrent use.
type Client struct {
	baseURLs []string
	token    string
	http     *http.Client
	next     atomic.Uint64
}

// NewClient returns a Client for baseURLs (for example "http://127.0.0.1:8080") that keeps up to
// maxConns idle keep-alive connections per replica. maxConns should be at least the number of
// concurrent clients: a smaller idle pool makes Go close and re-dial connections under load, and
// the benchmark would then measure TCP handshakes instead of the service.
func NewClient(baseURLs []string, token string, maxConns int) *Client {
	maxConns = max(maxConns, 1)
	urls := make([]string, 0, len(baseURLs))
	for _, u := range baseURLs {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			urls = append(urls, u)
		}
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConns:        0, // no global cap: MaxIdleConnsPerHost bounds each replica
		MaxIdleConnsPerHost: maxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // small JSON bodies; gzip would only add client CPU
		ForceAttemptHTTP2:   false,
	}
	return &Client{
		baseURLs: urls,
		token:    token,
		http:     &http.Client{Transport: transport, Timeout: requestTimeout},
	}
}

// Close releases the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// baseURL picks the next replica in round-robin order.
func (c *Client) baseURL() string {
	n := c.next.Add(1) - 1
	return c.baseURLs[n%uint64(len(c.baseURLs))]
}

// send does one exchange and returns the status and the whole body. The body is always read to
// the end and closed so the connection goes back to the keep-alive pool. err is a transport
// error only (connection refused, timeout, cut connection); any HTTP status is a normal answer.
func (c *Client) send(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	if len(c.baseURLs) == 0 {
		return 0, nil, fmt.Errorf("no base URL configured")
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL()+path, reader)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, respBody, nil
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

// call sends in as JSON, requires status want, and decodes the answer into out (when not nil).
// The fixture code uses it; the measured loops use send directly to avoid the decoding.
func (c *Client) call(ctx context.Context, method, path string, in any, want int, out any) error {
	var raw []byte
	if in != nil {
		var err error
		if raw, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
	}
	status, body, err := c.send(ctx, method, path, raw)
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
