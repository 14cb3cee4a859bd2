package validation_test

import (
	"context"
	"testing"
	"time"

	"mrmflow/internal/validation"
)

// pendingApproval creates a TARGETED request on model with svc and walks it to PENDING_APPROVAL.
func (f *fixture) pendingApproval(model int32) int32 {
	f.t.Helper()
	r, err := f.svc.Create(context.Background(), f.validator, input(validation.TypeTargeted, model), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, s := range []string{validation.StatusPlanning, validation.StatusInProgress, validation.StatusReview, validation.StatusPendingApproval} {
		if _, err := f.svc.ChangeStatus(context.Background(), f.validator, r.Value.RequestID, s, "step"); err != nil {
			f.t.Fatalf("to %s: %v", s, err)
		}
	}
	return r.Value.RequestID
}

// TestApprovalWaitsForCreatorsOfItsModels: an INITIAL creator checks "no approved validation"
// under its models' locks, so approving a request must take those locks too — otherwise an
// approval could commit between the creator's check and its insert, leaving an INITIAL request on
// an already validated model. While another transaction holds the model's lock, the approval is
// seen waiting on it and completes only after that transaction ends.
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
	if err := <-done; err != nil {
		t.Fatalf("approval after the creator finished: %v", err)
	}
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
		if err != nil {
			t.Fatalf("approval: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("without the lock the approval should not have waited for the creator")
	}
}
