package validation_test

import (
	"context"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

// pendingApproval creates a TARGETED request on model with svc and walks it to PENDING_APPROVAL
// through the gates: a primary validator (which moves it to PLANNING), IN_PROGRESS, an outcome.
func (f *fixture) pendingApproval(model int32) int32 {
	f.t.Helper()
	r, err := f.svc.Create(context.Background(), f.validator, input(validation.TypeTargeted, model), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	id := r.Value.RequestID
	f.assign(id, true, false)
	f.step(id, validation.StatusInProgress)
	f.outcome(id)
	f.step(id, validation.StatusPendingApproval)
	return id
}

// wantUseApprovals checks that a status change to APPROVED was refused by its gate: APPROVED is
// reached only through the approvals workflow. The refusal comes after the model locks, which
// this file's tests are about.
func wantUseApprovals(t *testing.T, err error) {
	t.Helper()
	e := wantCode(t, err, domain.CodeGateNotMet)
	if unmet := e.Extra["unmet"].([]string); len(unmet) != 1 || unmet[0] != validation.GateUseApprovals {
		t.Fatalf("unmet %v, want [use_approvals]", unmet)
	}
}

// TestApprovalWaitsForCreatorsOfItsModels: an INITIAL creator checks "no approved validation"
// under its models' locks, so approving a request must take those locks too — otherwise an
// approval could commit between the creator's check and its insert, leaving an INITIAL request on
// an already validated model. While another transaction holds the model's lock, the approval is
// seen waiting on it and is judged only after that transaction ends (by hand, APPROVED is then
// refused by its gate: the approvals workflow is the way there).
func TestApprovalWaitsForCreatorsOfItsModels(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	model := f.models(1)[0]
	id := f.pendingApproval(model)
	creator := holdLock(t, f.db.Pool, model)
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.ChangeStatus(context.Background(), f.validator, id, validation.StatusApproved, "signed off")
		done <- err
	}()
	waitForAdvisoryWaiter(t, f.db.Pool)
	select {
	case err := <-done:
		t.Fatalf("the approval finished (%v) while a creator held the model's lock", err)
	default:
	}
	if err := creator.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantUseApprovals(t, <-done)
}

// Negative control: with the lock switched off (test-only option) the approval does not wait for
// the creator — the schedule the test above rules out.
func TestApprovalWithoutLockDoesNotWait(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	model := f.models(1)[0]
	id := f.pendingApproval(model)
	holdLock(t, f.db.Pool, model)
	unlocked := validation.NewServiceWithOptions(f.db.Pool, 5*time.Second, nil, validation.Options{SkipLock: true})
	done := make(chan error, 1)
	go func() {
		_, err := unlocked.ChangeStatus(context.Background(), f.validator, id, validation.StatusApproved, "signed off")
		done <- err
	}()
	select {
	case err := <-done:
		wantUseApprovals(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("without the lock the approval should not have waited for the creator")
	}
}
