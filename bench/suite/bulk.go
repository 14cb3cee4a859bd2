package suite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"mrmflow/bench/load"
	"mrmflow/bench/pgbench"
)

// BulkResult compares bulk confirmations of one size: the service's calls (over HTTP, timed by
// the load generator) and pgbench's statement-by-statement replay of the same calls.
type BulkResult struct {
	Size, Calls int
	Service     load.BulkResult
	// Replay is the mean latency of the replayed calls, one pgbench transaction each.
	Replay time.Duration
}

// bulk measures bulk confirmations of size tasks: BulkCalls calls per side, each on tasks of its
// own made through the API, alternating the sides (service, replay, replay, service, ...) as the
// scenarios do.
func (r *run) bulk(ctx context.Context, size int) (BulkResult, error) {
	calls := r.opts.BulkCalls
	var svc []load.BulkResult
	var total time.Duration
	for i := range calls {
		serviceFirst := i%2 == 0
		for _, service := range []bool{serviceFirst, !serviceFirst} {
			if service {
				r.logf("bulk-confirm of %d tasks: service, call %d of %d", size, i+1, calls)
				res, err := load.BulkConfirm(ctx, r.client, r.fixture, size, 1)
				if err != nil {
					return BulkResult{}, err
				}
				svc = append(svc, res)
				continue
			}
			r.logf("bulk-confirm of %d tasks: pgbench replay, call %d of %d", size, i+1, calls)
			took, err := r.replayBulk(ctx, size, i)
			if err != nil {
				return BulkResult{}, err
			}
			total += took
		}
	}
	return BulkResult{Size: size, Calls: calls, Service: load.MergeBulk(svc), Replay: total / time.Duration(calls)}, nil
}

// replayBulk replays one bulk call of size fresh tasks with pgbench (call numbers its script
// file) and checks that it confirmed them all; it returns the replay's latency.
func (r *run) replayBulk(ctx context.Context, size, call int) (time.Duration, error) {
	ids, err := load.CreateTasks(ctx, r.client, r.fixture, size)
	if err != nil {
		return 0, err
	}
	tasks, err := r.taskRows(ctx, ids)
	if err != nil {
		return 0, err
	}
	text, err := r.bulkScript().Expand(r.queries, tasks)
	if err != nil {
		return 0, err
	}
	file := filepath.Join(r.opts.WorkDir, fmt.Sprintf("bulk-confirm-%d-%d.sql", size, call))
	if err := os.WriteFile(file, text, 0o644); err != nil {
		return 0, err
	}
	vars := map[string]string{"token_id": r.vars["token_id"], "secret_hash": r.vars["secret_hash"], "user_id": r.vars["user_id"]}
	var taskIDs, modelIDs, versionIDs []int32
	for _, t := range tasks {
		taskIDs, modelIDs, versionIDs = append(taskIDs, t.TaskID), append(modelIDs, t.ModelID), append(versionIDs, t.VersionID)
	}
	vars["task_ids"], vars["model_ids"], vars["version_ids"] = arrayLiteral(taskIDs), arrayLiteral(distinct(modelIDs)), arrayLiteral(distinct(versionIDs))
	res, err := pgbench.Run{DatabaseURL: r.dbURL, File: file, Mode: pgbench.Extended, Clients: 1, Transactions: 1, Vars: vars}.Exec(ctx)
	if err != nil {
		return 0, err
	}
	confirmed, err := r.confirmed(ctx, taskIDs)
	if err != nil {
		return 0, fmt.Errorf("count tasks the pgbench replay confirmed: %w", err)
	}
	if confirmed != len(taskIDs) {
		return 0, fmt.Errorf("pgbench replay confirmed %d of %d tasks", confirmed, len(taskIDs))
	}
	return res.LatencyAverage, nil
}

func (r *run) bulkScript() pgbench.Script {
	for _, s := range pgbench.Scripts() {
		if s.Name == "bulk-confirm" {
			return s
		}
	}
	panic("bench/pgbench has no bulk-confirm script")
}

// taskRows reads what the service reads from the locked task rows, for the replay's per-task
// statements. (The harness reads the fixture directly; the service's own queries are in sql/.)
func (r *run) taskRows(ctx context.Context, ids []int32) ([]pgbench.Task, error) {
	rows, err := r.pool.Query(ctx, `SELECT task_id, version_id, model_id, region_id
		FROM version_deployment_tasks WHERE task_id = ANY ($1) ORDER BY task_id`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tasks []pgbench.Task
	for rows.Next() {
		var t pgbench.Task
		if err := rows.Scan(&t.TaskID, &t.VersionID, &t.ModelID, &t.RegionID); err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	return tasks, rows.Err()
}

// confirmed counts the CONFIRMED tasks among ids: a replay that confirmed nothing would be fast
// and meaningless.
func (r *run) confirmed(ctx context.Context, ids []int32) (int, error) {
	var n int
	err := r.pool.QueryRow(ctx, `SELECT count(*) FROM version_deployment_tasks
		WHERE task_id = ANY ($1) AND status = 'CONFIRMED'`, ids).Scan(&n)
	return n, err
}

func arrayLiteral(ids []int32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(int(id))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// distinct returns the sorted distinct ids, as the service passes them to its lock queries.
func distinct(ids []int32) []int32 {
	seen := map[int32]bool{}
	var out []int32
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
