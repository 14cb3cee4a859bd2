package validation

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/idempotency"
	"mrmflow/internal/region"
)

// CreateInput is a new validation request. ModelVersions maps a model id (one of ModelIDs) to the
// version the request covers; CHANGE needs one for every model.
type CreateInput struct {
	ModelIDs             []int32
	ValidationType       string
	Priority             string
	TargetCompletionDate *domain.Date
	TriggerReason        string
	RegionIDs            []int32
	ModelVersions        map[int32]int32
}

// check validates the input before any database work and returns the model ids sorted.
func (in CreateInput) check() ([]int32, error) {
	var c domain.Check
	modelIDs := sortedIDs(in.ModelIDs)
	switch {
	case len(in.ModelIDs) == 0:
		c.Add("model_ids", "must list at least 1 id(s)")
	case len(in.ModelIDs) > MaxModels:
		c.Add("model_ids", "must list at most %d ids", MaxModels)
	case len(modelIDs) != len(in.ModelIDs):
		c.Add("model_ids", "must not list an id twice")
	case modelIDs[0] < 1:
		c.Add("model_ids", "must hold ids between 1 and 2147483647")
	}
	if !slices.Contains(types, in.ValidationType) {
		c.Add("validation_type", "must be one of %v", types)
	}
	if !slices.Contains(priorities, in.Priority) {
		c.Add("priority", "must be one of %v", priorities)
	}
	if in.TargetCompletionDate == nil {
		c.Add("target_completion_date", "is required")
	}
	c.Text("trigger_reason", in.TriggerReason, false)
	if len(sortedIDs(in.RegionIDs)) != len(in.RegionIDs) {
		c.Add("region_ids", "must not list an id twice")
	}
	for _, m := range sortedKeys(in.ModelVersions) {
		field := fmt.Sprintf("model_versions.%d", m)
		if _, ok := slices.BinarySearch(modelIDs, m); !ok {
			c.Add(field, "model %d is not one of model_ids", m)
		} else if in.ModelVersions[m] < 1 {
			c.Add(field, "must be a version id between 1 and 2147483647")
		}
	}
	if in.ValidationType == TypeChange {
		for _, m := range modelIDs {
			if _, ok := in.ModelVersions[m]; !ok {
				c.Add("model_versions", "a CHANGE validation needs a version for every model; model %d has none", m)
			}
		}
	}
	return modelIDs, c.Err()
}

// Create opens a validation request (DATA-01). In one READ COMMITTED transaction it bounds lock
// waits, claims the Idempotency-Key (if any), takes the validation lock of every model one by one
// in ascending id order, checks under the locks that no active non-targeted request covers any of
// the models (and that an INITIAL one is not asked for an already validated model), then writes
// the request, its model, region and version links, its first history row and its audit row.
// Anything failing rolls all of it back. A request refused by the database backstop is the same
// validation_conflict (as a *BackstopError). VALIDATOR and ADMIN may create.
func (s *Service) Create(ctx context.Context, actor domain.Actor, in CreateInput, key *idempotency.Key) (idempotency.Result[Request], error) {
	var res idempotency.Result[Request]
	if !canWrite(actor) {
		return res, domain.Forbidden("only VALIDATOR and ADMIN users may create validation requests")
	}
	modelIDs, err := in.check()
	if err != nil {
		return res, err
	}
	err = s.withTx(ctx, func(tx pgx.Tx) error {
		q := gen.New(tx)
		res, err = idempotency.Do(ctx, tx, key, http.StatusCreated, func() (Request, error) {
			return s.create(ctx, q, actor, in, modelIDs)
		})
		return err
	})
	if isBackstopViolation(err) {
		s.metrics.ValidationConflicts.WithLabelValues(in.ValidationType).Inc()
		err = s.backstopConflict(ctx, modelIDs)
	}
	return res, txError(err)
}

