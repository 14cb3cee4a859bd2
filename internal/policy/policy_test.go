package policy_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/policy"
	"mrmflow/internal/testdb"
)

const editors = 8

// policyScene is a database with an ADMIN, and TIER_1's policy edited through a service.
type policyScene struct {
	t     *testing.T
	db    *testdb.DB
	admin domain.Actor
}

func newPolicyScene(t *testing.T) *policyScene {
	d := testdb.New(t, editors+2)
	var id int32
	if err := d.Pool.QueryRow(context.Background(),
		`INSERT INTO users (email, full_name, role) VALUES ('a@bank.test', 'Admin', 'ADMIN') RETURNING user_id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return &policyScene{t: t, db: d, admin: domain.Actor{UserID: id, Role: domain.RoleAdmin}}
}

// editRound sends editors edits of TIER_1 at once (a barrier; each on its own pooled
// connection) and reports whether their audit rows chain: each row's frequency "from" is the
// "to" of the row before it, the first's is what the policy held before the round, and the policy
// holds the last one's "to".
func (s *policyScene) editRound(svc *policy.Service, round int) bool {
	s.t.Helper()
	ctx := context.Background()
	before := s.frequency()
	var lastAudit int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT coalesce(max(audit_id), 0) FROM audit_logs`).Scan(&lastAudit); err != nil {
		s.t.Fatal(err)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, editors)
	for i := range editors {
		wg.Go(func() {
			<-start
			_, errs[i] = svc.Update(ctx, s.admin, "TIER_1", policy.PolicyInput{
				FrequencyMonths: int64(13 + (round*editors+i)%100), GracePeriodMonths: 2, ModelChangeLeadTimeDays: 120,
			})
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			s.t.Fatalf("edit %d: %v", i, err)
		}
	}
	rows, err := s.db.Pool.Query(ctx, `
		SELECT (changes->'frequency_months'->>'from')::int, (changes->'frequency_months'->>'to')::int
		FROM audit_logs
		WHERE audit_id > $1 AND entity_type = 'validation_policy'
		ORDER BY audit_id`, lastAudit)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	prev, n, chained := before, 0, true
	for rows.Next() {
		var from, to int32
		if err := rows.Scan(&from, &to); err != nil {
			s.t.Fatal(err)
		}
		chained = chained && from == prev
		prev, n = to, n+1
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	if n != editors {
		s.t.Fatalf("%d audit rows, want %d", n, editors)
	}
	return chained && s.frequency() == prev
}

func (s *policyScene) frequency() int32 {
	s.t.Helper()
	var f int32
	if err := s.db.Pool.QueryRow(context.Background(),
		`SELECT frequency_months FROM validation_policies WHERE risk_tier = 'TIER_1'`).Scan(&f); err != nil {
		s.t.Fatal(err)
	}
	return f
}

// TestPolicyEditsChain: concurrent edits of one policy are judged one after the other under its
// row lock, so every audit row's "from" is what its edit replaced and the policy holds the last
// edit. Run under -race with a barrier; several rounds, since one round may happen to interleave
// harmlessly.
func TestPolicyEditsChain(t *testing.T) {
	t.Parallel()
	s := newPolicyScene(t)
	svc := policy.NewService(s.db.Pool, pgtx.Limits{LockTimeout: 5 * time.Second})
	for round := range 5 {
		if !s.editRound(svc, round) {
			t.Fatalf("round %d: the audit rows do not chain", round)
		}
	}
}

// TestPolicyEditsChainNegativeControl: without the row lock (policy.ReadWithoutLock), concurrent
// edits read the same row, and their audit rows' "from" no longer chain — the race the lock
// closes, which TestPolicyEditsChain would catch. A round can interleave harmlessly, so up to
// thirty rounds are tried before calling the race uncatchable.
func TestPolicyEditsChainNegativeControl(t *testing.T) {
	t.Parallel()
	s := newPolicyScene(t)
	svc := policy.NewService(s.db.Pool, pgtx.Limits{LockTimeout: 5 * time.Second})
	policy.ReadWithoutLock(svc)
	for round := range 30 {
		if !s.editRound(svc, round) {
			return
		}
	}
	t.Fatal("30 rounds of concurrent edits without the row lock all chained: the test would not catch the race")
}
