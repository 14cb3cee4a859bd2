package api

import (
	"context"
	"fmt"
	"net/http"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/idempotency"
)

type deploymentTargetRequest struct {
	RegionID              *int64  `json:"region_id"`
	PlannedProductionDate *string `json:"planned_production_date"`
	Notes                 *string `json:"notes"`
}

type createDeploymentsRequest struct {
	Targets                  []deploymentTargetRequest `json:"targets"`
	DeployNow                *bool                     `json:"deploy_now"`
	ActualProductionDate     *string                   `json:"actual_production_date"`
	ConfirmationNotes        *string                   `json:"confirmation_notes"`
	ValidationOverrideReason *string                   `json:"validation_override_reason"`
}

func (s *Server) createDeployments(w http.ResponseWriter, r *http.Request) error {
	versionID, err := pathID(r, "version_id")
	if err != nil {
		return err
	}
	var req createDeploymentsRequest
	raw, err := decodeJSON(r, &req)
	if err != nil {
		return err
	}
	var f fields
	if !deployment.CheckTargetCount(&f.Check, len(req.Targets)) {
		// The service's count rule, asked before the items are converted: an oversized list is
		// refused on its count alone.
		return f.Err()
	}
	targets := make([]deployment.Target, 0, len(req.Targets))
	for i, t := range req.Targets {
		prefix := fmt.Sprintf("targets[%d].", i)
		var regionID *int32
		if t.RegionID != nil {
			id := f.id(prefix+"region_id", t.RegionID, true)
			regionID = &id
		}
		planned := f.date(prefix+"planned_production_date", t.PlannedProductionDate, true)
		target := deployment.Target{RegionID: regionID, Notes: f.str(prefix+"notes", t.Notes, false)}
		if planned != nil {
			target.PlannedProductionDate = *planned
		}
		targets = append(targets, target)
	}
	in := deployment.PlanInput{
		Targets:   targets,
		DeployNow: req.DeployNow != nil && *req.DeployNow,
		Confirm:   confirmRequest{ActualProductionDate: req.ActualProductionDate, ConfirmationNotes: req.ConfirmationNotes, ValidationOverrideReason: req.ValidationOverrideReason}.input(&f),
	}
	if err := f.Err(); err != nil {
		return err
	}
	call, err := newIdempotentCall(r, raw, http.StatusCreated)
	if err != nil {
		return err
	}
	res, err := s.deployments.Plan(r.Context(), actorOf(r), versionID, in, call.key)
	if err != nil {
		return err
	}
	writeIdempotent(s, w, r, call, res)
	return nil
}

// listDeploymentTasks is the deployment task queue (README, "Deployments"): its filters, as_of,
// sort with a keyset cursor on (sort key, task_id), and its CSV answer.
func (s *Server) listDeploymentTasks(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "limit", "cursor", "format", "status", "model_id", "assigned_to", "mine", "due", "as_of", "sort")
	page := domain.KeyPage{Limit: q.limit(), After: q.keyCursor(deployment.TaskKeyParts)}
	filter := deployment.Filter{
		Status:       q.text("status"),
		ModelID:      q.id("model_id"),
		AssignedToID: q.idOrMe("assigned_to", actorOf(r).UserID),
		Due:          q.text("due"),
		AsOf:         q.date("as_of"),
	}
	if mine := q.boolean("mine"); mine != nil {
		filter.Mine = *mine
	}
	if sort := q.text("sort"); sort != nil {
		filter.Sort = *sort
	}
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("deployment-tasks", filter.AsOf), func(each func(deployment.ListedTask) error) error {
			return s.deployments.Export(r.Context(), actorOf(r), filter, s.exportCap(), each)
		})
	}
	items, next, err := s.deployments.List(r.Context(), actorOf(r), filter, page)
	if err != nil {
		return err
	}
	answer := listOf(items, nil)
	if next != nil {
		c := encodeKeyCursor(next)
		answer.NextCursor = &c
	}
	s.writeJSON(w, r, http.StatusOK, answer)
	return nil
}

func (s *Server) getDeploymentTask(w http.ResponseWriter, r *http.Request) error {
	taskID, err := pathID(r, "task_id")
	if err != nil {
		return err
	}
	t, err := s.deployments.Get(r.Context(), actorOf(r), taskID)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, t)
	return nil
}

type confirmRequest struct {
	TaskIDs                  []int64 `json:"task_ids,omitempty"`
	ActualProductionDate     *string `json:"actual_production_date"`
	ConfirmationNotes        *string `json:"confirmation_notes"`
	ValidationOverrideReason *string `json:"validation_override_reason"`
}

