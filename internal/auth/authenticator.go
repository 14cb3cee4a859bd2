package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// touchInterval is how stale last_used_at may get before a request refreshes it: recording every
// use would turn every read into a write. APITokenTouch's guard says the same in SQL.
const touchInterval = time.Minute

// Authenticator checks bearer tokens against the database.
type Authenticator struct {
	q *gen.Queries
}

// NewAuthenticator returns an Authenticator reading through pool.
func NewAuthenticator(pool *pgxpool.Pool) *Authenticator {
	return &Authenticator{q: gen.New(pool)}
}

// ErrBadToken is the one answer to every bad token: malformed, unknown, wrong secret, revoked,
// expired, or its user disabled.
var ErrBadToken = domain.Errorf(domain.CodeUnauthenticated, "the bearer token is missing, malformed, unknown, revoked or expired, or its user is disabled")

// Authenticate returns the user a plaintext token belongs to, in one statement
// (APITokenAuthorize), plus the record of its use at most once a minute. Every kind of bad
// token — unknown, wrong secret, revoked, expired, or its user disabled — gives the same
// unauthenticated error, so a caller learns nothing about which tokens exist. Nothing is cached:
// a revocation or a disable holds from the next request on, on every replica.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (domain.Actor, error) {
	c, ok := ParseCredentials(token)
	if !ok {
		return domain.Actor{}, ErrBadToken
	}
	row, err := a.q.APITokenAuthorize(ctx, c.params(nil))
	if err != nil {
		return domain.Actor{}, authorizeError(err, nil)
	}
	if stale(row.LastUsedAt) {
		if err := a.q.APITokenTouch(ctx, c.TokenID); err != nil {
			return domain.Actor{}, fmt.Errorf("record token use: %w", err)
		}
	}
	return actorOf(row), nil
}

// Credentials are a bearer token as the database checks it: the token's id and the SHA-256 of
// its secret. A service that authenticates inside its own transaction (Grant) is given these
// instead of an actor.
type Credentials struct {
	TokenID    int32
	SecretHash []byte
}

// ParseCredentials splits a plaintext token and hashes its secret; ok is false for anything not
// of the token's shape.
func ParseCredentials(token string) (c Credentials, ok bool) {
	id, secret, ok := ParseToken(token)
	if !ok {
		return Credentials{}, false
	}
	return Credentials{TokenID: id, SecretHash: HashSecret(secret)}, true
}

func (c Credentials) params(roles []domain.Role) gen.APITokenAuthorizeParams {
	p := gen.APITokenAuthorizeParams{TokenID: c.TokenID, SecretHash: c.SecretHash}
	if len(roles) > 0 {
		p.Roles = domain.RoleNames(roles)
	}
	return p
}

// Grant is the authentication of Credentials queued at the head of a transaction's first
// pipeline (Queue): it saves the round trip authentication would take on its own, and because
// api_token_authorize raises for a bad token or a role not admitted, the server skips every
// statement queued behind it — a lock, a read — unless the token is good.
type Grant struct {
	creds Credentials
	row   gen.APITokenAuthorizeRow
}

// NewGrant is the authentication of c, to be queued.
func NewGrant(c Credentials) *Grant { return &Grant{creds: c} }

// Queue queues the authentication on p, admitting roles only; forbidden is the error for a good
// token of another role. Once p is sent without error, Actor is the caller. Each Queue starts
// from no caller: a transaction retried after a lost connection queues it again, and a token
// refused on the retry must not leave the first attempt's caller behind.
func (g *Grant) Queue(ctx context.Context, p *pgtx.Pipeline, roles []domain.Role, forbidden error) {
	g.row = gen.APITokenAuthorizeRow{}
	pgtx.One(p, &g.row, func(q *gen.Queries) (gen.APITokenAuthorizeRow, error) {
		return q.APITokenAuthorize(ctx, g.creds.params(roles))
	}, func(err error) error { return authorizeError(err, forbidden) })
}

// Actor is the caller the token belongs to, once the pipeline was sent; the zero Actor if the
// token was refused.
func (g *Grant) Actor() domain.Actor { return actorOf(g.row) }

// QueueTouch queues the record of the token's use on p (the transaction's last pipeline) when
// it is due, so that a use is recorded with no round trip of its own.
func (g *Grant) QueueTouch(ctx context.Context, p *pgtx.Pipeline) {
	if !stale(g.row.LastUsedAt) {
		return
	}
	p.Exec(func(q *gen.Queries) error { return q.APITokenTouch(ctx, g.creds.TokenID) }, pgtx.Wrap("record token use"))
}

// authorizeError turns api_token_authorize's refusals into the errors a client sees: every bad
// token is ErrBadToken, a role not admitted is forbidden.
func authorizeError(err error, forbidden error) error {
	switch {
	case pgtx.IsSQLState(err, pgtx.InvalidAuthorization), pgtx.IsNoRows(err):
		return ErrBadToken
	case forbidden != nil && pgtx.IsSQLState(err, pgtx.InsufficientPrivilege):
		return forbidden
	}
	return fmt.Errorf("authenticate: %w", err)
}

func stale(lastUsed *time.Time) bool {
	return lastUsed == nil || time.Since(*lastUsed) > touchInterval
}

func actorOf(row gen.APITokenAuthorizeRow) domain.Actor {
	return domain.Actor{UserID: row.UserID, Role: domain.Role(row.Role), TokenExpiresAt: row.ExpiresAt}
}
