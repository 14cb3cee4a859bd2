// Package policy holds the settings the revalidation schedule and the workflow's SLA are computed
// from (docs/revalidation.md): the validation policy of each risk tier and the workflow SLA.
// Both are read by anyone and changed only by ADMIN, under the row's lock, audited.
package policy

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Risk tiers, most material first (the validation_policies_tier_known constraint lists the same;
// a model's risk_tier is a foreign key to its policy).
const (
	Tier1 = "TIER_1"
	Tier2 = "TIER_2"
	Tier3 = "TIER_3"
	Tier4 = "TIER_4"
)

// RiskTiers lists every risk tier in tier order.
var RiskTiers = []string{Tier1, Tier2, Tier3, Tier4}

// CheckRiskTier adds a problem under field to c when tier is not a known risk tier.
func CheckRiskTier(c *domain.Check, field, tier string) {
	if !slices.Contains(RiskTiers, tier) {
		c.Add(field, "must be one of %v", RiskTiers)
	}
}

// Ranges of a policy's figures (the validation_policies CHECK constraints hold the same).
const (
	MaxFrequencyMonths = 120
	MaxGraceMonths     = 60
	MaxLeadTimeDays    = 3650
)

// Policy is the validation policy of one risk tier.
type Policy struct {
	RiskTier                string    `json:"risk_tier"`
	FrequencyMonths         int32     `json:"frequency_months"`
	GracePeriodMonths       int32     `json:"grace_period_months"`
	ModelChangeLeadTimeDays int32     `json:"model_change_lead_time_days"`
	UpdatedAt               time.Time `json:"updated_at"`
}

// PolicyInput is a whole policy as PUT replaces it. The figures are as sent (int64) so that a
// number out of the int4 range is refused by the range check, never wrapped.
type PolicyInput struct {
	FrequencyMonths         int64
	GracePeriodMonths       int64
	ModelChangeLeadTimeDays int64
}

func (in PolicyInput) check() error {
	var c domain.Check
	inRange(&c, "frequency_months", in.FrequencyMonths, 1, MaxFrequencyMonths)
	inRange(&c, "grace_period_months", in.GracePeriodMonths, 0, MaxGraceMonths)
	inRange(&c, "model_change_lead_time_days", in.ModelChangeLeadTimeDays, 0, MaxLeadTimeDays)
	return c.Err()
}

func inRange(c *domain.Check, field string, v, lo, hi int64) {
	if v < lo || v > hi {
		c.Add(field, "must be a whole number between %d and %d", lo, hi)
	}
}

// Service reads and changes the validation policies and the workflow SLA.
type Service struct {
	db pgtx.DB
	// controls are test switches (export_test.go); production code never sets them.
	controls struct {
		// readWithoutLock reads the policy being edited without its row lock: the negative
		// control of TestPolicyEditsChain.
		readWithoutLock bool
	}
}

// NewService returns a Service on pool; limits bound every lock wait and statement of its
// transactions.
func NewService(pool *pgxpool.Pool, limits pgtx.Limits) *Service {
	return &Service{db: pgtx.NewDB(pool, limits.Bounded())}
}

// List returns the policy of every risk tier, in tier order. Anyone authenticated may read them.
func (s *Service) List(ctx context.Context) ([]Policy, error) {
	rows, err := gen.New(s.db.Pool).ValidationPolicyList(ctx)
	if err != nil {
		return nil, fmt.Errorf("list validation policies: %w", err)
	}
	out := make([]Policy, len(rows))
	for i, r := range rows {
		out[i] = policyOf(gen.ValidationPolicyUpdateRow(r))
	}
	return out, nil
}

func policyOf(r gen.ValidationPolicyUpdateRow) Policy {
	return Policy{
		RiskTier: r.RiskTier, FrequencyMonths: r.FrequencyMonths, GracePeriodMonths: r.GracePeriodMonths,
		ModelChangeLeadTimeDays: r.ModelChangeLeadTimeDays, UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// Update replaces the policy of riskTier (ADMIN only) under the policy row's lock, so two edits
// are judged one after the other and each audit row's "from" is what its edit replaced. The
// schedule's dates follow at once: they are computed from the policy, never stored. An unknown
// tier is not_found.
func (s *Service) Update(ctx context.Context, actor domain.Actor, riskTier string, in PolicyInput) (Policy, error) {
	if !actor.IsAdmin() {
		return Policy{}, domain.Forbidden("only ADMIN users may change validation policies")
	}
	if !slices.Contains(RiskTiers, riskTier) {
		return Policy{}, domain.NotFound("no validation policy for risk tier %q; the tiers are %v", riskTier, RiskTiers)
	}
	if err := in.check(); err != nil {
		return Policy{}, err
	}
	return pgtx.WithTxV(ctx, s.db, func(tx pgx.Tx) (Policy, error) {
		q := gen.New(tx)
		cur, err := s.readForEdit(ctx, q, riskTier)
		if pgtx.IsNoRows(err) {
			return Policy{}, domain.NotFound("no validation policy for risk tier %q", riskTier)
		}
		if err != nil {
			return Policy{}, fmt.Errorf("lock validation policy: %w", err)
		}
		row, err := q.ValidationPolicyUpdate(ctx, gen.ValidationPolicyUpdateParams{
			RiskTier: riskTier, FrequencyMonths: int32(in.FrequencyMonths), GracePeriodMonths: int32(in.GracePeriodMonths),
			ModelChangeLeadTimeDays: int32(in.ModelChangeLeadTimeDays), UpdatedBy: audit.By(actor.UserID),
		})
		if err != nil {
			return Policy{}, fmt.Errorf("update validation policy: %w", err)
		}
		out := policyOf(row)
		return out, audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityValidationPolicy, EntityID: cur.TierRank, Action: audit.ActionValidationPolicyUpdated,
			UserID: audit.By(actor.UserID),
			Changes: map[string]any{
				"risk_tier":                   riskTier,
				"frequency_months":            fromTo(cur.FrequencyMonths, row.FrequencyMonths),
				"grace_period_months":         fromTo(cur.GracePeriodMonths, row.GracePeriodMonths),
				"model_change_lead_time_days": fromTo(cur.ModelChangeLeadTimeDays, row.ModelChangeLeadTimeDays),
			},
		})
	})
}

// readForEdit reads the policy an edit replaces, under its row lock (FOR UPDATE): the edits of
// one policy then run one after the other, each reading what the one before it wrote.
func (s *Service) readForEdit(ctx context.Context, q *gen.Queries, riskTier string) (gen.ValidationPolicyLockForUpdateRow, error) {
	if !s.controls.readWithoutLock {
		return q.ValidationPolicyLockForUpdate(ctx, riskTier)
	}
	rows, err := q.ValidationPolicyList(ctx)
	if err != nil {
		return gen.ValidationPolicyLockForUpdateRow{}, err
	}
	for _, r := range rows {
		if r.RiskTier == riskTier {
			return gen.ValidationPolicyLockForUpdateRow(r), nil
		}
	}
	return gen.ValidationPolicyLockForUpdateRow{}, pgx.ErrNoRows
}

// fromTo is how an audit row shows a changed setting.
func fromTo[T any](from, to T) map[string]T { return map[string]T{"from": from, "to": to} }
