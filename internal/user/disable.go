package user

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Disable stops every token of userID from authenticating, from the next request on, on every
// replica (authentication reads user_disablements with the token). Only ADMIN may, and not for
// themselves (the last ADMIN could lock everyone out). Disabling a disabled user changes nothing.
func (s *Service) Disable(ctx context.Context, actor domain.Actor, userID int32) error {
	if !actor.IsAdmin() {
		return domain.Forbidden("only ADMIN users may disable users")
	}
	if actor.UserID == userID {
		return domain.Errorf(domain.CodeConflict, "an ADMIN cannot disable themselves")
	}
	return s.setDisabled(ctx, actor, userID, true)
}

// Enable lets a disabled user's tokens authenticate again (those not revoked or expired). Only
// ADMIN may. Enabling an enabled user changes nothing.
func (s *Service) Enable(ctx context.Context, actor domain.Actor, userID int32) error {
	if !actor.IsAdmin() {
		return domain.Forbidden("only ADMIN users may enable users")
	}
	return s.setDisabled(ctx, actor, userID, false)
}

// setDisabled records the change and its USER_DISABLED or USER_ENABLED audit row, or nothing when
// the user already was in that state.
func (s *Service) setDisabled(ctx context.Context, actor domain.Actor, userID int32, disabled bool) error {
	return pgtx.WithTx(ctx, s.db, func(tx pgx.Tx) error {
		q := gen.New(tx)
		exists, err := q.UserExists(ctx, userID)
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		if !exists {
			return domain.NotFound("user %d does not exist", userID)
		}
		var changed int64
		action := audit.ActionUserEnabled
		if disabled {
			action = audit.ActionUserDisabled
			changed, err = q.UserDisablementCreate(ctx, gen.UserDisablementCreateParams{UserID: userID, DisabledBy: &actor.UserID})
		} else {
			changed, err = q.UserDisablementDelete(ctx, userID)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", action, err)
		}
		if changed == 0 {
			return nil
		}
		return audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityUser, EntityID: userID, Action: action, UserID: audit.By(actor.UserID),
			Changes: map[string]any{"disabled": disabled},
		})
	})
}
