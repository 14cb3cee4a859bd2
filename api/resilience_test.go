package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/api"
	"mrmflow/internal/app"
	"mrmflow/internal/database"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// envOn starts the API as one replica on pool, over the database d (which fixtures use).
func envOn(t *testing.T, d *testdb.DB, pool *pgxpool.Pool) *testEnv {
	t.Helper()
	m := metrics.New()
	srv := api.New(api.Deps{
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics:        m,
		Pool:           pool,
		Services:       app.New(pool, pgtx.Limits{LockTimeout: 5 * time.Second}, m, 0),
		RequestTimeout: 30 * time.Second,
	})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &testEnv{t: t, db: d, srv: ts}
}

// load drives a mix of reads, creates and bulk confirmations at replicas until stopped, and
// records every answer. Workers never fail the test themselves; check does, afterwards.
type load struct {
	t       *testing.T
	urls    []string
	token   string
	modelID int32
	batches chan []int32 // task ids of one bulk call each

	client *http.Client
	stop   chan struct{}
	wg     sync.WaitGroup
	seq    atomic.Int64

	mu        sync.Mutex
	statuses  map[int]int
	bad       []string  // answers that break the contract (a 500, a 503 without Retry-After, ...)
	created   []int32   // request ids answered 201
	confirmed []int32   // task ids in the succeeded list of a 200
	unknown   [][]int32 // batches answered 503: all committed or none
	okTimes   []time.Time
}

func newLoad(t *testing.T, urls []string, token string, modelID int32, batches [][]int32) *load {
	l := &load{t: t, urls: urls, token: token, modelID: modelID, batches: make(chan []int32, len(batches)),
		client: &http.Client{Timeout: 30 * time.Second}, stop: make(chan struct{}), statuses: map[int]int{}}
	for _, b := range batches {
		l.batches <- b
	}
	return l
}

// run starts readers, creators and one bulk caller.
func (l *load) run(readers, creators int) {
	for i := range readers {
		l.worker(func() { l.read(i) })
	}
	for range creators {
		l.worker(l.create)
	}
	l.worker(l.bulk)
}

func (l *load) worker(step func()) {
	l.wg.Go(func() {
		for {
			select {
			case <-l.stop:
				return
			default:
				step()
			}
		}
	})
}

// finish stops the workers and waits for them.
func (l *load) finish() {
	close(l.stop)
	l.wg.Wait()
}

// send makes one call and records its answer; it returns the status and body (0 on a transport
// error, which is itself a contract break: the service must always answer).
func (l *load) send(method, path string, body any, headers ...string) (int, []byte) {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	base := l.urls[int(l.seq.Add(1))%len(l.urls)]
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+l.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := l.client.Do(req)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.bad = append(l.bad, fmt.Sprintf("%s %s: %v", method, path, err))
		return 0, nil
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	l.statuses[resp.StatusCode]++
	switch {
	case resp.StatusCode < 300:
		l.okTimes = append(l.okTimes, time.Now())
	case resp.StatusCode == http.StatusServiceUnavailable:
		if resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/problem+json" {
			l.bad = append(l.bad, fmt.Sprintf("%s %s: 503 without Retry-After or problem+json: %s", method, path, b))
		}
	default:
		l.bad = append(l.bad, fmt.Sprintf("%s %s: %d %s", method, path, resp.StatusCode, b))
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		// A client backs off; it also keeps the workers from spinning while the database is away.
		defer time.Sleep(10 * time.Millisecond)
	}
	return resp.StatusCode, b
}

func (l *load) read(i int) {
	if i%2 == 0 {
		l.send(http.MethodGet, "/api/v1/models?limit=10", nil)
	} else {
		l.send(http.MethodGet, "/api/v1/validation-requests?limit=5&model_id="+strconv.Itoa(int(l.modelID)), nil)
	}
}

// create adds a TARGETED validation request (TARGETED may overlap anything: always 201).
func (l *load) create() {
	body := vrCreateBody("TARGETED", l.modelID)
	body["trigger_reason"] = "load"
	status, b := l.send(http.MethodPost, "/api/v1/validation-requests", body, "Idempotency-Key", fmt.Sprintf("load-%d", l.seq.Add(1)))
	if status == http.StatusCreated {
		var v vrAnswer
		if err := json.Unmarshal(b, &v); err == nil {
			l.mu.Lock()
			l.created = append(l.created, v.RequestID)
			l.mu.Unlock()
		}
	}
}

