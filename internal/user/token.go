package user

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/auth"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// CreateToken issues a new API token for userID. ADMIN may issue tokens for anyone, other users
// only for themselves. The plaintext is in the returned Token and nowhere else.
func (s *Service) CreateToken(ctx context.Context, actor domain.Actor, userID int32, name string) (Token, error) {
	if !actor.IsAdmin() && actor.UserID != userID {
		return Token{}, domain.Forbidden("only ADMIN users may create tokens for other users")
	}
	var t Token
	err := pgtx.WithTxLimits(ctx, s.pool, pgtx.ReadCommitted, s.limits, func(tx pgx.Tx) error {
		q := gen.New(tx)
		exists, err := q.UserExists(ctx, userID)
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		if !exists {
			return domain.NotFound("user %d does not exist", userID)
		}
		t, err = createToken(ctx, q, userID, name, audit.By(actor.UserID))
		return err
	})
	return t, err
}

func createToken(ctx context.Context, q *gen.Queries, userID int32, name string, by *int32) (Token, error) {
	var c domain.Check
	c.Name("name", name)
	if err := c.Err(); err != nil {
		return Token{}, err
	}
	secret, hash := auth.NewSecret()
	row, err := q.APITokenCreate(ctx, gen.APITokenCreateParams{UserID: userID, Name: name, SecretHash: hash})
	if err != nil {
		return Token{}, fmt.Errorf("create token: %w", err)
	}
	err = audit.Record(ctx, q, audit.Entry{
		EntityType: audit.EntityAPIToken, EntityID: row.TokenID, Action: "TOKEN_CREATED", UserID: by,
		Changes: map[string]any{"user_id": userID, "name": name},
	})
	return Token{TokenID: row.TokenID, Name: row.Name, Token: auth.FormatToken(row.TokenID, secret), CreatedAt: row.CreatedAt.UTC()}, err
}

// RevokeToken revokes a token; ADMIN may revoke any token, other users only their own. Revoking
// a revoked token succeeds and changes nothing.
func (s *Service) RevokeToken(ctx context.Context, actor domain.Actor, tokenID int32) error {
	return pgtx.WithTxLimits(ctx, s.pool, pgtx.ReadCommitted, s.limits, func(tx pgx.Tx) error {
		q := gen.New(tx)
		row, err := q.APITokenGetForUpdate(ctx, tokenID)
		if pgtx.IsNoRows(err) {
			return domain.NotFound("token %d does not exist", tokenID)
		}
		if err != nil {
			return fmt.Errorf("find token: %w", err)
		}
		if !actor.IsAdmin() && row.UserID != actor.UserID {
			return domain.Forbidden("only ADMIN users may revoke other users' tokens")
		}
		if row.RevokedAt != nil {
			return nil
		}
		if err := q.APITokenRevoke(ctx, tokenID); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityAPIToken, EntityID: tokenID, Action: "TOKEN_REVOKED", UserID: audit.By(actor.UserID),
			Changes: map[string]any{"user_id": row.UserID, "name": row.Name},
		})
	})
}
