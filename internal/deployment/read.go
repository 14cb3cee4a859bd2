package deployment

import (
	"context"
	"fmt"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/model"
	"mrmflow/internal/pgtx"
)

// seesAll reports whether actor may read every task; a USER sees only the tasks they may act on.
func seesAll(actor domain.Actor) bool { return actor.SeesAll() }

// Get returns one task. A task the actor may not see is reported as missing, so ids of other
// owners' tasks do not leak.
func (s *Service) Get(ctx context.Context, actor domain.Actor, taskID int32) (Task, error) {
	q := gen.New(s.pool)
	row, err := q.DeploymentTaskGet(ctx, taskID)
	if pgtx.IsNoRows(err) {
		return Task{}, domain.NotFound("deployment task %d does not exist", taskID)
	}
	if err != nil {
		return Task{}, fmt.Errorf("get deployment task: %w", err)
	}
	if !seesAll(actor) && row.AssignedToID != actor.UserID {
		access, err := model.AccessOf(ctx, q, actor, row.ModelID)
		if err != nil {
			return Task{}, err
		}
		if !access.IsDelegate {
			return Task{}, domain.NotFound("deployment task %d does not exist", taskID)
		}
	}
	return taskFromRow(row), nil
}

// Filter narrows a task listing; nil fields do not filter.
type Filter struct {
	Status       *string
	AssignedToID *int32
	ModelID      *int32
}

// List returns the tasks the actor may see, in id order.
func (s *Service) List(ctx context.Context, actor domain.Actor, f Filter, page domain.Page) ([]Task, *int64, error) {
	var status *gen.DeploymentTaskStatus
	if f.Status != nil {
		st := gen.DeploymentTaskStatus(*f.Status)
		if !st.Valid() {
			return nil, nil, domain.Invalid("status", "must be PENDING, ADJUSTED, CONFIRMED or CANCELLED")
		}
		status = &st
	}
	rows, err := gen.New(s.pool).DeploymentTaskList(ctx, gen.DeploymentTaskListParams{
		AfterID: int32(page.After), Status: status, AssignedToID: f.AssignedToID, ModelID: f.ModelID,
		SeeAll: seesAll(actor), UserID: actor.UserID, PageLimit: page.Limit + 1,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list deployment tasks: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.VersionDeploymentTask) int64 { return int64(r.TaskID) })
	out := make([]Task, len(rows))
	for i, r := range rows {
		out[i] = taskFromRow(r)
	}
	return out, next, nil
}
