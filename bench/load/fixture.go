package load

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"mrmflow/client"
)

// Fixture sizes. They are part of the benchmark's definition: the pgbench scripts that reproduce
// the scenarios in SQL assume the same counts and contiguous id ranges, so changing a number here
// changes what every published figure means.
const (
	distinctModelCount = 2000
	multiModelCount    = 50
	hotModelCount      = 1
	// regionCount is the region set of the deployment fixture: one deployments call on a model
	// running in all of them plans regionCount tasks, so 1,000 tasks cost 50 models.
	regionCount = 20
)

// Fixture is the data the scenarios work on, created through the API by Prepare.
type Fixture struct {
	DistinctModels []int32 // 2,000 models, ids contiguous and ascending (create-distinct picks uniformly among them)
	MultiModels    []int32 // 50 more models, contiguous ascending (create-multi)
	HotModel       int32   // 1 more model (create-hot)
	Regions        []int32 // regions created for the deployment fixture
}

// Prepare builds the fixture on a fresh database: the 2,051 scenario models, then the regions of
// the deployment fixture. The models are created concurrently, then sorted by id and split into
// the distinct, multi and hot ranges; Prepare fails if the ids are not one contiguous run (another
// writer, or a failed insert that burnt an identity value), because the pgbench scripts address
// the ranges by id arithmetic. Regions need no particular ids; their codes carry a run tag so a
// second Prepare on the same database does not collide on the unique region code.
func Prepare(ctx context.Context, c *Client) (Fixture, error) {
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	total := distinctModelCount + multiModelCount + hotModelCount
	ids, err := createModels(ctx, c, total, "load-"+tag, nil)
	if err != nil {
		return Fixture{}, fmt.Errorf("create scenario models: %w", err)
	}
	if err := checkContiguous(ids); err != nil {
		return Fixture{}, fmt.Errorf("scenario models (a fresh database is required): %w", err)
	}
	regions, err := createRegions(ctx, c, regionCount, "LOAD-"+tag)
	if err != nil {
		return Fixture{}, fmt.Errorf("create regions: %w", err)
	}
	return Fixture{
		DistinctModels: ids[:distinctModelCount],
		MultiModels:    ids[distinctModelCount : distinctModelCount+multiModelCount],
		HotModel:       ids[distinctModelCount+multiModelCount],
		Regions:        regions,
	}, nil
}

// createModels creates n models owned by the caller, running in regionIDs, and returns their ids
// ascending.
func createModels(ctx context.Context, c *Client, n int, prefix string, regionIDs []int32) ([]int32, error) {
	ids := make([]int32, n)
	err := forEach(ctx, n, fixtureWorkers, func(ctx context.Context, i int) error {
		in := client.ModelCreate{ModelName: fmt.Sprintf("%s-%05d", prefix, i), Description: new("load generator fixture")}
		if regionIDs != nil {
			in.RegionIds = &regionIDs
		}
		var m client.Model
		if err := c.call(201, &m, func(api *client.Client) (*http.Response, error) { return api.CreateModel(ctx, nil, in) }); err != nil {
			return err
		}
		ids[i] = m.ModelId
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// createRegions creates n regions that need no regional approval (so confirming a deployment
// creates no approval rows the benchmark does not mean to measure) and returns their ids ascending.
func createRegions(ctx context.Context, c *Client, n int, prefix string) ([]int32, error) {
	ids := make([]int32, n)
	err := forEach(ctx, n, fixtureWorkers, func(ctx context.Context, i int) error {
		in := client.RegionCreate{Code: fmt.Sprintf("%s-R%02d", prefix, i+1), Name: fmt.Sprintf("Load region %d", i+1)}
		var r client.Region
		if err := c.call(201, &r, func(api *client.Client) (*http.Response, error) { return api.CreateRegion(ctx, nil, in) }); err != nil {
			return err
		}
		ids[i] = r.RegionId
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// checkContiguous fails unless sorted ids are first, first+1, ..., naming the first gap.
func checkContiguous(ids []int32) error {
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]+1 {
			return fmt.Errorf("ids are not contiguous: %d is followed by %d (range %d..%d, %d ids)",
				ids[i-1], ids[i], ids[0], ids[len(ids)-1], len(ids))
		}
	}
	return nil
}