// bulk confirms the next batch of tasks, if any is left.
func (l *load) bulk() {
	var ids []int32
	select {
	case ids = <-l.batches:
	default:
		time.Sleep(10 * time.Millisecond)
		return
	}
	status, b := l.send(http.MethodPost, "/api/v1/deployment-tasks/bulk/confirm", map[string]any{
		"task_ids": ids, "actual_production_date": "2027-01-16", "validation_override_reason": "load test",
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	switch status {
	case http.StatusOK:
		var res bulkAnswer
		if err := json.Unmarshal(b, &res); err == nil {
			l.confirmed = append(l.confirmed, res.Succeeded...)
		}
	case http.StatusServiceUnavailable:
		l.unknown = append(l.unknown, ids)
	}
}

// firstOKAfter waits up to limit for an answer below 300 that completed after t0 and returns
// how long after t0 it came.
func (l *load) firstOKAfter(t0 time.Time, limit time.Duration) (time.Duration, bool) {
	deadline := t0.Add(limit + time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		for _, at := range l.okTimes {
			if at.After(t0) {
				l.mu.Unlock()
				return at.Sub(t0), true
			}
		}
		l.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	return 0, false
}

// check asserts the contract over everything the load saw: no 500 and no unanswered request,
// every 503 with Retry-After, every 201 committed, every confirmed task confirmed, and every bulk
// call answered 503 either wholly committed or not at all.
func (l *load) check(pool *pgxpool.Pool) {
	t := l.t
	t.Helper()
	t.Logf("answers by status: %v; %d created, %d tasks confirmed, %d bulk calls answered 503",
		l.statuses, len(l.created), len(l.confirmed), len(l.unknown))
	for i, b := range l.bad {
		if i == 10 {
			t.Errorf("... and %d more", len(l.bad)-10)
			break
		}
		t.Errorf("contract broken: %s", b)
	}
	ctx := context.Background()
	var found int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM validation_requests WHERE request_id = ANY ($1)", l.created).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != len(l.created) {
		t.Errorf("%d of %d requests answered 201 are not in the database", len(l.created)-found, len(l.created))
	}
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM version_deployment_tasks WHERE task_id = ANY ($1) AND status = 'CONFIRMED'", l.confirmed).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != len(l.confirmed) {
		t.Errorf("%d of %d tasks answered as confirmed are not CONFIRMED", len(l.confirmed)-found, len(l.confirmed))
	}
	for _, ids := range l.unknown {
		var confirmed int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM version_deployment_tasks WHERE task_id = ANY ($1) AND status = 'CONFIRMED'", ids).Scan(&confirmed); err != nil {
			t.Fatal(err)
		}
		if confirmed != 0 && confirmed != len(ids) {
			t.Errorf("a bulk call answered 503 half-committed: %d of tasks %v confirmed", confirmed, ids)
		}
	}
	if len(l.created) == 0 || len(l.confirmed) == 0 {
		t.Errorf("the load did too little to judge: %d created, %d confirmed", len(l.created), len(l.confirmed))
	}
}

// loadFixture makes, through the API, a model for the creates and versions x regions pending
// deployment tasks, one batch per version, and returns the model and the batches.
func loadFixture(e *testEnv, versions, regionsPerVersion int) (int32, [][]int32) {
	e.t.Helper()
	owner := e.admin
	regions := make([]int32, regionsPerVersion)
	for i := range regions {
		regions[i] = e.region(false).RegionID
	}
	m := e.model(owner, regions...)
	var batches [][]int32
	for v := range versions {
		var ver struct {
			VersionID int32 `json:"version_id"`
		}
		e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), owner.Token, map[string]any{
			"version_number": fmt.Sprintf("3.%d", v), "change_description": "load", "scope": "GLOBAL",
		}).want(http.StatusCreated).decode(&ver)
		targets := make([]map[string]any, len(regions))
		for i, r := range regions {
			targets[i] = map[string]any{"region_id": r, "planned_production_date": "2027-01-15"}
		}
		var created struct {
			Tasks []struct {
				TaskID int32 `json:"task_id"`
			} `json:"tasks"`
		}
		e.call(http.MethodPost, fmt.Sprintf("/api/v1/versions/%d/deployments", ver.VersionID), owner.Token,
			map[string]any{"targets": targets}).want(http.StatusCreated).decode(&created)
		batch := make([]int32, len(created.Tasks))
		for i, task := range created.Tasks {
			batch[i] = task.TaskID
		}
		batches = append(batches, batch)
	}
	return m.ModelID, batches
}

