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

// DecisionInput is an approver's decision on one approval. Comments are required to send back.
type DecisionInput struct {
	Decision string
	Comments string
}

func (in DecisionInput) check() error {
	var c domain.Check
	if !slices.Contains(decisions, in.Decision) {
		c.Add("decision", "must be one of %v", decisions)
	}
	c.Text("comments", in.Comments, in.Decision == ApprovalSentBack)
	return c.Err()
}

// Decide records actor's decision on an approval. The decider must hold the approval's role
// (GLOBAL: a GLOBAL_APPROVER; REGIONAL and DEPLOYMENT: a REGIONAL_APPROVER of its region; any:
// ADMIN) and must not be involved in the request (its requestor, an assigned validator, or an
// owner or active delegate of one of its models), ADMIN included. An approval is decided once,
// and a round's approval only while its request awaits approval.
//
// Sending a round's approval back moves the request to REVISION and voids the round's other
// pending approvals. Approving the last pending approval of the round approves the request, in
// the same transaction and exactly once: every decision on a request locks the request row
// (after the models' validation locks, in the global lock order) before its approval, so two
// approvers deciding at the same moment are judged one after the other, and the second sees the
// first's approval when it counts what is still pending.
func (s *Service) Decide(ctx context.Context, actor domain.Actor, approvalID int32, in DecisionInput) (Approval, error) {
	if actor.Role != domain.RoleAdmin && actor.Role != domain.RoleGlobalApprover && actor.Role != domain.RoleRegionalApprover {
		return Approval{}, domain.Forbidden("only approvers and ADMIN users may decide approvals")
	}
	if err := in.check(); err != nil {
		return Approval{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Approval, error) {
		return s.decide(ctx, tx, actor, approvalID, in)
	})
}

// decide is Decide's transaction, in three round trips (four when it approves the request): find
// the approval's request and models (with BEGIN); lock them and the approval and judge the
// decision; record it (with the request's move to REVISION for a send-back, and the COMMIT unless
// a round's approval was approved); then, when nothing of the round is left pending, approve the
// request with the COMMIT.
func (s *Service) decide(ctx context.Context, tx pgx.Tx, actor domain.Actor, approvalID int32, in DecisionInput) (Approval, error) {
	target, err := findApprovalRequest(ctx, tx, approvalID)
	if err != nil {
		return Approval{}, err
	}
	locked, err := s.lockForDecision(ctx, tx, actor, approvalID, target)
	if err != nil {
		return Approval{}, err
	}
	if err := judgeDecision(actor, locked); err != nil {
		return Approval{}, err
	}
	decided, lastOfRound, err := recordDecision(ctx, tx, actor, approvalID, locked, in)
	if err != nil {
		return Approval{}, err
	}
	if lastOfRound {
		if err := s.approveRequest(ctx, tx, actor, locked.RequestID, approvalID); err != nil {
			return Approval{}, err
		}
	}
	return approvalOf(decided), nil
}

// findApprovalRequest reads, without a lock, the request and models of an approval: what
// lockForDecision must lock. It is sent as a pipeline, so BEGIN and the limits travel with it.
func findApprovalRequest(ctx context.Context, tx pgx.Tx, approvalID int32) (gen.ValidationApprovalRequestRow, error) {
	var target gen.ValidationApprovalRequestRow
	find := &pgtx.Pipeline{}
	pgtx.One(find, &target, func(q *gen.Queries) (gen.ValidationApprovalRequestRow, error) {
		return q.ValidationApprovalRequest(ctx, approvalID)
	}, func(err error) error {
		if pgtx.IsNoRows(err) {
			return domain.NotFound("approval %d does not exist", approvalID)
		}
		return fmt.Errorf("find approval: %w", err)
	})
	return target, find.Send(ctx, tx)
}

// recordDecision writes the decision and its audit row in one round trip. A round's send-back
// moves the request to REVISION in the same pipeline (the move voids the round's other
// approvals), and that pipeline, like a DEPLOYMENT approval's, carries the COMMIT. A round's
// approval also counts what of the round is still pending: lastOfRound says none is, and the
// caller approves the request and commits.
func recordDecision(ctx context.Context, tx pgx.Tx, actor domain.Actor, approvalID int32, locked gen.ValidationApprovalLockForDecisionRow, in DecisionInput) (decided gen.ValidationApprovalDecideRow, lastOfRound bool, err error) {
	var comments *string
	if in.Comments != "" {
		comments = &in.Comments
	}
	p := &pgtx.Pipeline{}
	pgtx.One(p, &decided, func(q *gen.Queries) (gen.ValidationApprovalDecideRow, error) {
		return q.ValidationApprovalDecide(ctx, gen.ValidationApprovalDecideParams{
			Status: in.Decision, DecidedByID: &actor.UserID, Comments: comments, ApprovalID: approvalID,
		})
	}, func(err error) error {
		if pgtx.IsNoRows(err) { // held off by the row lock; kept as the statement's own guard
			return domain.Errorf(domain.CodeInvalidStatus, "approval %d is already decided", approvalID)
		}
		return fmt.Errorf("decide approval: %w", err)
	})
	audit.Queue(ctx, p, audit.Entry{
		EntityType: audit.EntityValidationApproval, EntityID: approvalID, Action: audit.ActionApprovalDecided,
		UserID: audit.By(actor.UserID),
		Changes: map[string]any{
			"request_id": locked.RequestID, "approval_type": locked.ApprovalType, "region_id": locked.RegionID,
			"decision": in.Decision, "comments": comments,
		},
	})
	round := isRound(locked.ApprovalType)
	if !round || in.Decision == ApprovalSentBack {
		if round {
			reason := fmt.Sprintf("sent back by approval %d: %s", approvalID, in.Comments)
			queueStatusChange(ctx, p, actor, locked.RequestID, StatusPendingApproval, StatusRevision, reason)
		}
		return decided, false, p.SendAndCommit(ctx, tx)
	}
	var pending int64
	pgtx.Scalar(p, &pending, func(q *gen.Queries) (int64, error) {
		return q.ValidationApprovalsPendingCount(ctx, locked.RequestID)
	}, pgtx.Wrap("count pending approvals"))
	if err := p.Send(ctx, tx); err != nil {
		return decided, false, err
	}
	return decided, pending == 0, nil
}

