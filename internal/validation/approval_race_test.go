package validation_test

import (
	"context"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

// pendingApproval creates a TARGETED request on model and works it to PENDING_APPROVAL.
func (f *fixture) pendingApproval(model int32) int32 {
	f.t.Helper()
	return f.toPendingApproval(input(validation.TypeTargeted, model))
}

// TestLastApprovalWaitsForCreatorsOfItsModels: an INITIAL creator checks "no approved
// validation" under its models' locks, so the decision that approves a request must take those
// locks too — otherwise the approval could commit between the creator's check and its insert,
// leaving an INITIAL request on an already validated model. While another transaction holds the
// model's lock, the last approval is seen waiting on it, and approves the request only after that
// transaction ends.
func TestLastApprovalWaitsForCreatorsOfItsModels(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	model := f.models(1)[0] // runs in no region: the GLOBAL approval is the whole round
	id := f.pendingApproval(model)
	approval := f.approvals(id)[0].ApprovalID
	approver := f.approver(domain.RoleGlobalApprover)
	creator := holdLock(t, f.db.Pool, model)
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.Decide(context.Background(), approver, approval, validation.DecisionInput{Decision: validation.ApprovalApproved})
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
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := f.status(id); s != validation.StatusApproved {
		t.Fatalf("request %s after its last approval", s)
	}
}

// Negative control: without the decision's locks (test-only switch) the approval does not wait
// for the creator — the schedule the test above rules out.
func TestLastApprovalWithoutLocksDoesNotWait(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	model := f.models(1)[0]
	id := f.pendingApproval(model)
	approval := f.approvals(id)[0].ApprovalID
	approver := f.approver(domain.RoleGlobalApprover)
	holdLock(t, f.db.Pool, model)
	validation.SkipDecisionLocks(f.svc)
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.Decide(context.Background(), approver, approval, validation.DecisionInput{Decision: validation.ApprovalApproved})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("without the locks the approval should not have waited for the creator")
	}
}
