package deployment

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Confirm confirms one task (ADMIN, the assignee or an active delegate of the model).
func (s *Service) Confirm(ctx context.Context, actor domain.Actor, taskID int32, in ConfirmInput) (Task, error) {
	if err := in.check(); err != nil {
		return Task{}, err
	}
	return s.runSingle(ctx, actor, taskID, confirmOp(in))
}

// Adjust moves one task's planned production date.
func (s *Service) Adjust(ctx context.Context, actor domain.Actor, taskID int32, in AdjustInput) (Task, error) {
	if err := in.check(); err != nil {
		return Task{}, err
	}
	return s.runSingle(ctx, actor, taskID, adjustOp(in))
}

// Cancel cancels one task.
func (s *Service) Cancel(ctx context.Context, actor domain.Actor, taskID int32, in CancelInput) (Task, error) {
	if err := in.check(); err != nil {
		return Task{}, err
	}
	return s.runSingle(ctx, actor, taskID, cancelOp(in))
}

// runSingle does op on one task in its own transaction, with the same locks and rules as a bulk
// call; any failure rolls the whole transaction back and is returned to the caller as is. After
// the locks it takes one round trip: the operation's statement (its change and audit row) with
// the COMMIT.
func (s *Service) runSingle(ctx context.Context, actor domain.Actor, taskID int32, op operation) (Task, error) {
	return pgtx.WithTxV(ctx, s.db, func(tx pgx.Tx) (Task, error) {
		call, err := s.lockTasks(ctx, tx, actor, []int32{taskID}, op.lockModels)
		if err != nil {
			return Task{}, err
		}
		row, err := op.run(ctx, actor, taskID, call, func(p *pgtx.Pipeline) error { return p.SendAndCommit(ctx, tx) })
		if err != nil {
			return Task{}, err
		}
		return taskFromRow(row), nil
	})
}
