package validation

import (
	"context"
	"fmt"
	"slices"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Get returns one request with its models, regions and status history. Any authenticated user
// may read validation requests.
func (s *Service) Get(ctx context.Context, requestID int32) (Request, error) {
	return get(ctx, gen.New(s.pool), requestID)
}

func get(ctx context.Context, q *gen.Queries, requestID int32) (Request, error) {
	row, err := q.ValidationRequestGet(ctx, requestID)
	if pgtx.IsNoRows(err) {
		return Request{}, domain.NotFound("validation request %d does not exist", requestID)
	}
	if err != nil {
		return Request{}, fmt.Errorf("get validation request: %w", err)
	}
	rs, err := withLinks(ctx, q, []gen.ValidationRequestGetRow{row})
	if err != nil {
		return Request{}, err
	}
	hist, err := q.ValidationStatusHistoryForRequest(ctx, requestID)
	if err != nil {
		return Request{}, fmt.Errorf("read status history: %w", err)
	}
	r := rs[0]
	r.History = make([]HistoryEntry, len(hist))
	for i, h := range hist {
		r.History[i] = HistoryEntry{
			HistoryID: h.HistoryID, FromStatus: h.FromStatus, ToStatus: h.ToStatus, Reason: h.Reason,
			ChangedBy: h.ChangedBy, ChangedAt: h.ChangedAt.UTC(),
		}
	}
	return r, nil
}

// List returns requests in id order, each with its models and regions (no history).
func (s *Service) List(ctx context.Context, f Filter, page domain.Page) ([]Request, *int64, error) {
	var c domain.Check
	if f.Status != nil {
		if _, ok := transitions[*f.Status]; !ok {
			c.Add("status", "must be one of %v", sortedKeysOf(transitions))
		}
	}
	if f.ValidationType != nil && !slices.Contains(types, *f.ValidationType) {
		c.Add("validation_type", "must be one of %v", types)
	}
	if err := c.Err(); err != nil {
		return nil, nil, err
	}
	q := gen.New(s.pool)
	rows, err := listRows(ctx, q, f, page)
	if err != nil {
		return nil, nil, fmt.Errorf("list validation requests: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.ValidationRequestGetRow) int64 { return int64(r.RequestID) })
	out, err := withLinks(ctx, q, rows)
	return out, next, err
}

// listRows fetches one page (plus one row, to know whether another page follows), through the
// query whose index fits the filter: by model from the model's links, otherwise by request id.
func listRows(ctx context.Context, q *gen.Queries, f Filter, page domain.Page) ([]gen.ValidationRequestGetRow, error) {
	var out []gen.ValidationRequestGetRow
	if f.ModelID != nil {
		rows, err := q.ValidationRequestListForModel(ctx, gen.ValidationRequestListForModelParams{
			ModelID: *f.ModelID, AfterID: int32(page.After), Status: f.Status, ValidationType: f.ValidationType,
			Active: f.Active, PageLimit: page.Limit + 1,
		})
		for _, r := range rows {
			out = append(out, gen.ValidationRequestGetRow(r))
		}
		return out, err
	}
	rows, err := q.ValidationRequestList(ctx, gen.ValidationRequestListParams{
		AfterID: int32(page.After), Status: f.Status, ValidationType: f.ValidationType,
		Active: f.Active, PageLimit: page.Limit + 1,
	})
	for _, r := range rows {
		out = append(out, gen.ValidationRequestGetRow(r))
	}
	return out, err
}

// withLinks attaches models and regions to a page of requests with one query each.
func withLinks(ctx context.Context, q *gen.Queries, rows []gen.ValidationRequestGetRow) ([]Request, error) {
	ids := make([]int32, len(rows))
	for i, r := range rows {
		ids[i] = r.RequestID
	}
	modelRows, err := q.ValidationRequestModelsForRequests(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list request models: %w", err)
	}
	regionRows, err := q.ValidationRequestRegionsForRequests(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list request regions: %w", err)
	}
	models := make(map[int32][]RequestModel, len(rows))
	for _, m := range modelRows {
		models[m.RequestID] = append(models[m.RequestID], RequestModel{ModelID: m.ModelID, ModelName: m.ModelName, VersionID: m.VersionID})
	}
	regions := make(map[int32][]int32, len(rows))
	for _, r := range regionRows {
		regions[r.RequestID] = append(regions[r.RequestID], r.RegionID)
	}
	out := make([]Request, len(rows))
	for i, r := range rows {
		out[i] = fromRow(r, models[r.RequestID], regions[r.RequestID])
	}
	return out, nil
}

func fromRow(r gen.ValidationRequestGetRow, models []RequestModel, regionIDs []int32) Request {
	if models == nil {
		models = []RequestModel{}
	}
	if regionIDs == nil {
		regionIDs = []int32{}
	}
	return Request{
		RequestID: r.RequestID, Status: r.Status, ValidationType: r.ValidationType, Priority: string(r.Priority),
		RequestorID: r.RequestorID, TargetCompletionDate: domain.NewDate(r.TargetCompletionDate),
		TriggerReason: r.TriggerReason, Models: models, RegionIDs: regionIDs,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}
