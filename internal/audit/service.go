package audit

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
)

// Service reads the audit log.
type Service struct {
	q *gen.Queries
}

// NewService returns a Service reading through pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{q: gen.New(pool)} }

// Filter narrows a listing; nil fields do not filter.
type Filter struct {
	EntityType *string
	EntityID   *int32
	Action     *string
	UserID     *int32
}

// List returns audit rows newest first. Only ADMIN and VALIDATOR may read the audit log: it
// shows every user's actions.
func (s *Service) List(ctx context.Context, actor domain.Actor, f Filter, page domain.Page) ([]Log, *int64, error) {
	if actor.Role != domain.RoleAdmin && actor.Role != domain.RoleValidator {
		return nil, nil, domain.Forbidden("only ADMIN and VALIDATOR users may read the audit log")
	}
	before := page.After
	if before == 0 {
		before = math.MaxInt64
	}
	rows, err := s.q.AuditLogList(ctx, gen.AuditLogListParams{
		BeforeID:   before,
		EntityType: f.EntityType,
		EntityID:   f.EntityID,
		Action:     f.Action,
		UserID:     f.UserID,
		PageLimit:  page.Limit + 1,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list audit logs: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.AuditLog) int64 { return r.AuditID })
	logs := make([]Log, len(rows))
	for i, r := range rows {
		logs[i] = Log{
			AuditID: r.AuditID, EntityType: r.EntityType, EntityID: r.EntityID, Action: r.Action,
			UserID: r.UserID, Changes: r.Changes, CreatedAt: r.CreatedAt.UTC(),
		}
	}
	return logs, next, nil
}
