package pgbench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/api"
	"mrmflow/bench/pgbench"
	"mrmflow/internal/app"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
	"mrmflow/internal/user"
)

// service is the API on a test database whose pool records every statement it sends.
type service struct {
	t       *testing.T
	url     string // the database's
	regionN int
	pool    *pgxpool.Pool
	log     *testdb.Trace
	srv     *httptest.Server
	token   string
	tokenID int32
	userID  int32
}

func newService(t *testing.T) *service {
	t.Helper()
	d := testdb.New(t, 2)
	s := &service{t: t, url: d.URL, log: &testdb.Trace{}}
	s.pool = d.TracedPool(t, s.log, 0)
	m := metrics.New()
	h := api.New(api.Deps{
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: m, Pool: s.pool,
		Services:       app.New(s.pool, pgtx.Limits{LockTimeout: 5 * time.Second, StatementTimeout: 30 * time.Second}, m, 0),
		RequestTimeout: 30 * time.Second,
	})
	s.srv = httptest.NewServer(h.Handler())
	t.Cleanup(s.srv.Close)
	u, tok, err := user.NewService(s.pool, pgtx.Limits{}, 0).Bootstrap(context.Background(),
		user.CreateInput{Email: "load@bank.test", FullName: "Load", Role: domain.RoleAdmin}, "test")
	if err != nil {
		t.Fatal(err)
	}
	s.token, s.tokenID, s.userID = tok.Token, tok.TokenID, u.UserID
	return s
}

// call sends a request and decodes the answer into out (when not nil); it fails the test on
// any status but want.
func (s *service) call(method, path string, body any, want int, out any) {
	s.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest(method, s.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatal(err)
		}
	}
}

// sent runs fn and returns the statements the service sent meanwhile, logging the round trips
// they took.
func (s *service) sent(fn func()) []string {
	s.t.Helper()
	s.log.Start()
	fn()
	sqls, trips := s.log.Stop()
	s.t.Logf("%d statements in %d round trips", len(sqls), trips)
	names := make([]string, len(sqls))
	for i, sql := range sqls {
		names[i] = pgbench.StatementName(sql)
	}
	return names
}

func (s *service) models(n int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		var m struct {
			ModelID int32 `json:"model_id"`
		}
		s.call("POST", "/api/v1/models", map[string]any{"model_name": fmt.Sprintf("M%d", i)}, 201, &m)
		ids[i] = m.ModelID
	}
	return ids
}

func (s *service) create(typ string, want int, models ...int32) int32 {
	var r struct {
		RequestID int32 `json:"request_id"`
	}
	var out any // a problem's request_id is the X-Request-ID, not a validation request's
	if want == http.StatusCreated {
		out = &r
	}
	s.call("POST", "/api/v1/validation-requests", map[string]any{
		"model_ids": models, "validation_type": typ, "priority": "MEDIUM", "target_completion_date": "2027-06-30",
	}, want, out)
	return r.RequestID
}

func (s *service) cancel(id int32) {
	s.call("POST", fmt.Sprintf("/api/v1/validation-requests/%d/status", id), map[string]any{"status": "CANCELLED", "reason": "load generator: free the model for the next create"}, 200, nil)
}

// tasks creates a version of a new model in regions and a task per region, and returns them.
func (s *service) tasks(regions []int32) []pgbench.Task {
	var m struct {
		ModelID int32 `json:"model_id"`
	}
	s.call("POST", "/api/v1/models", map[string]any{"model_name": "Deployed", "region_ids": regions}, 201, &m)
	var v struct {
		VersionID int32 `json:"version_id"`
	}
	s.call("POST", fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), map[string]any{
		"version_number": "2", "change_description": "recalibration", "scope": "GLOBAL",
	}, 201, &v)
	targets := make([]map[string]any, len(regions))
	for i, r := range regions {
		targets[i] = map[string]any{"region_id": r, "planned_production_date": "2026-12-01"}
	}
	var created struct {
		Tasks []struct {
			TaskID   int32 `json:"task_id"`
			RegionID int32 `json:"region_id"`
		} `json:"tasks"`
	}
	s.call("POST", fmt.Sprintf("/api/v1/versions/%d/deployments", v.VersionID), map[string]any{"targets": targets}, 201, &created)
	out := make([]pgbench.Task, len(created.Tasks))
	for i, t := range created.Tasks {
		out[i] = pgbench.Task{TaskID: t.TaskID, VersionID: v.VersionID, ModelID: m.ModelID, RegionID: t.RegionID}
	}
	return out
}

