package load

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"mrmflow/client"
)

func TestPrepareGivesContiguousRanges(t *testing.T) {
	t.Parallel()
	fx := prepare(t, newServer(t, 4))

	if len(fx.DistinctModels) != distinctModelCount || len(fx.MultiModels) != multiModelCount {
		t.Fatalf("got %d distinct and %d multi models, want %d and %d",
			len(fx.DistinctModels), len(fx.MultiModels), distinctModelCount, multiModelCount)
	}
	all := slices.Concat(fx.DistinctModels, fx.MultiModels, []int32{fx.HotModel})
	if err := checkContiguous(all); err != nil {
		t.Fatalf("distinct, multi and hot models: %v", err)
	}
	if len(fx.Regions) != regionCount || !slices.IsSorted(fx.Regions) {
		t.Fatalf("regions %v: want %d ascending", fx.Regions, regionCount)
	}
}

func TestCheckContiguousNamesTheGap(t *testing.T) {
	t.Parallel()
	if err := checkContiguous([]int32{4, 5, 6}); err != nil {
		t.Fatalf("4,5,6: %v", err)
	}
	err := checkContiguous([]int32{4, 5, 7})
	if err == nil || err.Error() != "ids are not contiguous: 5 is followed by 7 (range 4..7, 3 ids)" {
		t.Fatalf("4,5,7: got %v", err)
	}
}

// TestRunScenarios runs every scenario for a second on one fixture. The scenarios touch disjoint
// models, but they run one after another so each one's counts are its own.
func TestRunScenarios(t *testing.T) {
	t.Parallel()
	const clients = 4
	c := newServer(t, clients)
	fx := prepare(t, c)
	cfg := Config{Clients: clients, Duration: time.Second, Warmup: 200 * time.Millisecond, Seed: 1}

	run := func(t *testing.T, s Scenario) Result {
		t.Helper()
		res, err := Run(t.Context(), c, fx, s, cfg)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		t.Logf("%s: %d creates (%.0f/s), p50 %s p99 %s, status %v, cancels %d",
			s, res.Requests, res.Throughput, res.P50, res.P99, res.Status, res.Cancels)
		if res.Requests == 0 || res.Errors != 0 || res.Server5xx != 0 {
			t.Fatalf("requests %d, transport errors %d, 5xx %d: want requests and no errors", res.Requests, res.Errors, res.Server5xx)
		}
		if res.Scenario != s || res.Clients != clients || res.Elapsed != cfg.Duration {
			t.Fatalf("result names %s/%d clients/%s, want %s/%d/%s", res.Scenario, res.Clients, res.Elapsed, s, clients, cfg.Duration)
		}
		if res.P50 > res.P95 || res.P95 > res.P99 || res.P99 > res.Max || res.Mean <= 0 {
			t.Fatalf("latencies out of order: mean %s p50 %s p95 %s p99 %s max %s", res.Mean, res.P50, res.P95, res.P99, res.Max)
		}
		return res
	}

	t.Run(string(CreateDistinct), func(t *testing.T) {
		res := run(t, CreateDistinct)
		if res.Status[201] != res.Requests || len(res.Status) != 1 || res.Cancels != 0 {
			t.Fatalf("status %v, cancels %d: want all %d creates 201 and no cancels", res.Status, res.Cancels, res.Requests)
		}
	})
	t.Run(string(CreateHot), func(t *testing.T) {
		res := run(t, CreateHot)
		created, conflicts := res.Status[201], res.Status[409]
		if created == 0 || conflicts == 0 || created+conflicts != res.Requests {
			t.Fatalf("status %v over %d creates: want 201s and 409s only", res.Status, res.Requests)
		}
		if res.Cancels != created || res.Status[200] != res.Cancels || len(res.Status) != 3 {
			t.Fatalf("status %v, cancels %d: want one 200 cancel per 201 create", res.Status, res.Cancels)
		}
	})
	t.Run(string(CreateMulti), func(t *testing.T) {
		res := run(t, CreateMulti)
		creates := res.Status[201] + res.Status[409]
		if res.Status[201] == 0 || creates != res.Requests {
			t.Fatalf("status %v over %d creates: want 201s (and 409s) only", res.Status, res.Requests)
		}
		if res.Cancels == 0 || res.Cancels > res.Status[201] || res.Status[200] != res.Cancels {
			t.Fatalf("status %v, cancels %d: want a 200 cancel per non-targeted 201", res.Status, res.Cancels)
		}
	})
}

func TestRunRejectsBadConfig(t *testing.T) {
	t.Parallel()
	c := NewClient([]string{"http://127.0.0.1:1"}, "x", 1)
	_, err := Run(t.Context(), c, Fixture{}, "create-nothing", Config{Clients: 0, Duration: 0})
	if err == nil {
		t.Fatal("Run accepted an empty configuration and an unknown scenario")
	}
}

func TestCreateTasksAndBulkConfirm(t *testing.T) {
	t.Parallel()
	c := newServer(t, 4)
	fx := prepare(t, c)

	ids, err := CreateTasks(t.Context(), c, fx, 45)
	if err != nil {
		t.Fatalf("CreateTasks: %v", err)
	}
	if len(ids) != 45 || !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != 45 {
		t.Fatalf("CreateTasks(45) = %v: want 45 distinct ascending ids", ids)
	}

	res, err := BulkConfirm(t.Context(), c, fx, 10, 2)
	if err != nil {
		t.Fatalf("BulkConfirm: %v", err)
	}
	t.Logf("bulk confirm size %d: mean %s per call, %s per task", res.Size, res.MeanPerCall, res.PerTask)
	if res.Succeeded != 20 || res.Failed != 0 || len(res.PerCall) != 2 || res.Size != 10 || res.Calls != 2 {
		t.Fatalf("BulkConfirm(10, 2) = %+v: want 20 succeeded over 2 timed calls", res)
	}
	if res.MeanPerCall <= 0 || res.PerTask != res.MeanPerCall/10 {
		t.Fatalf("mean per call %s, per task %s", res.MeanPerCall, res.PerTask)
	}

	// Confirming the same tasks again must fail task by task, and BulkConfirm must say so; the
	// second call goes through the API directly because BulkConfirm always makes new tasks.
	var out client.DeploymentBulkResult
	in := client.DeploymentBulkConfirm{TaskIds: ids[:3], ActualProductionDate: actualProductionDate}
	confirm := func(api *client.Client) (*http.Response, error) {
		return api.BulkConfirmDeploymentTasks(t.Context(), nil, in)
	}
	if err := c.call(200, &out, confirm); err != nil {
		t.Fatalf("first confirm: %v", err)
	}
	if err := c.call(200, &out, confirm); err != nil || out.FailedCount != 3 {
		t.Fatalf("second confirm: %v, %+v: want 3 invalid_status failures", err, out)
	}
}
