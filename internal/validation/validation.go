// Package validation manages validation requests: their creation without overlapping active
// validations of a model (DATA-01), their status workflow and their history.
package validation

import (
	"slices"
	"time"

	"mrmflow/internal/domain"
)

// Validation types (the validation_types lookup table holds the same codes). Only TARGETED is
// targeted: a targeted validation may overlap anything; every other type blocks the others.
const (
	TypeInitial       = "INITIAL"
	TypeComprehensive = "COMPREHENSIVE"
	TypeChange        = "CHANGE"
	TypeInterim       = "INTERIM"
	TypeTargeted      = "TARGETED"
)

// Priorities (the validation_priority enum).
const (
	PriorityUrgent = "URGENT"
	PriorityHigh   = "HIGH"
	PriorityMedium = "MEDIUM"
	PriorityLow    = "LOW"
)

// Statuses (the validation_statuses lookup table). APPROVED and CANCELLED are closed; every other
// status is active.
const (
	StatusIntake          = "INTAKE"
	StatusPlanning        = "PLANNING"
	StatusInProgress      = "IN_PROGRESS"
	StatusReview          = "REVIEW"
	StatusPendingApproval = "PENDING_APPROVAL"
	StatusRevision        = "REVISION"
	StatusOnHold          = "ON_HOLD"
	StatusApproved        = "APPROVED"
	StatusCancelled       = "CANCELLED"
)

// MaxModels bounds the models of one request, and so the advisory locks it takes (docs/limits.md,
// "Ids and lists").
const MaxModels = 50

// MaxRegions bounds the regions of one request (docs/limits.md, "Ids and lists").
const MaxRegions = 500

var types = []string{TypeInitial, TypeComprehensive, TypeChange, TypeInterim, TypeTargeted}

var priorities = []string{PriorityUrgent, PriorityHigh, PriorityMedium, PriorityLow}

// transitions mirrors the validation_status_transitions table, which the database enforces by
// trigger, less the moves only the service makes (serviceTransitions); the copy here lets the
// service answer invalid_transition with the statuses a user may ask for next.
// TestTransitionsMatchTable keeps the table equal to the two maps. IN_PROGRESS -> PENDING_APPROVAL is
// MRM3's one exception, for requests without a reviewer (the gates refuse it with one). Closed statuses have no way out, so a
// model freed by closing a request is never blocked again by that request.
var transitions = map[string][]string{
	StatusIntake:          {StatusPlanning, StatusCancelled, StatusOnHold},
	StatusPlanning:        {StatusInProgress, StatusCancelled, StatusOnHold},
	StatusInProgress:      {StatusReview, StatusPendingApproval, StatusCancelled, StatusOnHold},
	StatusReview:          {StatusPendingApproval, StatusInProgress, StatusCancelled, StatusOnHold},
	StatusPendingApproval: {StatusApproved, StatusRevision, StatusReview, StatusInProgress, StatusCancelled, StatusOnHold},
	StatusRevision:        {StatusPendingApproval, StatusCancelled, StatusOnHold},
	StatusOnHold:          {StatusIntake, StatusPlanning, StatusInProgress, StatusReview, StatusPendingApproval, StatusRevision, StatusCancelled},
	StatusApproved:        {},
	StatusCancelled:       {},
}

// serviceTransitions lists the moves validation_status_transitions allows that no user may ask
// for: the service makes them as the consequence of another change, so they are not in
// transitions (POST .../status refuses them, and invalid_transition never lists them).
// PLANNING -> INTAKE is the removal of a PLANNING request's last assignment (DeleteAssignment,
// README "Inside a validation"): INTAKE means the request waits for validators, so it returns
// there when its last one leaves, never on someone's say-so while validators are assigned.
// TestTransitionsMatchTable checks the table holds exactly transitions and these.
var serviceTransitions = map[string][]string{
	StatusPlanning: {StatusIntake},
}

// Transitions returns the status changes a user may ask for (a copy), for tests and
// documentation.
func Transitions() map[string][]string { return cloneTransitions(transitions) }

func cloneTransitions(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for from, to := range m {
		out[from] = slices.Clone(to)
	}
	return out
}

// IsClosed reports whether status is terminal.
func IsClosed(status string) bool { return status == StatusApproved || status == StatusCancelled }

// Request is a validation request as the API shows it when one request is answered: its own
// fields, and its history, assignments and outcome.
type Request struct {
	RequestFields
	// History, Assignments and Outcome are filled only when one request is read (Get, ChangeStatus
	// and the other calls answering with the request); Outcome stays nil until one is recorded.
	History     []HistoryEntry `json:"history,omitempty"`
	Assignments *[]Assignment  `json:"assignments,omitempty"`
	Outcome     *Outcome       `json:"outcome,omitempty"`
}

// RequestFields are the fields of a request wherever it is shown: answered on its own (Request)
// or as an item of the list (ListedRequest).
type RequestFields struct {
	RequestID            int32          `json:"request_id"`
	Status               string         `json:"status"`
	ValidationType       string         `json:"validation_type"`
	Priority             string         `json:"priority"`
	RequestorID          int32          `json:"requestor_id"`
	TargetCompletionDate domain.Date    `json:"target_completion_date"`
	TriggerReason        *string        `json:"trigger_reason"`
	Models               []RequestModel `json:"models"`
	RegionIDs            []int32        `json:"region_ids"`
	CreatedAt            time.Time      `json:"created_at"`
	UpdatedAt            time.Time      `json:"updated_at"`
	// SubmissionReceivedDate is the day the model owner's submission was received (Submit); nil
	// until then.
	SubmissionReceivedDate *domain.Date `json:"submission_received_date"`
}

// RequestModel is a model covered by a request, optionally at a version.
type RequestModel struct {
	ModelID   int32  `json:"model_id"`
	ModelName string `json:"model_name"`
	VersionID *int32 `json:"version_id"`
}

// HistoryEntry is one status a request entered; the first has no from_status.
type HistoryEntry struct {
	HistoryID  int64     `json:"history_id"`
	FromStatus *string   `json:"from_status"`
	ToStatus   string    `json:"to_status"`
	Reason     *string   `json:"reason"`
	ChangedBy  int32     `json:"changed_by"`
	ChangedAt  time.Time `json:"changed_at"`
}

// canWrite reports whether actor may create requests and change their status.
func canWrite(actor domain.Actor) bool {
	return actor.IsMRM()
}
