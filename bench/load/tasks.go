package load

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"mrmflow/client"
)

// plannedProductionDate is the planned date of every fixture task; confirmation dates are later.
var plannedProductionDate = date("2026-11-01")

// CreateTasks creates n PENDING deployment tasks through the API and returns their ids ascending.
// Each task model runs in every fixture region and gets one REGIONAL version targeting up to
// len(fx.Regions) of them and one deployments call with one target per region, so 1,000 tasks
// cost 50 models. The versions are linked to no validation request, so confirming needs no
// override reason and measures the plain confirmation path. The task models are new models
// created after Prepare's ranges and do not disturb them.
func CreateTasks(ctx context.Context, c *Client, fx Fixture, n int) ([]int32, error) {
	if n < 1 {
		return nil, fmt.Errorf("create tasks: n must be at least 1, got %d", n)
	}
	per := len(fx.Regions)
	if per == 0 {
		return nil, errors.New("create tasks: the fixture has no regions (run Prepare first)")
	}
	models, err := createModels(ctx, c, (n+per-1)/per, "load-tasks-"+strconv.FormatInt(time.Now().UnixNano(), 36), fx.Regions)
	if err != nil {
		return nil, fmt.Errorf("create task models: %w", err)
	}
	perModel := make([][]int32, len(models))
	err = forEach(ctx, len(models), fixtureWorkers, func(ctx context.Context, i int) error {
		ids, err := deployVersion(ctx, c, models[i], fx.Regions[:min(per, n-i*per)])
		perModel[i] = ids
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create tasks: %w", err)
	}
	ids := slices.Concat(perModel...)
	slices.Sort(ids)
	if distinct := len(slices.Compact(slices.Clone(ids))); len(ids) != n || distinct != n {
		return nil, fmt.Errorf("create tasks: got %d task ids (%d distinct), want %d", len(ids), distinct, n)
	}
	return ids, nil
}

// deployVersion creates a REGIONAL version of model for regions and plans its deployment to each
// of them, returning the new PENDING tasks' ids.
func deployVersion(ctx context.Context, c *Client, model int32, regions []int32) ([]int32, error) {
	var v client.Version
	in := client.VersionCreate{
		VersionNumber: "1.0", ChangeDescription: "load generator fixture", Scope: client.VersionCreateScopeREGIONAL, RegionIds: &regions,
	}
	if err := c.call(201, &v, func(api *client.Client) (*http.Response, error) { return api.CreateVersion(ctx, model, nil, in) }); err != nil {
		return nil, err
	}
	targets := make([]client.DeploymentTarget, len(regions))
	for i := range regions {
		targets[i] = client.DeploymentTarget{RegionId: &regions[i], PlannedProductionDate: plannedProductionDate}
	}
	var d client.DeploymentCreated
	if err := c.call(201, &d, func(api *client.Client) (*http.Response, error) {
		return api.CreateDeployments(ctx, v.VersionId, nil, client.DeploymentCreate{Targets: targets})
	}); err != nil {
		return nil, err
	}
	ids := make([]int32, 0, len(d.Tasks))
	for _, t := range d.Tasks {
		if t.Status != client.DeploymentTaskStatusPENDING {
			return nil, fmt.Errorf("version %d: new task %d is %s, want PENDING", v.VersionId, t.TaskId, t.Status)
		}
		ids = append(ids, t.TaskId)
	}
	if len(ids) != len(regions) {
		return nil, fmt.Errorf("version %d: %d tasks planned for %d regions", v.VersionId, len(ids), len(regions))
	}
	return ids, nil
}