// TestTerminatedBackendsUnderLoad: every backend of the service is terminated
// (pg_terminate_backend), again and again, while reads, creates and bulk confirmations run. No
// request is answered 500 (they are 503 unavailable with Retry-After, or succeed: a read on a
// connection that died idle is retried once), every answered write is in the database, and the
// service serves again once the terminations stop.
func TestTerminatedBackendsUnderLoad(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 6)
	e := envOn(t, d, d.Pool)
	e.admin = e.user(domain.RoleAdmin)
	modelID, batches := loadFixture(e, 40, 3)
	killer, err := database.Open(context.Background(), d.URL, database.PoolOptions{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close()

	l := newLoad(t, []string{e.srv.URL}, e.admin.Token, modelID, batches)
	l.run(2, 2)
	time.Sleep(300 * time.Millisecond)
	var terminated int
	for range 15 {
		var n int
		if err := killer.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
			FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
			AND application_name = 'mrmflow'`).Scan(&n); err != nil {
			t.Fatalf("terminate: %v", err)
		}
		terminated += n
		time.Sleep(80 * time.Millisecond)
	}
	stoppedKilling := time.Now()
	if served, ok := l.firstOKAfter(stoppedKilling, 2*time.Second); !ok || served > 2*time.Second {
		t.Errorf("no request succeeded within 2 s after the terminations stopped (ok %v, %v)", ok, served)
	}
	time.Sleep(200 * time.Millisecond)
	l.finish()
	if terminated == 0 {
		t.Fatal("no backend was terminated: the test did not test anything")
	}
	t.Logf("%d backends terminated", terminated)
	l.check(d.Pool)
}

// TestDatabaseRestartUnderLoad restarts a PostgreSQL server of the test's own (pg_ctl stop -m
// fast, then start) under mixed read, create and bulk load. No request is answered 500 at any
// time; every answered write is in the database, every bulk call answered 503 committed all or
// nothing; and the service, not restarted itself, answers a 2xx within 2 s of the database
// accepting connections again.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	t.Parallel()
	server := testdb.StartServer(t)
	if err := database.Migrate(server.URL, io.Discard); err != nil {
		t.Fatal(err)
	}
	pool, err := database.Open(context.Background(), server.URL, database.PoolOptions{MaxConns: 6})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	d := &testdb.DB{Name: "postgres", URL: server.URL, Pool: pool}
	e := envOn(t, d, pool)
	e.admin = e.user(domain.RoleAdmin)
	modelID, batches := loadFixture(e, 60, 3)

	l := newLoad(t, []string{e.srv.URL}, e.admin.Token, modelID, batches)
	l.run(2, 2)
	time.Sleep(500 * time.Millisecond)
	server.Stop()
	time.Sleep(500 * time.Millisecond)
	server.Start()
	back := time.Now() // pg_ctl start -w returns once the server accepts connections
	recovered, ok := l.firstOKAfter(back, 2*time.Second)
	time.Sleep(500 * time.Millisecond)
	l.finish()
	if !ok || recovered > 2*time.Second {
		t.Errorf("the service did not serve within 2 s of the database coming back (ok %v, %v)", ok, recovered)
	}
	t.Logf("first 2xx %v after the database accepted connections again", recovered)
	if l.statuses[http.StatusServiceUnavailable] == 0 {
		t.Error("no request saw the restart: the test did not test anything")
	}
	l.check(pool)
}

// TestReadRetriedAfterEveryIdleConnectionDied: every idle connection of the pool is terminated
// (as a database restart does); the next GET still answers 200: its first try fails on a dead
// connection, the pool drops the other dead ones, and the one retry runs on a fresh connection.
func TestReadRetriedAfterEveryIdleConnectionDied(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 3)
	e := envOn(t, d, d.Pool)
	e.admin = e.user(domain.RoleAdmin)
	killIdle(t, d)
	e.call(http.MethodGet, "/api/v1/models?limit=5", e.admin.Token, nil).want(http.StatusOK)
}
