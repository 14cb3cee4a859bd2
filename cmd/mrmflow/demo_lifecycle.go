package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/user"
	"mrmflow/internal/validation"
)

// demoLifecycle works the request the DATA-01 race created through an independent validation:
// an independent primary validator (which moves it to PLANNING), IN_PROGRESS, an outcome,
// PENDING_APPROVAL (which creates its GLOBAL and REGIONAL approvals), the requestor's attempt to
// approve by hand (refused), then the two approvals by two approvers, the last of which approves
// the request. stamp names the users made for this run (the regional approver belongs to this
// run's region).
func demoLifecycle(ctx context.Context, users *user.Service, svc *validation.Service, requestor domain.Actor, requestID, regionID int32, stamp string, stdout io.Writer) error {
	person := func(name string, role domain.Role, regions ...int32) (domain.Actor, error) {
		u, _, err := users.Bootstrap(ctx, user.CreateInput{
			Email: fmt.Sprintf("%s-%s@mrmflow.local", role, stamp), FullName: name, Role: role, RegionIDs: regions,
		}, "demo")
		return domain.Actor{UserID: u.UserID, Role: role}, err
	}
	primary, err := person("Demo Primary Validator", domain.RoleValidator)
	if err != nil {
		return fmt.Errorf("seed primary validator: %w", err)
	}
	global, err := person("Demo Global Approver", domain.RoleGlobalApprover)
	if err != nil {
		return fmt.Errorf("seed global approver: %w", err)
	}
	regional, err := person("Demo Regional Approver", domain.RoleRegionalApprover, regionID)
	if err != nil {
		return fmt.Errorf("seed regional approver: %w", err)
	}

	fmt.Fprintf(stdout, "\nworking request %d through an independent validation:\n", requestID)
	yes := true
	if _, err := svc.Assign(ctx, requestor, requestID, validation.AssignInput{ValidatorID: primary.UserID, IsPrimary: &yes, IndependenceAttestation: true}); err != nil {
		return fmt.Errorf("assign: %w", err)
	}
	fmt.Fprintf(stdout, "  assigned user %d as primary validator (independent of the model): request PLANNING\n", primary.UserID)
	if _, err := svc.ChangeStatus(ctx, requestor, requestID, validation.StatusInProgress, "fieldwork starts"); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	fmt.Fprintln(stdout, "  request IN_PROGRESS")
	rating, summary := validation.RatingPassWithFindings, "Fit for purpose; two findings on data lineage."
	effective := domain.NewDate(time.Now())
	if _, err := svc.CreateOutcome(ctx, primary, requestID, validation.OutcomeInput{OverallRating: &rating, ExecutiveSummary: &summary, EffectiveDate: &effective}); err != nil {
		return fmt.Errorf("outcome: %w", err)
	}
	fmt.Fprintf(stdout, "  the primary validator recorded the outcome %s\n", rating)
	if _, err := svc.ChangeStatus(ctx, requestor, requestID, validation.StatusPendingApproval, "ready for approval"); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	approvals, err := svc.RequestApprovals(ctx, requestor, requestID, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  request PENDING_APPROVAL, with %d approvals required:", len(approvals))
	for _, a := range approvals {
		fmt.Fprintf(stdout, " %s (approval %d)", a.ApprovalType, a.ApprovalID)
	}
	fmt.Fprintln(stdout)
	_, err = svc.ChangeStatus(ctx, requestor, requestID, validation.StatusApproved, "approving my own work")
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeGateNotMet {
		return fmt.Errorf("approving by hand should be refused, got: %w", err)
	}
	fmt.Fprintf(stdout, "  the requestor tries to approve by hand: 409 gate_not_met %v\n", de.Extra["unmet"])

	deciders := map[string]domain.Actor{validation.ApprovalGlobal: global, validation.ApprovalRegional: regional}
	var status string // the request's status after the last decision
	for _, a := range approvals {
		decider := deciders[a.ApprovalType]
		if _, err := svc.Decide(ctx, decider, a.ApprovalID, validation.DecisionInput{Decision: validation.ApprovalApproved, Comments: "independent review accepted"}); err != nil {
			return fmt.Errorf("decide approval %d: %w", a.ApprovalID, err)
		}
		r, err := svc.Get(ctx, requestor, requestID)
		if err != nil {
			return err
		}
		status = r.Status
		fmt.Fprintf(stdout, "  %s approval %d APPROVED by user %d (%s): request %s\n", a.ApprovalType, a.ApprovalID, decider.UserID, decider.Role, status)
	}
	if status != validation.StatusApproved {
		return fmt.Errorf("request %d is %s after its approvals", requestID, status)
	}
	return nil
}
