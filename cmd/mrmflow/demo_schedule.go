package main

import (
	"context"
	"fmt"
	"io"

	"mrmflow/internal/app"
	"mrmflow/internal/domain"
)

// demoSchedule shows the revalidation schedule (docs/revalidation.md) of the model the demo just
// validated, through the services the API calls: the MRM function (the demo's validator) gives
// the model risk tier TIER_2 (18 months, 3 months' grace, 90 days' lead time), then the schedule
// is read on four days — the approval day, the day after the submission due date (in the grace
// period: no request is open, so still UPCOMING), the day after the grace period
// (SHOULD_CREATE_REQUEST) and the day after the validation due date (REVALIDATION_OVERDUE).
func demoSchedule(ctx context.Context, svcs app.Services, assessor domain.Actor, modelID int32, stdout io.Writer) error {
	tier := "TIER_2"
	if _, err := svcs.Models.SetRiskTier(ctx, assessor, modelID, &tier); err != nil {
		return fmt.Errorf("set risk tier: %w", err)
	}
	svc := svcs.Revalidations
	admin := domain.Actor{Role: domain.RoleAdmin}
	s, err := svc.ForModel(ctx, admin, modelID, nil)
	if err != nil {
		return fmt.Errorf("read schedule: %w", err)
	}
	if s.LastValidationRequestID == nil {
		return fmt.Errorf("model %d has no full validation", modelID)
	}
	fmt.Fprintf(stdout, "\nmodel %d, risk tier %s: its revalidation schedule (GET /models/%d/revalidation)\n", modelID, tier, modelID)
	fmt.Fprintf(stdout, "  last full validation: request %d, approved %s\n", *s.LastValidationRequestID, s.LastValidationDate.Format(domain.DateLayout))
	fmt.Fprintf(stdout, "  submission due %s, grace period ends %s, validation due %s\n",
		s.SubmissionDue.Format(domain.DateLayout), s.GracePeriodEnd.Format(domain.DateLayout), s.ValidationDue.Format(domain.DateLayout))
	days := []struct {
		label string
		day   domain.Date
	}{
		{"the approval day", *s.LastValidationDate},
		{"in the grace period, no request open", domain.NewDate(s.SubmissionDue.AddDate(0, 0, 1))},
		{"past the grace period", domain.NewDate(s.GracePeriodEnd.AddDate(0, 0, 1))},
		{"past the validation due date", domain.NewDate(s.ValidationDue.AddDate(0, 0, 1))},
	}
	for _, d := range days {
		at, err := svc.ForModel(ctx, admin, modelID, &d.day)
		if err != nil {
			return fmt.Errorf("read schedule: %w", err)
		}
		fmt.Fprintf(stdout, "  as of %s (%s): %s\n", d.day.Format(domain.DateLayout), d.label, at.Status)
	}
	return nil
}
