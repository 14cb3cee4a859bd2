package auth

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// touchInterval is how stale last_used_at may get before a request refreshes it: recording every
// use would turn every read into a write.
const touchInterval = time.Minute

// Authenticator checks bearer tokens against the database.
type Authenticator struct {
	q *gen.Queries
}

// NewAuthenticator returns an Authenticator reading through pool.
func NewAuthenticator(pool *pgxpool.Pool) *Authenticator {
	return &Authenticator{q: gen.New(pool)}
}

var errBadToken = domain.Errorf(domain.CodeUnauthenticated, "the bearer token is missing, malformed, unknown, revoked or expired, or its user is disabled")

// Authenticate returns the user a plaintext token belongs to. Every kind of bad token — unknown,
// wrong secret, revoked, expired, or its user disabled — gives the same unauthenticated error, so
// a caller learns nothing about which tokens exist. Nothing is cached: a revocation or a disable
// holds from the next request on, on every replica.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (domain.Actor, error) {
	tokenID, secret, ok := ParseToken(token)
	if !ok {
		return domain.Actor{}, errBadToken
	}
	row, err := a.q.APITokenAuthenticate(ctx, tokenID)
	if pgtx.IsNoRows(err) {
		return domain.Actor{}, errBadToken
	}
	if err != nil {
		return domain.Actor{}, fmt.Errorf("authenticate: %w", err)
	}
	if subtle.ConstantTimeCompare(row.SecretHash, HashSecret(secret)) != 1 || row.RevokedAt != nil || row.Expired || row.UserDisabled {
		return domain.Actor{}, errBadToken
	}
	if row.LastUsedAt == nil || time.Since(*row.LastUsedAt) > touchInterval {
		if err := a.q.APITokenTouch(ctx, tokenID); err != nil {
			return domain.Actor{}, fmt.Errorf("record token use: %w", err)
		}
	}
	return domain.Actor{UserID: row.UserID, Role: domain.Role(row.Role), TokenExpiresAt: row.ExpiresAt}, nil
}