// create is Create's work inside the transaction.
func (s *Service) create(ctx context.Context, q *gen.Queries, actor domain.Actor, in CreateInput, modelIDs []int32) (Request, error) {
	lockOrder := modelIDs
	if s.opts.LockInGivenOrder {
		lockOrder = in.ModelIDs
	}
	if err := s.lockModels(ctx, q, lockOrder); err != nil {
		return Request{}, err
	}
	names, err := requireModels(ctx, q, modelIDs)
	if err != nil {
		return Request{}, err
	}
	if in.ValidationType != TypeTargeted {
		conflicts, err := activeConflicts(ctx, q, modelIDs)
		if err != nil {
			return Request{}, err
		}
		if len(conflicts) > 0 {
			s.metrics.ValidationConflicts.WithLabelValues(in.ValidationType).Inc()
			return Request{}, conflictError(conflicts)
		}
	}
	if in.ValidationType == TypeInitial {
		approved, err := approvedConflicts(ctx, q, modelIDs)
		if err != nil {
			return Request{}, err
		}
		if len(approved) > 0 {
			return Request{}, initialRefusedError(approved)
		}
	}
	regionIDs := sortedIDs(in.RegionIDs)
	if _, err := region.RequireAll(ctx, q, "region_ids", regionIDs); err != nil {
		return Request{}, err
	}
	versionIDs, err := requireVersions(ctx, q, in.ModelVersions)
	if err != nil {
		return Request{}, err
	}

	var reason *string
	if in.TriggerReason != "" {
		reason = &in.TriggerReason
	}
	row, err := q.ValidationRequestCreate(ctx, gen.ValidationRequestCreateParams{
		RequestorID: actor.UserID, ValidationType: in.ValidationType, Priority: gen.ValidationPriority(in.Priority),
		TargetCompletionDate: in.TargetCompletionDate.Time, TriggerReason: reason,
	})
	if err != nil {
		return Request{}, fmt.Errorf("create validation request: %w", err)
	}
	models := make([]RequestModel, len(modelIDs))
	linkVersions := make([]int32, len(modelIDs))
	for i, m := range modelIDs {
		models[i] = RequestModel{ModelID: m, ModelName: names[m]}
		if v, ok := in.ModelVersions[m]; ok {
			linkVersions[i] = v
			models[i].VersionID = &v
		}
	}
	err = q.ValidationRequestModelsAdd(ctx, gen.ValidationRequestModelsAddParams{
		RequestID: row.RequestID, ModelIds: modelIDs, VersionIds: linkVersions,
	})
	if err != nil {
		return Request{}, fmt.Errorf("link models: %w", err)
	}
	if len(regionIDs) > 0 {
		err = q.ValidationRequestRegionsAdd(ctx, gen.ValidationRequestRegionsAddParams{RequestID: row.RequestID, RegionIds: regionIDs})
		if err != nil {
			return Request{}, fmt.Errorf("link regions: %w", err)
		}
	}
	if len(versionIDs) > 0 {
		err = q.ValidationRequestVersionsLink(ctx, gen.ValidationRequestVersionsLinkParams{RequestID: &row.RequestID, VersionIds: versionIDs})
		if err != nil {
			return Request{}, fmt.Errorf("link versions: %w", err)
		}
	}
	err = q.ValidationStatusHistoryAdd(ctx, gen.ValidationStatusHistoryAddParams{
		RequestID: row.RequestID, ToStatus: row.Status, ChangedBy: actor.UserID,
	})
	if err != nil {
		return Request{}, fmt.Errorf("record status history: %w", err)
	}
	r := fromRow(gen.ValidationRequestGetRow(row), models, regionIDs)
	return r, audit.Record(ctx, q, audit.Entry{
		EntityType: audit.EntityValidationRequest, EntityID: r.RequestID, Action: "VALIDATION_REQUEST_CREATED",
		UserID: audit.By(actor.UserID),
		Changes: map[string]any{
			"model_ids": modelIDs, "validation_type": r.ValidationType, "priority": r.Priority,
			"target_completion_date": r.TargetCompletionDate, "region_ids": regionIDs, "version_ids": versionIDs,
		},
	})
}

// requireModels checks that every model exists and returns their names; the error names the
// missing ids.
func requireModels(ctx context.Context, q *gen.Queries, modelIDs []int32) (map[int32]string, error) {
	rows, err := q.ValidationModelsByIDs(ctx, modelIDs)
	if err != nil {
		return nil, fmt.Errorf("find models: %w", err)
	}
	names := make(map[int32]string, len(rows))
	for _, r := range rows {
		names[r.ModelID] = r.ModelName
	}
	missing := domain.MissingIDs(modelIDs, func(id int32) bool { _, ok := names[id]; return ok })
	if len(missing) > 0 {
		return nil, domain.NotFoundIDs("models", "model_ids", missing)
	}
	return names, nil
}

// requireVersions checks that every listed version exists and belongs to the model it is listed
// for; it returns the version ids sorted.
func requireVersions(ctx context.Context, q *gen.Queries, byModel map[int32]int32) ([]int32, error) {
	if len(byModel) == 0 {
		return nil, nil
	}
	ids := make([]int32, 0, len(byModel))
	for _, v := range byModel {
		ids = append(ids, v)
	}
	ids = sortedIDs(ids)
	rows, err := q.ValidationVersionsByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("find versions: %w", err)
	}
	owner := make(map[int32]int32, len(rows))
	for _, r := range rows {
		owner[r.VersionID] = r.ModelID
	}
	missing := domain.MissingIDs(ids, func(id int32) bool { _, ok := owner[id]; return ok })
	if len(missing) > 0 {
		return nil, domain.NotFoundIDs("versions", "model_versions", missing)
	}
	var c domain.Check
	for _, m := range sortedKeys(byModel) {
		if v := byModel[m]; owner[v] != m {
			c.Add(fmt.Sprintf("model_versions.%d", m), "version %d belongs to model %d, not model %d", v, owner[v], m)
		}
	}
	return ids, c.Err()
}

// backstopConflict builds the answer for a request the backstop index refused: the transaction
// is gone, so the conflicts are read afresh (the blocking request has committed by now).
func (s *Service) backstopConflict(ctx context.Context, modelIDs []int32) error {
	conflicts, err := activeConflicts(ctx, gen.New(s.pool), modelIDs)
	if err != nil {
		return err
	}
	return &BackstopError{Conflict: conflictError(conflicts)}
}

func sortedKeys(m map[int32]int32) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
