package validation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Constraint names the service reacts to; they are the schema's and must not change without a
// migration that renames them here too.
const (
	// oneBlockingKey is DATA-01's backstop: at most one active non-targeted link per model.
	oneBlockingKey = "validation_request_models_one_blocking_key"
	// statusTransition is raised by the guard trigger for a status change not in the table.
	statusTransition = "validation_requests_status_transition"
)

// Conflict names a model of a refused request and the requests that block it.
type Conflict struct {
	ModelID        int32           `json:"model_id"`
	ModelName      string          `json:"model_name"`
	ActiveRequests []ActiveRequest `json:"active_requests"`
	// ApprovedRequests is set only when an INITIAL validation is refused because the model
	// already has an approved validation; ActiveRequests is then empty.
	ApprovedRequests []ActiveRequest `json:"approved_requests,omitempty"`
}

// ActiveRequest is a request that blocks a model.
type ActiveRequest struct {
	RequestID      int32  `json:"request_id"`
	ValidationType string `json:"validation_type"`
	Status         string `json:"status"`
}

// conflictRow is the shape of both conflict queries.
type conflictRow struct {
	ModelID        int32
	ModelName      string
	RequestID      int32
	ValidationType string
	Status         string
}

// groupConflicts folds rows ordered by model into one Conflict per model.
func groupConflicts(rows []conflictRow, approved bool) []Conflict {
	var out []Conflict
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ModelID != r.ModelID {
			out = append(out, Conflict{ModelID: r.ModelID, ModelName: r.ModelName, ActiveRequests: []ActiveRequest{}})
		}
		c := &out[len(out)-1]
		a := ActiveRequest{RequestID: r.RequestID, ValidationType: r.ValidationType, Status: r.Status}
		if approved {
			c.ApprovedRequests = append(c.ApprovedRequests, a)
		} else {
			c.ActiveRequests = append(c.ActiveRequests, a)
		}
	}
	return out
}

// convertRows turns the rows of either conflict query into conflictRows.
func convertRows[T gen.ValidationConflictsForModelsRow | gen.ValidationApprovedForModelsRow](rows []T) []conflictRow {
	out := make([]conflictRow, len(rows))
	for i, r := range rows {
		out[i] = conflictRow(r)
	}
	return out
}

// activeConflicts returns, per model, the active non-targeted requests blocking it.
func activeConflicts(ctx context.Context, q *gen.Queries, modelIDs []int32) ([]Conflict, error) {
	rows, err := q.ValidationConflictsForModels(ctx, modelIDs)
	if err != nil {
		return nil, fmt.Errorf("check validation conflicts: %w", err)
	}
	return groupConflicts(convertRows(rows), false), nil
}

// Why a validation_conflict refuses the models it names: an active non-targeted request blocks
// a new one (DATA-01), and an approved validation refuses an INITIAL one.
const (
	blockedByActive   = "already have an active non-targeted validation request"
	blockedByApproved = "already have an approved validation; an INITIAL validation is not possible"
)

// conflictError is the validation_conflict (409) a client sees: the detail names the models and
// why they are blocked, the problem body lists the conflicts (the active requests, or the
// approved ones under approved_requests).
func conflictError(conflicts []Conflict, why string) *domain.Error {
	ids := make([]string, len(conflicts))
	for i, c := range conflicts {
		ids[i] = fmt.Sprint(c.ModelID)
	}
	e := domain.Errorf(domain.CodeValidationConflict, "model(s) %s %s", strings.Join(ids, ", "), why)
	if conflicts == nil {
		conflicts = []Conflict{}
	}
	e.Extra = map[string]any{"conflicts": conflicts}
	return e
}

// BackstopError is a conflict caught by the database index validation_request_models_one_blocking_key
// rather than by the service's check under the locks. With the locks in place it does not happen
// on the service path; tests count it to show what the lock prevents, and the API shows it as the
// validation_conflict it wraps.
type BackstopError struct{ Conflict *domain.Error }

func (e *BackstopError) Error() string {
	return e.Conflict.Error() + " (caught by " + oneBlockingKey + ")"
}

// Unwrap exposes the validation_conflict to errors.As.
func (e *BackstopError) Unwrap() error { return e.Conflict }

// IsBackstop reports whether err is a conflict the database index caught.
func IsBackstop(err error) bool {
	var b *BackstopError
	return errors.As(err, &b)
}

// isBackstopViolation reports whether err is the backstop index refusing a second blocking link.
func isBackstopViolation(err error) bool {
	return pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, oneBlockingKey)
}
