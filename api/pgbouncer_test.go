package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"mrmflow/internal/database"
	"mrmflow/internal/domain"
	"mrmflow/internal/testdb"
)

// TestIdempotentReplayOnTheOtherReplicaThroughPgBouncer: two replicas behind a transaction-pooling
// PgBouncer (default_query_exec_mode=cache_describe in the URL). A create sent with an
// Idempotency-Key to one replica replays byte for byte on the other; the same key sent to both
// at once creates one request, and every answer is that request. Not parallel: it may hold
// PgBouncer's server connections of its database.
func TestIdempotentReplayOnTheOtherReplicaThroughPgBouncer(t *testing.T) {
	d := testdb.NewThroughPgBouncer(t, 4)
	second, err := database.Open(context.Background(), d.URL, database.PoolOptions{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(second.Close)
	a, b := envOn(t, d, d.Pool), envOn(t, d, second)
	a.admin = a.user(domain.RoleAdmin)
	b.admin = a.admin
	v := a.user(domain.RoleValidator)
	m := a.vrModel(v, "PD model")

	body := vrCreateBody("INTERIM", m)
	first := a.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body, "Idempotency-Key", "replica-1").want(http.StatusCreated)
	again := b.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body, "Idempotency-Key", "replica-1").want(http.StatusCreated)
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("the other replica's replay differs:\n%s\n%s", first.Body, again.Body)
	}

	// The same new key on both replicas at once: one creates, the others wait on the key and
	// replay its answer.
	m2 := a.vrModel(v, "LGD model")
	body2 := vrCreateBody("INTERIM", m2)
	const senders = 6
	answers := make([][]byte, senders)
	statuses := make([]int, senders)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range senders {
		e := []*testEnv{a, b}[i%2]
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/validation-requests", bytes.NewReader(mustJSON(body2)))
			req.Header.Set("Authorization", "Bearer "+v.Token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "replica-2")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			defer func() { _ = resp.Body.Close() }()
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(resp.Body)
			statuses[i], answers[i] = resp.StatusCode, buf.Bytes()
		})
	}
	close(start)
	wg.Wait()
	for i := range senders {
		if statuses[i] != http.StatusCreated || !bytes.Equal(answers[i], answers[0]) {
			t.Errorf("sender %d: %d %s; sender 0: %s", i, statuses[i], answers[i], answers[0])
		}
	}
	var n int
	if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM validation_request_models WHERE model_id = ANY ($1)`,
		[]int32{m, m2}).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d requests for the two models (%v), want 2", n, err)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
