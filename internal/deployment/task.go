// Package deployment manages version deployment tasks: creating them for a new version, and
// confirming, adjusting or cancelling them one at a time or in bulk (REL-02), where every task of
// a bulk call runs in its own savepoint so one failure never loses the others.
package deployment

import (
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
)

// Task statuses (the deployment_task_status enum). CONFIRMED and CANCELLED are terminal.
const (
	StatusPending   = "PENDING"
	StatusAdjusted  = "ADJUSTED"
	StatusConfirmed = "CONFIRMED"
	StatusCancelled = "CANCELLED"
)

// validationApproved is the validation request status that needs no override to deploy.
const validationApproved = "APPROVED"

// Task is a deployment task as the API shows it. RegionID nil is a global task.
type Task struct {
	TaskID                           int32        `json:"task_id"`
	VersionID                        int32        `json:"version_id"`
	ModelID                          int32        `json:"model_id"`
	RegionID                         *int32       `json:"region_id"`
	Status                           string       `json:"status"`
	PlannedProductionDate            domain.Date  `json:"planned_production_date"`
	ActualProductionDate             *domain.Date `json:"actual_production_date"`
	AssignedToID                     int32        `json:"assigned_to_id"`
	ConfirmationNotes                *string      `json:"confirmation_notes"`
	ConfirmedAt                      *time.Time   `json:"confirmed_at"`
	ConfirmedByID                    *int32       `json:"confirmed_by_id"`
	DeployedBeforeValidationApproved bool         `json:"deployed_before_validation_approved"`
	ValidationOverrideReason         *string      `json:"validation_override_reason"`
	CreatedAt                        time.Time    `json:"created_at"`
}

func taskFromRow(r gen.VersionDeploymentTask) Task {
	return Task{
		TaskID: r.TaskID, VersionID: r.VersionID, ModelID: r.ModelID, RegionID: r.RegionID,
		Status:                           string(r.Status),
		PlannedProductionDate:            domain.NewDate(r.PlannedProductionDate),
		ActualProductionDate:             domain.DatePtr(r.ActualProductionDate),
		AssignedToID:                     r.AssignedToID,
		ConfirmationNotes:                r.ConfirmationNotes,
		ConfirmedAt:                      domain.TimePtr(r.ConfirmedAt),
		ConfirmedByID:                    r.ConfirmedByID,
		DeployedBeforeValidationApproved: r.DeployedBeforeValidationApproved,
		ValidationOverrideReason:         r.ValidationOverrideReason,
		CreatedAt:                        r.CreatedAt.UTC(),
	}
}

// live reports whether a task may still be confirmed, adjusted or cancelled.
func live(status gen.DeploymentTaskStatus) bool {
	return status == gen.DeploymentTaskStatusPENDING || status == gen.DeploymentTaskStatusADJUSTED
}

// optional turns an empty optional text into NULL.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