func (s *service) regions(n int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		var r struct {
			RegionID int32 `json:"region_id"`
		}
		s.regionN++
		s.call("POST", "/api/v1/regions", map[string]any{"code": fmt.Sprintf("R%d", s.regionN), "name": "Region"}, 201, &r)
		ids[i] = r.RegionID
	}
	return ids
}

func script(t *testing.T, name string) pgbench.Script {
	t.Helper()
	for _, s := range pgbench.Scripts() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no script %s", name)
	return pgbench.Script{}
}

func taken(conds ...pgbench.Condition) map[pgbench.Condition]bool {
	m := map[pgbench.Condition]bool{}
	for _, c := range conds {
		m[c] = true
	}
	return m
}

func wantSame(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: the service sent\n  %v\nthe script replays\n  %v", what, got, want)
	}
}

// TestScriptsFollowService sends each scenario's requests through the HTTP API and compares the
// statements the service sent, in order, with the statements its pgbench script replays on the
// same branch. A change of the service's statements (a query added, moved, batched away) fails
// here until the script follows it.
func TestScriptsFollowService(t *testing.T) {
	s := newService(t)
	ms := s.models(4)

	distinct := script(t, "create-distinct")
	wantSame(t, "create-distinct", s.sent(func() { s.create("TARGETED", 201, ms[0]) }),
		pgbench.Names(distinct.Steps, taken(pgbench.NoConflict)))

	hot := script(t, "create-hot")
	wantSame(t, "create-hot, created and cancelled", s.sent(func() { s.cancel(s.create("COMPREHENSIVE", 201, ms[1])) }),
		pgbench.Names(hot.Steps, taken(pgbench.NotTargeted, pgbench.NoConflict)))
	blocking := s.create("COMPREHENSIVE", 201, ms[1])
	wantSame(t, "create-hot, conflict", s.sent(func() { s.create("COMPREHENSIVE", 409, ms[1]) }),
		pgbench.Names(hot.Steps, taken(pgbench.NotTargeted, pgbench.Conflict)))
	s.cancel(blocking)

	multi := script(t, "create-multi")
	wantSame(t, "create-multi, 3 models, INITIAL", s.sent(func() { s.cancel(s.create("INITIAL", 201, ms[0], ms[2], ms[3])) }),
		pgbench.Names(multi.Steps, taken(pgbench.Multi2, pgbench.Multi3, pgbench.NotTargeted, pgbench.Initial, pgbench.NoConflict)))
	wantSame(t, "create-multi, 4 models, TARGETED", s.sent(func() { s.create("TARGETED", 201, ms...) }),
		pgbench.Names(multi.Steps, taken(pgbench.Multi2, pgbench.Multi3, pgbench.Multi4, pgbench.NoConflict)))
	blocking = s.create("COMPREHENSIVE", 201, ms[3])
	wantSame(t, "create-multi, 2 models, conflict", s.sent(func() { s.create("COMPREHENSIVE", 409, ms[2], ms[3]) }),
		pgbench.Names(multi.Steps, taken(pgbench.Multi2, pgbench.NotTargeted, pgbench.Conflict)))
	s.cancel(blocking)

	bulk := script(t, "bulk-confirm")
	regions := s.regions(2)
	tasks := append(s.tasks(regions), s.tasks(regions)...)
	ids := make([]int32, len(tasks))
	want := pgbench.Names(bulk.Steps, nil)
	for i, task := range tasks {
		ids[i] = task.TaskID
		want = append(want, pgbench.Names(bulk.Each, nil)...)
	}
	want = append(want, pgbench.Names(bulk.Tail, nil)...)
	wantSame(t, "bulk-confirm, 2 versions x 2 regions", s.sent(func() {
		s.call("POST", "/api/v1/deployment-tasks/bulk/confirm", map[string]any{"task_ids": ids, "actual_production_date": "2026-11-20"}, 200, nil)
	}), want)
}
