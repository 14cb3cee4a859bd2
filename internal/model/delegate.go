package model

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// AddDelegate lets userID act for the model's owner. ADMIN and the owner may grant; a delegate may
// not grant further. Granting an existing active delegate returns that grant and created=false.
func (s *Service) AddDelegate(ctx context.Context, actor domain.Actor, modelID, userID int32) (d Delegate, created bool, err error) {
	err = pgtx.WithTx(ctx, s.db, func(tx pgx.Tx) error {
		q := gen.New(tx)
		access, err := AccessOf(ctx, q, actor, modelID)
		if err != nil {
			return err
		}
		if !actor.IsAdmin() && !access.IsOwner {
			return domain.Forbidden("only ADMIN users and the model's owner may add delegates")
		}
		if userID == access.OwnerID {
			return domain.Invalid("user_id", "the owner cannot be a delegate of their own model")
		}
		exists, err := q.UserExists(ctx, userID)
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		if !exists {
			return domain.NotFound("user %d does not exist", userID)
		}
		row, err := q.ModelDelegateAdd(ctx, gen.ModelDelegateAddParams{ModelID: modelID, UserID: userID, GrantedBy: actor.UserID})
		if pgtx.IsNoRows(err) {
			row, err = q.ModelDelegateGetActive(ctx, gen.ModelDelegateGetActiveParams{ModelID: modelID, UserID: userID})
			d = delegateFromRow(row)
			return err
		}
		if err != nil {
			return fmt.Errorf("add delegate: %w", err)
		}
		d, created = delegateFromRow(row), true
		return audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityModel, EntityID: modelID, Action: audit.ActionDelegateAdded, UserID: audit.By(actor.UserID),
			Changes: map[string]any{"delegate_user_id": userID},
		})
	})
	return d, created, err
}

// RevokeDelegate ends userID's active grant on the model. ADMIN and the owner may revoke.
func (s *Service) RevokeDelegate(ctx context.Context, actor domain.Actor, modelID, userID int32) (Delegate, error) {
	return pgtx.WithTxV(ctx, s.db, func(tx pgx.Tx) (Delegate, error) {
		q := gen.New(tx)
		access, err := AccessOf(ctx, q, actor, modelID)
		if err != nil {
			return Delegate{}, err
		}
		if !actor.IsAdmin() && !access.IsOwner {
			return Delegate{}, domain.Forbidden("only ADMIN users and the model's owner may revoke delegates")
		}
		row, err := q.ModelDelegateRevoke(ctx, gen.ModelDelegateRevokeParams{ModelID: modelID, UserID: userID})
		if pgtx.IsNoRows(err) {
			return Delegate{}, domain.NotFound("user %d is not an active delegate of model %d", userID, modelID)
		}
		if err != nil {
			return Delegate{}, fmt.Errorf("revoke delegate: %w", err)
		}
		d := delegateFromRow(row)
		return d, audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityModel, EntityID: modelID, Action: audit.ActionDelegateRevoked, UserID: audit.By(actor.UserID),
			Changes: map[string]any{"delegate_user_id": userID},
		})
	})
}
