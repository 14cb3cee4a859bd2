package validation

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Constraint names of validation_assignments the service answers for.
const (
	onePrimaryKey   = "validation_assignments_one_primary_key"
	oneReviewerKey  = "validation_assignments_one_reviewer_key"
	assignedOnceKey = "validation_assignments_request_validator_key"
)

// MaxHours bounds estimated and actual hours (the schema's validation_assignments_hours_range).
const MaxHours = 100000

// Assignment is a validator assigned to a request, as the API shows it.
type Assignment struct {
	AssignmentID   int32      `json:"assignment_id"`
	RequestID      int32      `json:"request_id"`
	ValidatorID    int32      `json:"validator_id"`
	IsPrimary      bool       `json:"is_primary"`
	IsReviewer     bool       `json:"is_reviewer"`
	EstimatedHours *float64   `json:"estimated_hours"`
	ActualHours    *float64   `json:"actual_hours"`
	SignedOffAt    *time.Time `json:"signed_off_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// assignmentRow is the one shape every assignment query returns.
type assignmentRow = gen.ValidationAssignmentsForRequestsRow

func fromAssignmentRow(r assignmentRow) Assignment {
	a := Assignment{
		AssignmentID: r.AssignmentID, RequestID: r.RequestID, ValidatorID: r.ValidatorID, IsPrimary: r.IsPrimary,
		IsReviewer: r.IsReviewer, EstimatedHours: r.EstimatedHours, ActualHours: r.ActualHours, CreatedAt: r.CreatedAt.UTC(),
		SignedOffAt: domain.TimePtr(r.SignedOffAt),
	}
	return a
}

// AssignInput is a new assignment. IsPrimary nil means "primary if the request has none yet and
// this is not its reviewer", so the first validator assigned leads the work unless told otherwise.
type AssignInput struct {
	ValidatorID             int32
	IsPrimary               *bool
	IsReviewer              bool
	EstimatedHours          *float64
	IndependenceAttestation bool
}

// AssignmentChange is a PATCH of an assignment; nil fields keep their value.
type AssignmentChange struct {
	IsPrimary      *bool
	IsReviewer     *bool
	EstimatedHours *float64
	ActualHours    *float64
}

func checkHours(c *domain.Check, field string, h *float64) {
	if h != nil && (math.IsNaN(*h) || *h < 0 || *h > MaxHours) {
		c.Add(field, "must be between 0 and %d", MaxHours)
	}
}

// check validates the assignment before any database work.
func (in AssignInput) check() error {
	var c domain.Check
	if !in.IndependenceAttestation {
		c.Add("independence_attestation", "must be true: the validator attests their independence from the request's models")
	}
	if in.IsPrimary != nil && *in.IsPrimary && in.IsReviewer {
		c.Add("is_reviewer", "the primary validator cannot also be the reviewer")
	}
	checkHours(&c, "estimated_hours", in.EstimatedHours)
	return c.Err()
}

// Assign assigns a validator to a request (VALIDATOR, ADMIN). The validator must be a VALIDATOR
// or ADMIN who attested their independence and is independent of the request's models
// (independence; 409 not_independent). Naming a primary
// or reviewer demotes the current one in the same transaction, under the request's row lock; the
// partial unique indexes hold the rule for any writer. An assignment that gives an INTAKE request
// its primary validator moves it to PLANNING (history and audit row). Closed requests refuse.
func (s *Service) Assign(ctx context.Context, actor domain.Actor, requestID int32, in AssignInput) (Assignment, error) {
	if !canWrite(actor) {
		return Assignment{}, domain.Forbidden("only VALIDATOR and ADMIN users may assign validators")
	}
	if err := in.check(); err != nil {
		return Assignment{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Assignment, error) {
		p := &pgtx.Pipeline{}
		var cur gen.ValidationRequestLockForUpdateRow
		s.queueRequestLock(ctx, p, requestID, &cur)
		var gate gen.ValidationRequestGateStateRow
		queueGateState(ctx, p, requestID, &gate)
		var who gen.ValidationAssigneeCheckRow
		pgtx.One(p, &who, func(q *gen.Queries) (gen.ValidationAssigneeCheckRow, error) {
			return q.ValidationAssigneeCheck(ctx, gen.ValidationAssigneeCheckParams{ValidatorID: in.ValidatorID, RequestID: requestID})
		}, func(err error) error {
			if pgtx.IsNoRows(err) {
				return domain.NotFound("user %d does not exist", in.ValidatorID)
			}
			return fmt.Errorf("check validator: %w", err)
		})
		if err := p.Send(ctx, tx); err != nil {
			return Assignment{}, err
		}
		if IsClosed(cur.Status) {
			return Assignment{}, closedError(requestID, cur.Status)
		}
		if who.Role != gen.UserRoleVALIDATOR && who.Role != gen.UserRoleADMIN {
			return Assignment{}, domain.Invalid("validator_id", fmt.Sprintf("user %d is a %s; only a VALIDATOR or ADMIN can be assigned", in.ValidatorID, who.Role))
		}
		if err := independence(in.ValidatorID, requestID, who); err != nil {
			return Assignment{}, err
		}
		primary := !gate.HasPrimary && !in.IsReviewer
		if in.IsPrimary != nil {
			primary = *in.IsPrimary
		}
		w := &pgtx.Pipeline{}
		queueDemote(ctx, w, requestID, 0, primary && gate.HasPrimary, in.IsReviewer && gate.HasReviewer)
		var row gen.ValidationAssignmentCreateRow
		pgtx.One(w, &row, func(q *gen.Queries) (gen.ValidationAssignmentCreateRow, error) {
			return q.ValidationAssignmentCreate(ctx, gen.ValidationAssignmentCreateParams{
				RequestID: requestID, ValidatorID: in.ValidatorID, IsPrimary: primary, IsReviewer: in.IsReviewer,
				EstimatedHours: in.EstimatedHours, AssignedBy: actor.UserID,
			})
		}, func(err error) error { return assignmentWriteError(err, in.ValidatorID, requestID) })
		audit.Queue(ctx, w, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: audit.ActionAssignmentCreated,
			UserID: audit.By(actor.UserID),
			Changes: map[string]any{
				"validator_id": in.ValidatorID, "is_primary": primary, "is_reviewer": in.IsReviewer,
				"estimated_hours": in.EstimatedHours, "independence_attestation": true,
			},
		})
		if cur.Status == StatusIntake && (primary || gate.HasPrimary) {
			queueStatusChange(ctx, w, actor, requestID, cur.Status, StatusPlanning, "validator assigned")
		}
		if err := w.SendAndCommit(ctx, tx); err != nil {
			return Assignment{}, err
		}
		return fromAssignmentRow(assignmentRow(row)), nil
	})
}

// independence refuses a validator who owns or actively delegates for one of the request's
// models: the work would review their own model. Having requested the validation does not count
// against them (MRM3's rule, README "Inside a validation"): the validator who opened a request
// may work it. Approvals keep the stricter separation of duties, requestor and assigned
// validators included (validation_request_involves), so the requestor still never decides it.
func independence(validatorID, requestID int32, who gen.ValidationAssigneeCheckRow) error {
	var why string
	switch {
	case who.OwnsModel:
		why = "owns one of its models"
	case who.DelegatesModel:
		why = "is an active delegate of one of its models"
	default:
		return nil
	}
	return domain.Errorf(domain.CodeNotIndependent, "user %d is not independent of validation request %d: they %s", validatorID, requestID, why)
}

// queueDemote queues the demotion of the request's current primary and/or reviewer (except
// assignment exceptID), when the call names a new one.
func queueDemote(ctx context.Context, p *pgtx.Pipeline, requestID, exceptID int32, primary, reviewer bool) {
	if !primary && !reviewer {
		return
	}
	p.Exec(func(q *gen.Queries) error {
		return q.ValidationAssignmentsDemote(ctx, gen.ValidationAssignmentsDemoteParams{
			RequestID: requestID, ExceptID: exceptID, DemotePrimary: primary, DemoteReviewer: reviewer,
		})
	}, pgtx.Wrap("demote assignments"))
}

// assignmentWriteError answers the constraints an assignment write can hit. The one-primary and
// one-reviewer indexes only fire when the row lock was skipped (a negative control) or for a
// writer outside the service; they are a conflict the caller may retry.
func assignmentWriteError(err error, validatorID, requestID int32) error {
	switch {
	case pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, assignedOnceKey):
		return domain.Errorf(domain.CodeConflict, "user %d is already assigned to validation request %d", validatorID, requestID)
	case pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, onePrimaryKey):
		return domain.Errorf(domain.CodeConflict, "validation request %d got another primary validator at the same time; retry", requestID)
	case pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, oneReviewerKey):
		return domain.Errorf(domain.CodeConflict, "validation request %d got another reviewer at the same time; retry", requestID)
	}
	return fmt.Errorf("write assignment: %w", err)
}

// closedError refuses a change of a closed request.
func closedError(requestID int32, status string) *domain.Error {
	return domain.Errorf(domain.CodeInvalidStatus, "validation request %d is %s and can no longer change", requestID, status)
}

// lockedAssignment is an assignment read under its request's row lock, with, when asked for,
// every assignment of its request (itself included).
type lockedAssignment struct {
	request gen.ValidationRequestLockForUpdateRow
	row     gen.ValidationAssignmentGetRow
	all     []assignmentRow
}

// lockAssignment finds the request of assignment id, locks the request's row and reads the
// assignment under the lock (two round trips; the first carries BEGIN). withAll also reads every
// assignment of the request, in the same round trip, for a change judged on the others too.
func (s *Service) lockAssignment(ctx context.Context, tx pgx.Tx, id int32, withAll bool) (lockedAssignment, error) {
	var out lockedAssignment
	requestID, err := gen.New(tx).ValidationAssignmentRequestID(ctx, id)
	if pgtx.IsNoRows(err) {
		return out, domain.NotFound("assignment %d does not exist", id)
	}
	if err != nil {
		return out, fmt.Errorf("find assignment: %w", err)
	}
	p := &pgtx.Pipeline{}
	s.queueRequestLock(ctx, p, requestID, &out.request)
	pgtx.One(p, &out.row, func(q *gen.Queries) (gen.ValidationAssignmentGetRow, error) {
		return q.ValidationAssignmentGet(ctx, id)
	}, func(err error) error {
		if pgtx.IsNoRows(err) { // deleted while this call waited for the lock
			return domain.NotFound("assignment %d does not exist", id)
		}
		return fmt.Errorf("read assignment: %w", err)
	})
	if withAll {
		pgtx.Many(p, &out.all, func(q *gen.Queries) ([]assignmentRow, error) {
			return q.ValidationAssignmentsForRequests(ctx, []int32{requestID})
		}, pgtx.Wrap("read the request's assignments"))
	}
	return out, p.Send(ctx, tx)
}

// UpdateAssignment changes an assignment's roles and hours (VALIDATOR, ADMIN). Naming it primary
// or reviewer demotes the current holder in the same transaction; a request whose status needs a
// primary validator cannot lose it here (gate_not_met: name another primary instead).
func (s *Service) UpdateAssignment(ctx context.Context, actor domain.Actor, id int32, ch AssignmentChange) (Assignment, error) {
	if !canWrite(actor) {
		return Assignment{}, domain.Forbidden("only VALIDATOR and ADMIN users may change assignments")
	}
	var c domain.Check
	checkHours(&c, "estimated_hours", ch.EstimatedHours)
	checkHours(&c, "actual_hours", ch.ActualHours)
	if err := c.Err(); err != nil {
		return Assignment{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Assignment, error) {
		la, err := s.lockAssignment(ctx, tx, id, false)
		if err != nil {
			return Assignment{}, err
		}
		if IsClosed(la.request.Status) {
			return Assignment{}, closedError(la.row.RequestID, la.request.Status)
		}
		next := la.row
		if ch.IsPrimary != nil {
			next.IsPrimary = *ch.IsPrimary
		}
		if ch.IsReviewer != nil {
			next.IsReviewer = *ch.IsReviewer
		}
		if ch.EstimatedHours != nil {
			next.EstimatedHours = ch.EstimatedHours
		}
		if ch.ActualHours != nil {
			next.ActualHours = ch.ActualHours
		}
		if next.IsPrimary && next.IsReviewer {
			return Assignment{}, domain.Invalid("is_reviewer", "the primary validator cannot also be the reviewer")
		}
		if la.row.IsPrimary && !next.IsPrimary && slices.Contains(needsPrimary, la.request.Status) {
			return Assignment{}, gateError(la.row.RequestID, la.request.Status, []string{GateNoPrimaryValidator})
		}
		w := &pgtx.Pipeline{}
		queueDemote(ctx, w, la.row.RequestID, id, next.IsPrimary && !la.row.IsPrimary, next.IsReviewer && !la.row.IsReviewer)
		var row gen.ValidationAssignmentUpdateRow
		pgtx.One(w, &row, func(q *gen.Queries) (gen.ValidationAssignmentUpdateRow, error) {
			return q.ValidationAssignmentUpdate(ctx, gen.ValidationAssignmentUpdateParams{
				AssignmentID: id, IsPrimary: next.IsPrimary, IsReviewer: next.IsReviewer,
				EstimatedHours: next.EstimatedHours, ActualHours: next.ActualHours,
			})
		}, func(err error) error { return assignmentWriteError(err, la.row.ValidatorID, la.row.RequestID) })
		audit.Queue(ctx, w, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: la.row.RequestID, Action: audit.ActionAssignmentUpdated,
			UserID: audit.By(actor.UserID),
			Changes: map[string]any{
				"assignment_id": id, "validator_id": la.row.ValidatorID,
				"is_primary": next.IsPrimary, "is_reviewer": next.IsReviewer,
				"estimated_hours": next.EstimatedHours, "actual_hours": next.ActualHours,
			},
		})
		if err := w.SendAndCommit(ctx, tx); err != nil {
			return Assignment{}, err
		}
		return fromAssignmentRow(assignmentRow(row)), nil
	})
}

// DeleteAssignment removes an assignment (VALIDATOR, ADMIN), judged under the request's row lock
// on the request's assignments read after it (MRM3's rules, README "Inside a validation"):
//   - removing the primary validator promotes the one remaining assignment that is not the
//     reviewer, when there is exactly one, in the same transaction: an ASSIGNMENT_UPDATED audit
//     row for the promoted assignment (the shape UpdateAssignment writes, with
//     promoted_after_deleting), and promoted_assignment_id in the ASSIGNMENT_DELETED row;
//   - removing the last assignment of a PLANNING request returns it to INTAKE (history and
//     VALIDATION_STATUS_CHANGED audit rows): nobody works it any more, so it waits for staffing
//     again. The move is the service's alone (serviceTransitions), never a user's;
//   - otherwise the primary validator of a request whose status needs one cannot be removed
//     (gate_not_met no_primary_validator: name another primary first), and a refusal changes
//     nothing.
func (s *Service) DeleteAssignment(ctx context.Context, actor domain.Actor, id int32) error {
	if !canWrite(actor) {
		return domain.Forbidden("only VALIDATOR and ADMIN users may remove assignments")
	}
	return pgtx.WithTx(ctx, s.transactions(), func(tx pgx.Tx) error {
		la, err := s.lockAssignment(ctx, tx, id, true)
		if err != nil {
			return err
		}
		requestID, status := la.row.RequestID, la.request.Status
		if IsClosed(status) {
			return closedError(requestID, status)
		}
		rm := judgeRemoval(la)
		if la.row.IsPrimary && rm.promote == nil && !rm.backToIntake && slices.Contains(needsPrimary, status) {
			return gateError(requestID, status, []string{GateNoPrimaryValidator})
		}
		w := &pgtx.Pipeline{}
		w.Exec(func(q *gen.Queries) error { _, err := q.ValidationAssignmentDelete(ctx, id); return err }, pgtx.Wrap("delete assignment"))
		var promotedID *int32
		if p := rm.promote; p != nil {
			promotedID = &p.AssignmentID
			// After the delete: validation_assignments_one_primary_key allows one primary.
			w.Exec(func(q *gen.Queries) error {
				_, err := q.ValidationAssignmentUpdate(ctx, gen.ValidationAssignmentUpdateParams{
					AssignmentID: p.AssignmentID, IsPrimary: true, IsReviewer: false,
					EstimatedHours: p.EstimatedHours, ActualHours: p.ActualHours,
				})
				return err
			}, func(err error) error { return assignmentWriteError(err, p.ValidatorID, requestID) })
		}
		audit.Queue(ctx, w, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: audit.ActionAssignmentDeleted,
			UserID: audit.By(actor.UserID),
			Changes: map[string]any{
				"assignment_id": id, "validator_id": la.row.ValidatorID,
				"is_primary": la.row.IsPrimary, "is_reviewer": la.row.IsReviewer,
				"promoted_assignment_id": promotedID,
			},
		})
		if p := rm.promote; p != nil {
			audit.Queue(ctx, w, audit.Entry{
				EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: audit.ActionAssignmentUpdated,
				UserID: audit.By(actor.UserID),
				Changes: map[string]any{
					"assignment_id": p.AssignmentID, "validator_id": p.ValidatorID,
					"is_primary": true, "is_reviewer": false,
					"estimated_hours": p.EstimatedHours, "actual_hours": p.ActualHours,
					"promoted_after_deleting": id,
				},
			})
		}
		if rm.backToIntake {
			queueStatusChange(ctx, w, actor, requestID, status, StatusIntake, "last validator removed")
		}
		return w.SendAndCommit(ctx, tx)
	})
}

// removal is what deleting an assignment does besides the delete.
type removal struct {
	// promote is the assignment that becomes primary: the removed one was the primary and exactly
	// one of the others is not the reviewer.
	promote *assignmentRow
	// backToIntake: the removed assignment was the PLANNING request's last.
	backToIntake bool
}

// judgeRemoval decides, from the request's assignments read under its row lock, what removing
// la.row does besides the delete (DeleteAssignment).
func judgeRemoval(la lockedAssignment) removal {
	var rm removal
	var others, candidates []assignmentRow
	for _, a := range la.all {
		if a.AssignmentID == la.row.AssignmentID {
			continue
		}
		others = append(others, a)
		if !a.IsReviewer {
			candidates = append(candidates, a)
		}
	}
	if la.row.IsPrimary && len(candidates) == 1 {
		rm.promote = &candidates[0]
	}
	rm.backToIntake = len(others) == 0 && la.request.Status == StatusPlanning
	return rm
}

// SignOff records the reviewer's sign-off of a request in REVIEW. Only the reviewer themselves
// may sign off (not even an ADMIN for them).
func (s *Service) SignOff(ctx context.Context, actor domain.Actor, id int32, comments string) (Assignment, error) {
	var c domain.Check
	c.Text("comments", comments, false)
	if err := c.Err(); err != nil {
		return Assignment{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Assignment, error) {
		la, err := s.lockReviewer(ctx, tx, actor, id)
		if err != nil {
			return Assignment{}, err
		}
		w := &pgtx.Pipeline{}
		var why *string
		if comments != "" {
			why = &comments
		}
		var row gen.ValidationAssignmentSignOffRow
		pgtx.One(w, &row, func(q *gen.Queries) (gen.ValidationAssignmentSignOffRow, error) {
			return q.ValidationAssignmentSignOff(ctx, gen.ValidationAssignmentSignOffParams{AssignmentID: id, Comments: why})
		}, pgtx.Wrap("sign off"))
		audit.Queue(ctx, w, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: la.row.RequestID, Action: audit.ActionReviewSignedOff,
			UserID:  audit.By(actor.UserID),
			Changes: map[string]any{"assignment_id": id, "comments": why},
		})
		if err := w.SendAndCommit(ctx, tx); err != nil {
			return Assignment{}, err
		}
		return fromAssignmentRow(assignmentRow(row)), nil
	})
}

// SendBack is the reviewer returning a request in REVIEW to IN_PROGRESS with comments; the move
// clears their sign-off (queueStatusChange). Only the reviewer themselves may send back.
func (s *Service) SendBack(ctx context.Context, actor domain.Actor, id int32, comments string) (Request, error) {
	var c domain.Check
	c.Text("comments", comments, true)
	if err := c.Err(); err != nil {
		return Request{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Request, error) {
		la, err := s.lockReviewer(ctx, tx, actor, id)
		if err != nil {
			return Request{}, err
		}
		w := &pgtx.Pipeline{}
		audit.Queue(ctx, w, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: la.row.RequestID, Action: audit.ActionReviewSentBack,
			UserID:  audit.By(actor.UserID),
			Changes: map[string]any{"assignment_id": id, "comments": comments},
		})
		queueStatusChange(ctx, w, actor, la.row.RequestID, la.request.Status, StatusInProgress, comments)
		var shown shownRequest
		shown.queue(ctx, w, la.row.RequestID)
		if err := w.SendAndCommit(ctx, tx); err != nil {
			return Request{}, err
		}
		return shown.request(), nil
	})
}

// lockReviewer locks assignment id for its reviewer's sign-off or send-back and admits actor only
// as that reviewer, with the request in REVIEW (reviewerOnly).
func (s *Service) lockReviewer(ctx context.Context, tx pgx.Tx, actor domain.Actor, id int32) (lockedAssignment, error) {
	la, err := s.lockAssignment(ctx, tx, id, false)
	if err != nil {
		return lockedAssignment{}, err
	}
	return la, reviewerOnly(actor, la)
}

// reviewerOnly admits the assignment's own validator when it is the reviewer and the request is
// in REVIEW.
func reviewerOnly(actor domain.Actor, la lockedAssignment) error {
	if la.row.ValidatorID != actor.UserID {
		return domain.Forbidden("only the reviewer may sign off or send back validation request %d", la.row.RequestID)
	}
	if !la.row.IsReviewer {
		return domain.Errorf(domain.CodeConflict, "assignment %d is not the reviewer of validation request %d", la.row.AssignmentID, la.row.RequestID)
	}
	if la.request.Status != StatusReview {
		return domain.Errorf(domain.CodeInvalidStatus, "validation request %d is %s, not REVIEW", la.row.RequestID, la.request.Status)
	}
	return nil
}
