package model

import (
	"context"
	"fmt"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Access says how an actor relates to a model.
type Access struct {
	OwnerID    int32
	IsOwner    bool
	IsDelegate bool
}

// CanActForOwner reports whether the actor may do what the owner may: ADMIN, the owner, or an
// active delegate.
func (a Access) CanActForOwner(actor domain.Actor) bool {
	return actor.IsAdmin() || a.IsOwner || a.IsDelegate
}

// AccessOf reads how actor relates to model modelID, with q bound to the caller's transaction.
// A missing model is not_found. Like audit.Record, it takes q as the handle of the caller's
// transaction; what comes back is Access, never a generated row of the models table.
func AccessOf(ctx context.Context, q *gen.Queries, actor domain.Actor, modelID int32) (Access, error) {
	row, err := q.ModelAccess(ctx, gen.ModelAccessParams{ModelID: modelID, UserID: actor.UserID})
	if pgtx.IsNoRows(err) {
		return Access{}, domain.NotFound("model %d does not exist", modelID)
	}
	if err != nil {
		return Access{}, fmt.Errorf("read model access: %w", err)
	}
	return Access{OwnerID: row.OwnerID, IsOwner: row.OwnerID == actor.UserID, IsDelegate: row.IsDelegate}, nil
}