// lockForDecision takes, in the global lock order, the validation locks of the request's models
// (for a round's approval: its last approval approves the request, and an INITIAL creation checks
// for an approved validation under those locks), the request's row, then the approval's row, and
// reads what the decision is judged on. Either of the first two serialises the decisions on one
// request; a test switch leaves both out.
func (s *Service) lockForDecision(ctx context.Context, tx pgx.Tx, actor domain.Actor, approvalID int32, target gen.ValidationApprovalRequestRow) (gen.ValidationApprovalLockForDecisionRow, error) {
	p := &pgtx.Pipeline{}
	if isRound(target.ApprovalType) && !s.controls.skipDecisionLocks {
		for _, id := range sortedIDs(target.ModelIds) {
			pgtx.QueueModelLock(ctx, p, id)
		}
	}
	if !s.controls.skipDecisionLocks {
		var cur gen.ValidationRequestLockForUpdateRow
		s.queueRequestLock(ctx, p, target.RequestID, &cur)
	}
	var locked gen.ValidationApprovalLockForDecisionRow
	pgtx.One(p, &locked, func(q *gen.Queries) (gen.ValidationApprovalLockForDecisionRow, error) {
		return q.ValidationApprovalLockForDecision(ctx, gen.ValidationApprovalLockForDecisionParams{
			Role: gen.UserRole(actor.Role), UserID: actor.UserID, ApprovalID: approvalID,
		})
	}, pgtx.Wrap("lock approval"))
	start := time.Now()
	err := p.Send(ctx, tx)
	if isRound(target.ApprovalType) && !s.controls.skipDecisionLocks { // model locks were queued, as in create
		s.metrics.LockWait.Observe(time.Since(start).Seconds())
	}
	if err != nil {
		return gen.ValidationApprovalLockForDecisionRow{}, err
	}
	return locked, nil
}

// judgeDecision applies the decision's rules to the locked approval: role and region, separation
// of duties, decided once, and a round's approval only while its request awaits approval.
func judgeDecision(actor domain.Actor, a gen.ValidationApprovalLockForDecisionRow) error {
	if !a.CallerMayDecide {
		if a.ApprovalType == ApprovalGlobal {
			return domain.Forbidden("approval %d is a GLOBAL approval: only a GLOBAL_APPROVER or ADMIN may decide it", a.ApprovalID)
		}
		return domain.Forbidden("approval %d is a %s approval of region %d: only a REGIONAL_APPROVER of that region or ADMIN may decide it",
			a.ApprovalID, a.ApprovalType, *a.RegionID)
	}
	if a.CallerInvolved {
		return domain.Errorf(domain.CodeDeciderNotIndependent,
			"you are involved in validation request %d (its requestor, an assigned validator, or an owner or delegate of one of its models) and may not decide its approvals",
			a.RequestID)
	}
	if a.Status != ApprovalPending {
		return domain.Errorf(domain.CodeInvalidStatus, "approval %d is already %s", a.ApprovalID, a.Status)
	}
	if isRound(a.ApprovalType) && a.RequestStatus != StatusPendingApproval {
		return domain.Errorf(domain.CodeInvalidStatus, "validation request %d is %s, not PENDING_APPROVAL", a.RequestID, a.RequestStatus)
	}
	return nil
}

// approveRequest moves a request whose round is fully approved to APPROVED, with its history and
// audit rows. Closing the request frees its models (blocks_model follows through the foreign key).
func (s *Service) approveRequest(ctx context.Context, tx pgx.Tx, actor domain.Actor, requestID, lastApprovalID int32) error {
	reason := fmt.Sprintf("every required approval approved (the last: approval %d)", lastApprovalID)
	p := &pgtx.Pipeline{}
	queueStatusChange(ctx, p, actor, requestID, StatusPendingApproval, StatusApproved, reason)
	return p.SendAndCommit(ctx, tx)
}