func (req confirmRequest) input(f *fields) deployment.ConfirmInput {
	in := deployment.ConfirmInput{
		ConfirmationNotes:        f.str("confirmation_notes", req.ConfirmationNotes, false),
		ValidationOverrideReason: f.str("validation_override_reason", req.ValidationOverrideReason, false),
	}
	if d := f.date("actual_production_date", req.ActualProductionDate, false); d != nil {
		in.ActualProductionDate = *d
	}
	return in
}

type adjustRequest struct {
	TaskIDs               []int64 `json:"task_ids,omitempty"`
	PlannedProductionDate *string `json:"planned_production_date"`
	AdjustmentReason      *string `json:"adjustment_reason"`
}

func (req adjustRequest) input(f *fields) deployment.AdjustInput {
	in := deployment.AdjustInput{AdjustmentReason: f.str("adjustment_reason", req.AdjustmentReason, false)}
	if d := f.date("planned_production_date", req.PlannedProductionDate, false); d != nil {
		in.PlannedProductionDate = *d
	}
	return in
}

type cancelRequest struct {
	TaskIDs            []int64 `json:"task_ids,omitempty"`
	CancellationReason *string `json:"cancellation_reason"`
}

func (req cancelRequest) input(f *fields) deployment.CancelInput {
	return deployment.CancelInput{CancellationReason: f.str("cancellation_reason", req.CancellationReason, false)}
}

// singleRequest is what the single-task endpoints decode. task_ids belongs to the bulk bodies
// only, so it is refused here like any unknown field.
type singleRequest[In any] interface {
	input(f *fields) In
	bulkIDs() []int64
}

func (req confirmRequest) bulkIDs() []int64 { return req.TaskIDs }
func (req adjustRequest) bulkIDs() []int64  { return req.TaskIDs }
func (req cancelRequest) bulkIDs() []int64  { return req.TaskIDs }

// taskOperation decodes a single-task body and calls do with the task id and the input.
func taskOperation[In any, Req singleRequest[In]](s *Server, do func(ctx context.Context, actor domain.Actor, taskID int32, in In) (deployment.Task, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		taskID, err := pathID(r, "task_id")
		if err != nil {
			return err
		}
		var req Req
		if _, err := decodeJSON(r, &req); err != nil {
			return err
		}
		var f fields
		if req.bulkIDs() != nil {
			f.Add("task_ids", "is not a known field")
		}
		in := req.input(&f)
		if err := f.Err(); err != nil {
			return err
		}
		t, err := do(r.Context(), actorOf(r), taskID, in)
		if err != nil {
			return err
		}
		s.writeJSON(w, r, http.StatusOK, t)
		return nil
	}
}

// bulkOperation decodes a bulk body (task_ids plus the operation's fields) and calls do.
func bulkOperation[In any, Req singleRequest[In]](s *Server, do func(ctx context.Context, actor domain.Actor, ids []int32, in In, key *idempotency.Key) (idempotency.Result[deployment.BulkResult], error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req Req
		raw, err := decodeJSON(r, &req)
		if err != nil {
			return err
		}
		var f fields
		ids := narrowIDs(req.bulkIDs())
		in := req.input(&f)
		if err := f.Err(); err != nil {
			return err
		}
		call, err := newIdempotentCall(r, raw, http.StatusOK)
		if err != nil {
			return err
		}
		res, err := do(r.Context(), actorOf(r), ids, in, call.key)
		if err != nil {
			return err
		}
		writeIdempotent(s, w, r, call, res)
		return nil
	}
}

func (s *Server) bulkConfirm(w http.ResponseWriter, r *http.Request) error {
	return bulkOperation[deployment.ConfirmInput, confirmRequest](s, s.deployments.BulkConfirm)(w, r)
}

func (s *Server) bulkAdjust(w http.ResponseWriter, r *http.Request) error {
	return bulkOperation[deployment.AdjustInput, adjustRequest](s, s.deployments.BulkAdjust)(w, r)
}

func (s *Server) bulkCancel(w http.ResponseWriter, r *http.Request) error {
	return bulkOperation[deployment.CancelInput, cancelRequest](s, s.deployments.BulkCancel)(w, r)
}

func (s *Server) confirmTask(w http.ResponseWriter, r *http.Request) error {
	return taskOperation[deployment.ConfirmInput, confirmRequest](s, s.deployments.Confirm)(w, r)
}

func (s *Server) adjustTask(w http.ResponseWriter, r *http.Request) error {
	return taskOperation[deployment.AdjustInput, adjustRequest](s, s.deployments.Adjust)(w, r)
}

func (s *Server) cancelTask(w http.ResponseWriter, r *http.Request) error {
	return taskOperation[deployment.CancelInput, cancelRequest](s, s.deployments.Cancel)(w, r)
}
