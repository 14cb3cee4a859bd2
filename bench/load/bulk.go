package load

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"mrmflow/client"
)

// Bulk confirmation fixture values.
const (
	maxBulkSize       = 1000 // the API's limit on task_ids per call
	confirmationNotes = "load generator bulk confirmation"
)

// actualProductionDate is the confirmation date of every bulk call, after plannedProductionDate.
var actualProductionDate = date("2026-11-20")

// BulkResult is the timing of sequential bulk confirmations of one size.
type BulkResult struct {
	Size, Calls int
	PerCall     []time.Duration // in call order
	MeanPerCall time.Duration
	P50PerCall  time.Duration
	PerTask     time.Duration // mean per call / size
	Succeeded   int
	Failed      int
}

// BulkConfirm creates calls*size tasks with CreateTasks (not timed), then sends calls sequential
// POST /api/v1/deployment-tasks/bulk/confirm of size tasks each, timing each call end to end.
// The calls are sequential because the figure wanted is the cost of one call of a given size
// (REL-02: one transaction, a savepoint per task), not bulk throughput. Every task must succeed:
// a failure means the fixture or the service is wrong and the timing would measure the wrong
// path, so BulkConfirm then returns the result so far with an error naming the failures.
func BulkConfirm(ctx context.Context, c *Client, fx Fixture, size, calls int) (BulkResult, error) {
	if size < 1 || size > maxBulkSize {
		return BulkResult{}, fmt.Errorf("bulk confirm: size must be 1..%d, got %d", maxBulkSize, size)
	}
	if calls < 1 {
		return BulkResult{}, fmt.Errorf("bulk confirm: calls must be at least 1, got %d", calls)
	}
	ids, err := CreateTasks(ctx, c, fx, size*calls)
	if err != nil {
		return BulkResult{}, fmt.Errorf("bulk confirm fixture: %w", err)
	}
	res := BulkResult{Size: size, Calls: calls}
	var failures []string
	for i := range calls {
		in := client.DeploymentBulkConfirm{TaskIds: ids[i*size : (i+1)*size], ActualProductionDate: actualProductionDate, ConfirmationNotes: new(confirmationNotes)}
		var out client.DeploymentBulkResult
		began := time.Now()
		err := c.call(200, &out, func(api *client.Client) (*http.Response, error) { return api.BulkConfirmDeploymentTasks(ctx, nil, in) })
		took := time.Since(began)
		if err != nil {
			return res, fmt.Errorf("bulk confirm call %d of %d (size %d): %w", i+1, calls, size, err)
		}
		res.PerCall = append(res.PerCall, took)
		res.Succeeded += out.SucceededCount
		res.Failed += out.FailedCount
		for _, f := range out.Failed {
			failures = append(failures, fmt.Sprintf("task %d: %s: %s", f.TaskId, f.Code, f.Message))
		}
	}
	lat := summarize(append([]time.Duration(nil), res.PerCall...))
	res.MeanPerCall, res.P50PerCall = lat.Mean, lat.P50
	res.PerTask = res.MeanPerCall / time.Duration(size)
	if res.Failed > 0 || res.Succeeded != size*calls {
		const show = 10
		more := ""
		if len(failures) > show {
			more = fmt.Sprintf(" (and %d more)", len(failures)-show)
			failures = failures[:show]
		}
		return res, fmt.Errorf("bulk confirm size %d: %d of %d tasks succeeded, %d failed: %s%s",
			size, res.Succeeded, size*calls, res.Failed, strings.Join(failures, "; "), more)
	}
	return res, nil
}

// MergeBulk sums bulk results of one size — calls timed at different moments — into one, with
// the mean and median over all their calls.
func MergeBulk(runs []BulkResult) BulkResult {
	if len(runs) == 0 {
		return BulkResult{}
	}
	out := BulkResult{Size: runs[0].Size}
	for _, r := range runs {
		out.Calls += r.Calls
		out.PerCall = append(out.PerCall, r.PerCall...)
		out.Succeeded += r.Succeeded
		out.Failed += r.Failed
	}
	lat := summarize(append([]time.Duration(nil), out.PerCall...))
	out.MeanPerCall, out.P50PerCall = lat.Mean, lat.P50
	if out.Size > 0 {
		out.PerTask = out.MeanPerCall / time.Duration(out.Size)
	}
	return out
}
