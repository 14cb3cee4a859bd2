package validation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

// submissionRace is how one round of concurrent submissions of one request ended.
type submissionRace struct {
	ok, refused int
	other       []error
	stored      string // the submission_received_date the request holds after the round
	audits      int    // SUBMISSION_RECEIVED audit rows of the request
}

// raceSubmission creates a request in IN_PROGRESS, then releases primaryRacers submissions of it
// at once behind a barrier, each with its own received_date, as the request's primary validator.
func raceSubmission(t *testing.T, f *fixture, svc *validation.Service, model int32) submissionRace {
	t.Helper()
	ctx := context.Background()
	r, err := f.svc.Create(ctx, f.validator, input(validation.TypeTargeted, model), nil)
	if err != nil {
		t.Fatal(err)
	}
	id := r.Value.RequestID
	primary := f.assign(id, true, false)
	f.step(id, validation.StatusInProgress)
	actor := domain.Actor{UserID: primary.ValidatorID, Role: domain.RoleValidator}
	var out submissionRace
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range primaryRacers {
		day, err := domain.ParseDate(fmt.Sprintf("2026-01-%02d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			<-start
			_, err := svc.Submit(ctx, actor, id, validation.SubmissionInput{ReceivedDate: day, Notes: "racer"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				out.ok++
			case domain.CodeOf(err) == domain.CodeConflict:
				out.refused++
			default:
				out.other = append(out.other, err)
			}
		})
	}
	close(start)
	wg.Wait()
	err = f.db.Pool.QueryRow(ctx, `
		SELECT coalesce(submission_received_date::text, ''),
		       (SELECT count(*) FROM audit_logs
		        WHERE entity_type = 'validation_request' AND entity_id = $1 AND action = 'SUBMISSION_RECEIVED')
		FROM validation_requests WHERE request_id = $1`, id).Scan(&out.stored, &out.audits)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Eight submissions of one request at once: exactly one is recorded, seven are conflicts, and one
// audit row says so. Each takes the request's row lock first and finds submission_received_date
// still NULL, or not, under it.
func TestConcurrentSubmissionExactlyOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t, primaryRacers+4)
	warm(t, f.db.Pool, primaryRacers)
	for i, m := range f.models(5) {
		o := raceSubmission(t, f, f.svc, m)
		if o.ok != 1 || o.refused != primaryRacers-1 || len(o.other) != 0 || o.audits != 1 || o.stored == "" {
			t.Fatalf("round %d: %d recorded, %d conflicts, other %v, %d audit rows, stored %q", i, o.ok, o.refused, o.other, o.audits, o.stored)
		}
	}
}

// Negative control: without the row lock, concurrent submissions all read the date still NULL and
// more than one is recorded — the later ones overwrite the first, each with its own audit row.
// Nothing in the database holds "once" by itself: the lock and the check under it do.
func TestConcurrentSubmissionWithoutLockBreaks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, primaryRacers+4)
	warm(t, f.db.Pool, primaryRacers)
	unlocked := newService(f.db.Pool, validation.SkipRequestLock)
	for i, m := range f.models(10) {
		o := raceSubmission(t, f, unlocked, m)
		if len(o.other) != 0 {
			t.Fatalf("round %d: unexpected errors %v", i, o.other)
		}
		if o.ok > 1 {
			t.Logf("round %d: %d submissions recorded without the row lock (%d audit rows)", i, o.ok, o.audits)
			return
		}
	}
	t.Fatal("never more than one submission without the row lock: this test cannot see the race")
}
