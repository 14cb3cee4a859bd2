package pgbench_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"mrmflow/bench/pgbench"
)

// count runs a counting query on the test database.
func (s *service) count(sql string) int {
	s.t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func arrayLiteral(ids []int32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(int(id))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestScriptsRunInPgbench runs every committed script through pgbench on a fixture made through
// the API, and checks that the replay did what the service would have: requests created and
// cancelled, conflicts refused, tasks confirmed.
func TestScriptsRunInPgbench(t *testing.T) {
	s := newService(t)
	distinct := s.models(5)
	multi := s.models(50)
	hot := s.models(1)[0]
	vars := map[string]string{
		"token_id": strconv.Itoa(int(s.tokenID)), "secret_hash": pgbench.SecretHashVar(s.token), "user_id": strconv.Itoa(int(s.userID)),
		"first_model": strconv.Itoa(int(distinct[0])), "last_model": strconv.Itoa(int(distinct[4])),
		"first_multi": strconv.Itoa(int(multi[0])), "hot_model": strconv.Itoa(int(hot)),
	}
	ctx := context.Background()
	run := func(file string, mode pgbench.Mode, clients, transactions int, vars map[string]string) pgbench.Result {
		t.Helper()
		res, err := pgbench.Run{DatabaseURL: s.url, File: file, Mode: mode, Clients: clients, Transactions: transactions, Vars: vars}.Exec(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Failed != 0 || res.Transactions != clients*transactions {
			t.Fatalf("%s: %+v", file, res)
		}
		return res
	}

	run("create-distinct.sql", pgbench.Prepared, 2, 10, vars)
	if n := s.count("SELECT count(*) FROM validation_requests WHERE validation_type = 'TARGETED'"); n != 20 {
		t.Errorf("create-distinct made %d TARGETED requests, want 20", n)
	}

	run("create-hot.sql", pgbench.Prepared, 4, 25, vars)
	created := s.count(fmt.Sprintf("SELECT count(*) FROM validation_request_models WHERE model_id = %d", hot))
	cancelled := s.count(fmt.Sprintf(`SELECT count(*) FROM validation_request_models vrm JOIN validation_requests vr USING (request_id)
		WHERE vrm.model_id = %d AND vr.status = 'CANCELLED'`, hot))
	if created == 0 || created != cancelled || created == 100 {
		t.Errorf("create-hot: %d requests created, %d cancelled, of 100 tries; want some refused, every created one cancelled", created, cancelled)
	}

	run("create-multi.sql", pgbench.Prepared, 2, 50, vars)
	outside := s.count(fmt.Sprintf("SELECT count(*) FROM validation_request_models WHERE model_id > %d AND model_id <> %d", multi[49], hot))
	active := s.count("SELECT count(*) FROM validation_requests WHERE validation_type <> 'TARGETED' AND status <> 'CANCELLED'")
	if outside != 0 || active != 0 {
		t.Errorf("create-multi: %d links outside the 50 models, %d non-targeted requests left active", outside, active)
	}

	tasks := append(s.tasks(s.regions(3)), s.tasks(s.regions(3)[:2])...)
	q, err := pgbench.LoadQueries("../../sql")
	if err != nil {
		t.Fatal(err)
	}
	text, err := script(t, "bulk-confirm").Expand(q, tasks)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bulk.sql")
	if err := os.WriteFile(file, text, 0o644); err != nil {
		t.Fatal(err)
	}
	var ids, models, versions []int32
	for _, task := range tasks {
		ids, models, versions = append(ids, task.TaskID), append(models, task.ModelID), append(versions, task.VersionID)
	}
	run(file, pgbench.Extended, 1, 1, map[string]string{
		"token_id": vars["token_id"], "secret_hash": vars["secret_hash"], "user_id": vars["user_id"],
		"task_ids": arrayLiteral(ids), "model_ids": arrayLiteral(models), "version_ids": arrayLiteral(versions),
	})
	if n := s.count("SELECT count(*) FROM version_deployment_tasks WHERE status = 'CONFIRMED'"); n != len(tasks) {
		t.Errorf("bulk-confirm confirmed %d tasks, want %d", n, len(tasks))
	}
	if n := s.count("SELECT count(*) FROM audit_logs WHERE action = 'DEPLOYMENT_CONFIRMED'"); n != len(tasks) {
		t.Errorf("bulk-confirm wrote %d audit rows, want %d", n, len(tasks))
	}
}
