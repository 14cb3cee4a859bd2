package validation

import (
	"context"
	"fmt"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Get returns one request with its models, regions, status history, assignments and outcome,
// read in one round trip. A USER sees only the requests of models they own or actively delegate
// for (any other is not_found, so its existence does not leak); every other role sees all.
func (s *Service) Get(ctx context.Context, actor domain.Actor, requestID int32) (Request, error) {
	var r shownRequest
	p := &pgtx.Pipeline{}
	visible := true
	if !actor.SeesAll() {
		queueVisible(ctx, p, actor, requestID, &visible)
	}
	r.queue(ctx, p, requestID)
	if err := p.Send(ctx, s.db.Pool); err != nil {
		return Request{}, err
	}
	if !visible { // the reads ran anyway, in the same round trip; their answer is not shown
		return Request{}, domain.NotFound("validation request %d does not exist", requestID)
	}
	return r.request(), nil
}

// queueVisible queues whether actor may see request requestID (false also when it does not
// exist) into p: every role but USER sees every request, a USER only those of models they own or
// actively delegate for.
func queueVisible(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, requestID int32, dst *bool) {
	pgtx.Scalar(p, dst, func(q *gen.Queries) (bool, error) {
		return q.ValidationRequestVisible(ctx, gen.ValidationRequestVisibleParams{
			RequestID: requestID, UserID: actor.UserID, SeesAll: actor.SeesAll(),
		})
	}, pgtx.Wrap("check request visibility"))
}

// shownRequest holds the answers of the reads a request is shown with: its row, model and region
// links, status history, assignments and outcome.
type shownRequest struct {
	row         gen.ValidationRequestGetRow
	models      []gen.ValidationRequestModelsForRequestsRow
	regions     []gen.ValidationRequestRegion
	history     []gen.ValidationStatusHistory
	assignments []gen.ValidationAssignmentsForRequestsRow
	outcomes    []gen.ValidationOutcome
}

// queue adds the six reads to p; a missing request fails the pipeline with not_found.
func (r *shownRequest) queue(ctx context.Context, p *pgtx.Pipeline, requestID int32) {
	pgtx.One(p, &r.row, func(q *gen.Queries) (gen.ValidationRequestGetRow, error) {
		return q.ValidationRequestGet(ctx, requestID)
	}, func(err error) error {
		if pgtx.IsNoRows(err) {
			return domain.NotFound("validation request %d does not exist", requestID)
		}
		return fmt.Errorf("get validation request: %w", err)
	})
	ids := []int32{requestID}
	pgtx.Many(p, &r.models, func(q *gen.Queries) ([]gen.ValidationRequestModelsForRequestsRow, error) {
		return q.ValidationRequestModelsForRequests(ctx, ids)
	}, pgtx.Wrap("list request models"))
	pgtx.Many(p, &r.regions, func(q *gen.Queries) ([]gen.ValidationRequestRegion, error) {
		return q.ValidationRequestRegionsForRequests(ctx, ids)
	}, pgtx.Wrap("list request regions"))
	pgtx.Many(p, &r.history, func(q *gen.Queries) ([]gen.ValidationStatusHistory, error) {
		return q.ValidationStatusHistoryForRequest(ctx, requestID)
	}, pgtx.Wrap("read status history"))
	pgtx.Many(p, &r.assignments, func(q *gen.Queries) ([]gen.ValidationAssignmentsForRequestsRow, error) {
		return q.ValidationAssignmentsForRequests(ctx, ids)
	}, pgtx.Wrap("list assignments"))
	pgtx.Many(p, &r.outcomes, func(q *gen.Queries) ([]gen.ValidationOutcome, error) {
		return q.ValidationOutcomesForRequests(ctx, ids)
	}, pgtx.Wrap("read outcome"))
}

func (r *shownRequest) request() Request {
	out := assemble([]gen.ValidationRequestGetRow{r.row}, r.models, r.regions)[0]
	out.History = make([]HistoryEntry, len(r.history))
	for i, h := range r.history {
		out.History[i] = HistoryEntry{
			HistoryID: h.HistoryID, FromStatus: h.FromStatus, ToStatus: h.ToStatus, Reason: h.Reason,
			ChangedBy: h.ChangedBy, ChangedAt: h.ChangedAt.UTC(),
		}
	}
	assignments := make([]Assignment, len(r.assignments))
	for i, a := range r.assignments {
		assignments[i] = fromAssignmentRow(a)
	}
	out.Assignments = &assignments
	if len(r.outcomes) == 1 {
		o := fromOutcomeRow(r.outcomes[0])
		out.Outcome = &o
	}
	return out
}

// assemble attaches the model and region links to their requests.
func assemble(rows []gen.ValidationRequestGetRow, modelRows []gen.ValidationRequestModelsForRequestsRow, regionRows []gen.ValidationRequestRegion) []Request {
	models, regions := linksByRequest(modelRows, regionRows)
	out := make([]Request, len(rows))
	for i, r := range rows {
		out[i] = Request{RequestFields: fromRow(r, models[r.RequestID], regions[r.RequestID])}
	}
	return out
}

// linksByRequest groups the model and region links of some requests by request.
func linksByRequest(modelRows []gen.ValidationRequestModelsForRequestsRow, regionRows []gen.ValidationRequestRegion) (map[int32][]RequestModel, map[int32][]int32) {
	models := make(map[int32][]RequestModel)
	for _, m := range modelRows {
		models[m.RequestID] = append(models[m.RequestID], RequestModel{ModelID: m.ModelID, ModelName: m.ModelName, VersionID: m.VersionID})
	}
	regions := make(map[int32][]int32)
	for _, r := range regionRows {
		regions[r.RequestID] = append(regions[r.RequestID], r.RegionID)
	}
	return models, regions
}

func fromRow(r gen.ValidationRequestGetRow, models []RequestModel, regionIDs []int32) RequestFields {
	if models == nil {
		models = []RequestModel{}
	}
	if regionIDs == nil {
		regionIDs = []int32{}
	}
	return RequestFields{
		RequestID: r.RequestID, Status: r.Status, ValidationType: r.ValidationType, Priority: string(r.Priority),
		RequestorID: r.RequestorID, TargetCompletionDate: domain.NewDate(r.TargetCompletionDate),
		TriggerReason: r.TriggerReason, Models: models, RegionIDs: regionIDs,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		SubmissionReceivedDate: domain.DatePtr(r.SubmissionReceivedDate),
	}
}
