package validation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// oneOutcomeKey allows one outcome per request; a second creator, concurrent or not, fails on it.
const oneOutcomeKey = "validation_outcomes_request_id_key"

// Overall ratings of an outcome (the validation_outcomes_rating_known constraint lists the same).
const (
	RatingPass             = "PASS"
	RatingPassWithFindings = "PASS_WITH_FINDINGS"
	RatingFail             = "FAIL"
)

var ratings = []string{RatingPass, RatingPassWithFindings, RatingFail}

// outcomeStatuses are where an outcome is written: the work is done or under review. An outcome
// may also be revised in REVISION, after an approver sent the request back; from PENDING_APPROVAL
// on it is what the approvers decide on, and it no longer changes.
var (
	outcomeCreateStatuses = []string{StatusInProgress, StatusReview}
	outcomeUpdateStatuses = []string{StatusInProgress, StatusReview, StatusRevision}
)

// Outcome is the result of a validation, as the API shows it.
type Outcome struct {
	OutcomeID        int32        `json:"outcome_id"`
	RequestID        int32        `json:"request_id"`
	OverallRating    string       `json:"overall_rating"`
	ExecutiveSummary string       `json:"executive_summary"`
	EffectiveDate    domain.Date  `json:"effective_date"`
	ExpirationDate   *domain.Date `json:"expiration_date"`
	CreatedByID      int32        `json:"created_by_id"`
	CreatedAt        time.Time    `json:"created_at"`
}

// outcomeRow is the one shape every outcome query returns.
type outcomeRow = gen.ValidationOutcome

func fromOutcomeRow(r outcomeRow) Outcome {
	return Outcome{
		OutcomeID: r.OutcomeID, RequestID: r.RequestID, OverallRating: r.OverallRating, ExecutiveSummary: r.ExecutiveSummary,
		EffectiveDate: domain.NewDate(r.EffectiveDate), ExpirationDate: domain.DatePtr(r.ExpirationDate),
		CreatedByID: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
	}
}

// OutcomeInput is a new outcome, or a PATCH of one (nil fields keep their value there).
type OutcomeInput struct {
	OverallRating    *string
	ExecutiveSummary *string
	EffectiveDate    *domain.Date
	ExpirationDate   *domain.Date
}

// check validates an outcome as it will be stored (a PATCH merged into the current one first).
func (in OutcomeInput) check(validationType string) error {
	var c domain.Check
	if in.OverallRating == nil || !slices.Contains(ratings, *in.OverallRating) {
		c.Add("overall_rating", "must be one of %v", ratings)
	}
	if in.ExecutiveSummary == nil {
		c.Add("executive_summary", "is required")
	} else {
		c.Text("executive_summary", *in.ExecutiveSummary, true)
	}
	if in.EffectiveDate == nil {
		c.Add("effective_date", "is required")
	}
	switch {
	case in.ExpirationDate == nil && validationType == TypeInterim:
		c.Add("expiration_date", "is required for an INTERIM validation")
	case in.ExpirationDate != nil && in.EffectiveDate != nil && !in.ExpirationDate.After(in.EffectiveDate.Time):
		c.Add("expiration_date", "must be after effective_date")
	}
	return c.Err()
}

// lockedOutcomeRequest is a request read under its row lock for an outcome write, with its
// assignments (to find the primary validator).
type lockedOutcomeRequest struct {
	request     gen.ValidationRequestLockForUpdateRow
	assignments []gen.ValidationAssignmentsForRequestsRow
}

// queue adds the request's row lock and the read of its assignments to p.
func (l *lockedOutcomeRequest) queue(ctx context.Context, s *Service, p *pgtx.Pipeline, requestID int32) {
	s.queueRequestLock(ctx, p, requestID, &l.request)
	ids := []int32{requestID}
	pgtx.Many(p, &l.assignments, func(q *gen.Queries) ([]gen.ValidationAssignmentsForRequestsRow, error) {
		return q.ValidationAssignmentsForRequests(ctx, ids)
	}, pgtx.Wrap("read assignments"))
}

// mayWrite admits ADMIN and the request's primary validator.
func (l *lockedOutcomeRequest) mayWrite(actor domain.Actor, requestID int32) error {
	if actor.IsAdmin() {
		return nil
	}
	for _, a := range l.assignments {
		if a.IsPrimary && a.ValidatorID == actor.UserID {
			return nil
		}
	}
	return domain.Forbidden("only the primary validator of validation request %d or an ADMIN may write its outcome", requestID)
}

