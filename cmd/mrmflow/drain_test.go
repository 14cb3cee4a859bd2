package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
	"mrmflow/internal/user"
)

// TestSIGTERMDuringABulkCall: SIGTERM (the context cli.Main cancels on it) arrives while a
// 1,000-task bulk confirmation is half done. Readiness turns 503 at once while the listener
// still serves for DRAIN_DELAY; the call then runs to its commit and is answered 200 with every
// task, and every task is confirmed in the database; serve returns cleanly afterwards and the
// listener is closed.
func TestSIGTERMDuringABulkCall(t *testing.T) {
	d := testdb.New(t, 2)
	ctx := context.Background()
	_, tok, err := user.NewService(d.Pool, pgtx.Limits{}, 0).Bootstrap(ctx, user.CreateInput{Email: "drain@bank.test", FullName: "Drain", Role: domain.RoleAdmin}, "test")
	if err != nil {
		t.Fatal(err)
	}
	ids := thousandTasks(t, d)
	// One task in the middle sleeps, so the call is surely in flight when the signal comes.
	exec(t, d, fmt.Sprintf(`CREATE FUNCTION test_sleep_task() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.task_id = %d THEN PERFORM pg_sleep(1.5); END IF; RETURN NEW; END $$`, ids[len(ids)/2]))
	exec(t, d, `CREATE TRIGGER test_sleep_task BEFORE UPDATE ON version_deployment_tasks FOR EACH ROW EXECUTE FUNCTION test_sleep_task()`)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	t.Setenv("DATABASE_URL", d.URL)
	t.Setenv("LISTEN_ADDR", addr)
	t.Setenv("DRAIN_DELAY", "500ms")
	t.Setenv("SHUTDOWN_TIMEOUT", "")
	t.Setenv("LOG_FORMAT", "text")
	serveCtx, sigterm := context.WithCancel(ctx)
	defer sigterm()
	served := make(chan error, 1)
	go func() { served <- run(serveCtx, []string{"serve"}, io.Discard, io.Discard) }()
	base := "http://" + addr
	waitStatus(t, base+"/readyz", http.StatusOK)

	type answer struct {
		status int
		body   []byte
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		body, _ := json.Marshal(map[string]any{"task_ids": ids, "actual_production_date": "2027-01-16", "validation_override_reason": "drain test"})
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/deployment-tasks/bulk/confirm", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		answered <- answer{status: resp.StatusCode, body: b}
	}()
	waitSleeping(t, d)
	signalled := time.Now()
	sigterm()
	waitStatus(t, base+"/readyz", http.StatusServiceUnavailable)
	t.Logf("readiness 503 %v after the signal", time.Since(signalled).Round(time.Millisecond))

	a := <-answered
	t.Logf("the bulk call answered %d %v after the signal", a.status, time.Since(signalled).Round(time.Millisecond))
	if a.err != nil {
		t.Fatalf("the bulk call got no answer: %v", a.err)
	}
	var confirmed int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM version_deployment_tasks WHERE status = 'CONFIRMED'`).Scan(&confirmed); err != nil {
		t.Fatal(err)
	}
	var res struct {
		SucceededCount int `json:"succeeded_count"`
	}
	// Only 200 is right: a call cut short by the signal (its context cancelled, say) would roll
	// back and answer 503, which is the bug this test is for.
	if a.status != http.StatusOK {
		t.Fatalf("answered %d with %d tasks confirmed in the database: %s", a.status, confirmed, a.body)
	}
	if err := json.Unmarshal(a.body, &res); err != nil || res.SucceededCount != len(ids) || confirmed != len(ids) {
		t.Fatalf("answered 200 with %d succeeded (%v), %d confirmed in the database; want %d each", res.SucceededCount, err, confirmed, len(ids))
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after draining")
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		_ = c.Close()
		t.Fatal("the listener is still open after shutdown")
	}
}

// thousandTasks makes 1,000 pending regional tasks of one version, owned by the first user.
func thousandTasks(t *testing.T, d *testdb.DB) []int32 {
	t.Helper()
	exec(t, d, `INSERT INTO regions (code, name) SELECT 'R' || g, 'Region ' || g FROM generate_series(1, 1000) g`)
	exec(t, d, `INSERT INTO models (model_name, owner_id) SELECT 'Drain model', min(user_id) FROM users`)
	exec(t, d, `INSERT INTO model_regions (model_id, region_id) SELECT m.model_id, r.region_id FROM models m, regions r`)
	exec(t, d, `INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by)
		SELECT model_id, '2.0', 'change', 'REGIONAL', owner_id FROM models`)
	rows, err := d.Pool.Query(context.Background(), `INSERT INTO version_deployment_tasks
		(version_id, model_id, region_id, assigned_to_id, planned_production_date)
		SELECT v.version_id, v.model_id, mr.region_id, v.created_by, '2027-01-15'
		FROM model_versions v JOIN model_regions mr ON mr.model_id = v.model_id
		ORDER BY mr.region_id RETURNING task_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int32
	for rows.Next() {
		var id int32
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) != 1000 {
		t.Fatalf("%d tasks (%v)", len(ids), err)
	}
	return ids
}

func exec(t *testing.T, d *testdb.DB, sql string) {
	t.Helper()
	if _, err := d.Pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// waitStatus polls url until it answers status (10 s at most).
func waitStatus(t *testing.T, url string, status int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last := 0
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			_ = resp.Body.Close()
			if last = resp.StatusCode; last == status {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s answered %d, never %s", url, last, strconv.Itoa(status))
}

// waitSleeping waits until a backend of d sleeps in the test trigger: the bulk call is half done.
func waitSleeping(t *testing.T, d *testdb.DB) {
	t.Helper()
	testdb.WaitForBackend(t, d.Pool, 30*time.Second, "wait_event = 'PgSleep'")
}
