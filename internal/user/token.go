package user

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/auth"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// tokenExpiresAfterCreated refuses a token that would expire before it exists.
const tokenExpiresAfterCreated = "api_tokens_expires_after_created"

// CreateToken issues a new API token for userID. ADMIN may issue tokens for anyone, other users
// only for themselves. The plaintext is in the returned Token and nowhere else. The token expires
// at in.ExpiresAt, or TokenTTL from now; never after the token the request came with.
func (s *Service) CreateToken(ctx context.Context, actor domain.Actor, userID int32, in TokenInput) (Token, error) {
	if !actor.IsAdmin() && actor.UserID != userID {
		return Token{}, domain.Forbidden("only ADMIN users may create tokens for other users")
	}
	return pgtx.WithTxV(ctx, s.db, func(tx pgx.Tx) (Token, error) {
		q := gen.New(tx)
		exists, err := q.UserExists(ctx, userID)
		if err != nil {
			return Token{}, fmt.Errorf("find user: %w", err)
		}
		if !exists {
			return Token{}, domain.NotFound("user %d does not exist", userID)
		}
		return s.createToken(ctx, q, userID, in, actor)
	})
}

// createToken inserts the token and its audit row with q. by is the acting user, the zero Actor
// for the command line (no audit user, no expiry cap).
func (s *Service) createToken(ctx context.Context, q *gen.Queries, userID int32, in TokenInput, by domain.Actor) (Token, error) {
	var c domain.Check
	c.Name("name", in.Name)
	if in.ExpiresAt != nil && !by.TokenExpiresAt.IsZero() && in.ExpiresAt.After(by.TokenExpiresAt) {
		c.Add("expires_at", "must not be later than %s, when the token making this request expires",
			by.TokenExpiresAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if err := c.Err(); err != nil {
		return Token{}, err
	}
	var notAfter *time.Time
	if !by.TokenExpiresAt.IsZero() {
		notAfter = &by.TokenExpiresAt
	}
	secret, hash := auth.NewSecret()
	row, err := q.APITokenCreate(ctx, gen.APITokenCreateParams{
		UserID: userID, Name: in.Name, SecretHash: hash,
		ExpiresAt: in.ExpiresAt, TtlSeconds: int64(s.tokenTTL / time.Second), NotAfter: notAfter,
	})
	if pgtx.IsConstraintViolation(err, pgtx.CheckViolation, tokenExpiresAfterCreated) {
		return Token{}, domain.Invalid("expires_at", "must be in the future")
	}
	if err != nil {
		return Token{}, fmt.Errorf("create token: %w", err)
	}
	var byID *int32
	if by.UserID != 0 {
		byID = audit.By(by.UserID)
	}
	err = audit.Record(ctx, q, audit.Entry{
		EntityType: audit.EntityAPIToken, EntityID: row.TokenID, Action: audit.ActionTokenCreated, UserID: byID,
		Changes: map[string]any{"user_id": userID, "name": in.Name, "expires_at": row.ExpiresAt.UTC()},
	})
	return Token{
		TokenID: row.TokenID, Name: row.Name, Token: auth.FormatToken(row.TokenID, secret),
		CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC(),
	}, err
}

// RevokeToken revokes a token; ADMIN may revoke any token, other users only their own. Revoking
// a revoked token succeeds and changes nothing.
func (s *Service) RevokeToken(ctx context.Context, actor domain.Actor, tokenID int32) error {
	return pgtx.WithTx(ctx, s.db, func(tx pgx.Tx) error {
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
			EntityType: audit.EntityAPIToken, EntityID: tokenID, Action: audit.ActionTokenRevoked, UserID: audit.By(actor.UserID),
			Changes: map[string]any{"user_id": row.UserID, "name": row.Name},
		})
	})
}

// RevokeAllTokens revokes every live token of userID (the caller's own included, when it is
// theirs): ADMIN may for anyone, other users only for themselves. Each revoked token gets its
// TOKEN_REVOKED audit row; a user without live tokens changes nothing.
func (s *Service) RevokeAllTokens(ctx context.Context, actor domain.Actor, userID int32) error {
	if !actor.IsAdmin() && actor.UserID != userID {
		return domain.Forbidden("only ADMIN users may revoke other users' tokens")
	}
	return pgtx.WithTx(ctx, s.db, func(tx pgx.Tx) error {
		q := gen.New(tx)
		exists, err := q.UserExists(ctx, userID)
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		if !exists {
			return domain.NotFound("user %d does not exist", userID)
		}
		rows, err := q.APITokensRevokeForUser(ctx, userID)
		if err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
		for _, r := range rows {
			err := audit.Record(ctx, q, audit.Entry{
				EntityType: audit.EntityAPIToken, EntityID: r.TokenID, Action: audit.ActionTokenRevoked, UserID: audit.By(actor.UserID),
				Changes: map[string]any{"user_id": userID, "name": r.Name, "all_of_user": true},
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// revokeByName revokes the user's live tokens named name, for the operator (no audit user).
func revokeByName(ctx context.Context, q *gen.Queries, userID int32, name string) error {
	ids, err := q.APITokensRevokeByName(ctx, gen.APITokensRevokeByNameParams{UserID: userID, Name: name})
	if err != nil {
		return fmt.Errorf("revoke earlier %q tokens: %w", name, err)
	}
	for _, id := range ids {
		err := audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityAPIToken, EntityID: id, Action: audit.ActionTokenRevoked,
			Changes: map[string]any{"user_id": userID, "name": name, "replaced": true},
		})
		if err != nil {
			return err
		}
	}
	return nil
}
