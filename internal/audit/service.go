package audit

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
)

// Service reads the audit log.
type Service struct {
	pool *pgxpool.Pool
	q    *gen.Queries
}

// NewService returns a Service reading through pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, q: gen.New(pool)} }

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
	if err := mayRead(actor); err != nil {
		return nil, nil, err
	}
	before := page.After
	if before == 0 {
		before = math.MaxInt64
	}
	rows, err := s.q.AuditLogList(ctx, f.params(before, page.Limit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("list audit logs: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.AuditLog) int64 { return r.AuditID })
	logs := make([]Log, len(rows))
	for i, r := range rows {
		logs[i] = logOf(r)
	}
	return logs, next, nil
}

// Export sends every audit row f matches to each, newest first, from one snapshot (export.Run):
// the CSV answer of GET /audit-logs (ADMIN and VALIDATOR).
func (s *Service) Export(ctx context.Context, actor domain.Actor, f Filter, maxRows int64, each func(Log) error) error {
	if err := mayRead(actor); err != nil {
		return err
	}
	src := export.Source[gen.AuditLog]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) {
			return q.AuditLogCount(ctx, gen.AuditLogCountParams{EntityType: f.EntityType, EntityID: f.EntityID, Action: f.Action, UserID: f.UserID})
		},
		Page: func(ctx context.Context, q *gen.Queries, last *gen.AuditLog, limit int32) ([]gen.AuditLog, error) {
			before := int64(math.MaxInt64)
			if last != nil {
				before = last.AuditID
			}
			return q.AuditLogList(ctx, f.params(before, limit))
		},
	}
	return export.Run(ctx, s.pool, maxRows, src, func(r gen.AuditLog) error { return each(logOf(r)) })
}

func mayRead(actor domain.Actor) error {
	if !actor.IsMRM() {
		return domain.Forbidden("only ADMIN and VALIDATOR users may read the audit log")
	}
	return nil
}

// params is the list query with f's filters, the rows before audit id before, limit of them.
func (f Filter) params(before int64, limit int32) gen.AuditLogListParams {
	return gen.AuditLogListParams{
		BeforeID: before, EntityType: f.EntityType, EntityID: f.EntityID, Action: f.Action, UserID: f.UserID, PageLimit: limit,
	}
}

func logOf(r gen.AuditLog) Log {
	return Log{
		AuditID: r.AuditID, EntityType: r.EntityType, EntityID: r.EntityID, Action: r.Action,
		UserID: r.UserID, Changes: r.Changes, CreatedAt: r.CreatedAt.UTC(),
	}
}
