package user

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/idempotency"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/region"
)

// uniqueUsersEmail is the index that makes emails unique case-insensitively.
const uniqueUsersEmail = "users_email_lower_key"

// Service manages users and tokens.
type Service struct {
	db       pgtx.DB
	tokenTTL time.Duration
}

// NewService returns a Service on pool. limits bound the lock waits (pgtx.DefaultLockTimeout when
// zero) and the statements of its transactions; tokenTTL is the lifetime of a token created
// without expires_at (domain.DefaultTokenTTL when zero).
func NewService(pool *pgxpool.Pool, limits pgtx.Limits, tokenTTL time.Duration) *Service {
	if tokenTTL <= 0 {
		tokenTTL = domain.DefaultTokenTTL
	}
	return &Service{db: pgtx.NewDB(pool, limits.Bounded()), tokenTTL: tokenTTL}
}

// Create adds a user. Only ADMIN may. With an Idempotency-Key a retry replays the first answer.
func (s *Service) Create(ctx context.Context, actor domain.Actor, in CreateInput, key *idempotency.Key) (idempotency.Result[User], error) {
	if !actor.IsAdmin() {
		return idempotency.Result[User]{}, domain.Forbidden("only ADMIN users may create users")
	}
	return idempotency.InTx(ctx, s.db, key, func(tx pgx.Tx) (User, error) {
		return create(ctx, gen.New(tx), in, audit.By(actor.UserID))
	})
}

// Bootstrap creates a user and a first token for it on behalf of the operator (the command line:
// there is no acting user, so the audit rows have none).
func (s *Service) Bootstrap(ctx context.Context, in CreateInput, tokenName string) (User, Token, error) {
	var u User
	t, err := pgtx.WithTxV(ctx, s.db, func(tx pgx.Tx) (Token, error) {
		q := gen.New(tx)
		var err error
		if u, err = create(ctx, q, in, nil); err != nil {
			return Token{}, err
		}
		return s.createToken(ctx, q, u.UserID, TokenInput{Name: tokenName}, domain.Actor{})
	})
	return u, t, err
}

// EnsureWithToken returns the user with in.Email, creating it if it does not exist, and a new
// token for it, revoking the user's earlier live tokens of the same name first; `serve --dev`
// uses it for the development admin, so only the token it printed last works. Like Bootstrap it
// acts for the operator.
func (s *Service) EnsureWithToken(ctx context.Context, in CreateInput, tokenName string) (User, Token, error) {
	var u User
	t, err := pgtx.WithTxV(ctx, s.db, func(tx pgx.Tx) (Token, error) {
		q := gen.New(tx)
		row, err := q.UserGetByEmail(ctx, in.Email)
		switch {
		case err == nil:
			u = fromRow(row, nil) // the development admin, never a regional approver
		case pgtx.IsNoRows(err):
			if u, err = create(ctx, q, in, nil); err != nil {
				return Token{}, err
			}
		default:
			return Token{}, fmt.Errorf("find user: %w", err)
		}
		if err := revokeByName(ctx, q, u.UserID, tokenName); err != nil {
			return Token{}, err
		}
		return s.createToken(ctx, q, u.UserID, TokenInput{Name: tokenName}, domain.Actor{})
	})
	return u, t, err
}

func create(ctx context.Context, q *gen.Queries, in CreateInput, by *int32) (User, error) {
	if err := in.check(); err != nil {
		return User{}, err
	}
	row, err := q.UserCreate(ctx, gen.UserCreateParams{Email: in.Email, FullName: in.FullName, Role: gen.UserRole(in.Role)})
	if pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, uniqueUsersEmail) {
		return User{}, domain.Errorf(domain.CodeConflict, "a user with email %q already exists", in.Email)
	}
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	u := fromRow(row, in.RegionIDs)
	if len(in.RegionIDs) > 0 {
		if _, err := region.RequireAll(ctx, q, "region_ids", in.RegionIDs); err != nil {
			return User{}, err
		}
		if err := q.UserRegionsAdd(ctx, gen.UserRegionsAddParams{UserID: u.UserID, RegionIds: in.RegionIDs}); err != nil {
			return User{}, fmt.Errorf("add user regions: %w", err)
		}
	}
	err = audit.Record(ctx, q, audit.Entry{
		EntityType: audit.EntityUser, EntityID: u.UserID, Action: audit.ActionUserCreated, UserID: by,
		Changes: map[string]any{"email": u.Email, "full_name": u.FullName, "role": u.Role, "region_ids": u.RegionIDs},
	})
	return u, err
}

// Get returns one user as the directory shows it, in one statement; any authenticated user may
// look up the caller itself (GET /users/me), and Lookup is the directory's way to it.
func (s *Service) Get(ctx context.Context, userID int32) (User, error) {
	row, err := gen.New(s.db.Pool).UserDirectoryGet(ctx, userID)
	if pgtx.IsNoRows(err) {
		return User{}, domain.NotFound("user %d does not exist", userID)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	return fromDirectoryRow(row), nil
}