// CreateOutcome records the outcome of a request in IN_PROGRESS or REVIEW; the primary validator
// or an ADMIN may. One per request: the database's validation_outcomes_request_id_key refuses a
// second (409 conflict), also between concurrent creators.
func (s *Service) CreateOutcome(ctx context.Context, actor domain.Actor, requestID int32, in OutcomeInput) (Outcome, error) {
	var c domain.Check
	if in.ExecutiveSummary != nil {
		c.Text("executive_summary", *in.ExecutiveSummary, true)
	}
	if err := c.Err(); err != nil {
		return Outcome{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Outcome, error) {
		var l lockedOutcomeRequest
		p := &pgtx.Pipeline{}
		l.queue(ctx, s, p, requestID)
		if err := p.Send(ctx, tx); err != nil {
			return Outcome{}, err
		}
		if err := l.mayWrite(actor, requestID); err != nil {
			return Outcome{}, err
		}
		if err := in.check(l.request.ValidationType); err != nil {
			return Outcome{}, err
		}
		if !slices.Contains(outcomeCreateStatuses, l.request.Status) {
			return Outcome{}, domain.Errorf(domain.CodeInvalidStatus, "validation request %d is %s; an outcome is recorded in %v", requestID, l.request.Status, outcomeCreateStatuses)
		}
		w := &pgtx.Pipeline{}
		var row gen.ValidationOutcome
		pgtx.One(w, &row, func(q *gen.Queries) (gen.ValidationOutcome, error) {
			return q.ValidationOutcomeCreate(ctx, gen.ValidationOutcomeCreateParams{
				RequestID: requestID, OverallRating: *in.OverallRating, ExecutiveSummary: *in.ExecutiveSummary,
				EffectiveDate: in.EffectiveDate.Time, ExpirationDate: datePtr(in.ExpirationDate), CreatedBy: actor.UserID,
			})
		}, func(err error) error {
			if pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, oneOutcomeKey) {
				return domain.Errorf(domain.CodeConflict, "validation request %d already has an outcome; change it with PATCH", requestID)
			}
			return fmt.Errorf("create outcome: %w", err)
		})
		audit.Queue(ctx, w, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: audit.ActionOutcomeCreated,
			UserID:  audit.By(actor.UserID),
			Changes: outcomeChanges(in),
		})
		if err := w.SendAndCommit(ctx, tx); err != nil {
			return Outcome{}, err
		}
		return fromOutcomeRow(row), nil
	})
}

// UpdateOutcome changes an outcome until its request reaches PENDING_APPROVAL (and again in
// REVISION); the primary validator or an ADMIN may.
func (s *Service) UpdateOutcome(ctx context.Context, actor domain.Actor, outcomeID int32, ch OutcomeInput) (Outcome, error) {
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Outcome, error) {
		requestID, err := gen.New(tx).ValidationOutcomeRequestID(ctx, outcomeID)
		if pgtx.IsNoRows(err) {
			return Outcome{}, domain.NotFound("outcome %d does not exist", outcomeID)
		}
		if err != nil {
			return Outcome{}, fmt.Errorf("find outcome: %w", err)
		}
		var l lockedOutcomeRequest
		var cur gen.ValidationOutcome
		p := &pgtx.Pipeline{}
		l.queue(ctx, s, p, requestID)
		pgtx.One(p, &cur, func(q *gen.Queries) (gen.ValidationOutcome, error) {
			return q.ValidationOutcomeGet(ctx, outcomeID)
		}, pgtx.Wrap("read outcome"))
		if err := p.Send(ctx, tx); err != nil {
			return Outcome{}, err
		}
		if err := l.mayWrite(actor, requestID); err != nil {
			return Outcome{}, err
		}
		next := OutcomeInput{OverallRating: &cur.OverallRating, ExecutiveSummary: &cur.ExecutiveSummary}
		effective := domain.NewDate(cur.EffectiveDate)
		next.EffectiveDate, next.ExpirationDate = &effective, domain.DatePtr(cur.ExpirationDate)
		if ch.OverallRating != nil {
			next.OverallRating = ch.OverallRating
		}
		if ch.ExecutiveSummary != nil {
			next.ExecutiveSummary = ch.ExecutiveSummary
		}
		if ch.EffectiveDate != nil {
			next.EffectiveDate = ch.EffectiveDate
		}
		if ch.ExpirationDate != nil {
			next.ExpirationDate = ch.ExpirationDate
		}
		if err := next.check(l.request.ValidationType); err != nil {
			return Outcome{}, err
		}
		if !slices.Contains(outcomeUpdateStatuses, l.request.Status) {
			return Outcome{}, domain.Errorf(domain.CodeInvalidStatus, "validation request %d is %s; its outcome changes only in %v", requestID, l.request.Status, outcomeUpdateStatuses)
		}
		w := &pgtx.Pipeline{}
		var row gen.ValidationOutcome
		pgtx.One(w, &row, func(q *gen.Queries) (gen.ValidationOutcome, error) {
			return q.ValidationOutcomeUpdate(ctx, gen.ValidationOutcomeUpdateParams{
				OutcomeID: outcomeID, OverallRating: *next.OverallRating, ExecutiveSummary: *next.ExecutiveSummary,
				EffectiveDate: next.EffectiveDate.Time, ExpirationDate: datePtr(next.ExpirationDate),
			})
		}, pgtx.Wrap("update outcome"))
		changes := outcomeChanges(next)
		changes["outcome_id"] = outcomeID
		audit.Queue(ctx, w, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: audit.ActionOutcomeUpdated,
			UserID: audit.By(actor.UserID), Changes: changes,
		})
		if err := w.SendAndCommit(ctx, tx); err != nil {
			return Outcome{}, err
		}
		return fromOutcomeRow(row), nil
	})
}

func outcomeChanges(in OutcomeInput) map[string]any {
	return map[string]any{
		"overall_rating": in.OverallRating, "executive_summary": in.ExecutiveSummary,
		"effective_date": in.EffectiveDate, "expiration_date": in.ExpirationDate,
	}
}

func datePtr(d *domain.Date) *time.Time {
	if d == nil {
		return nil
	}
	return &d.Time
}
