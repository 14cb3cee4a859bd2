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
	"mrmflow/internal/idempotency"
	"mrmflow/internal/pgtx"
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
	c.IDs("model_ids", in.ModelIDs, 1, MaxModels)
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
	c.IDs("region_ids", in.RegionIDs, 0, MaxRegions)
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
		res, err = idempotency.Do(ctx, tx, key, func() (Request, error) {
			// Without a key the writes are the transaction's last statements and carry its
			// COMMIT; with one, the stored answer still has to follow them.
			return s.create(ctx, tx, actor, in, modelIDs, key == nil)
		})
		return err
	})
	if isBackstopViolation(err) {
		s.metrics.ValidationConflicts.WithLabelValues(in.ValidationType).Inc()
		err = s.backstopConflict(ctx, modelIDs)
	}
	return res, err
}

// create is Create's work inside the transaction, in two round trips (the first also carries
// BEGIN when no Idempotency-Key was claimed) and three steps: read under the locks — the locks,
// every check's read and the reservation of the request's id in one pipeline, which the server
// runs in order, so each read runs under all the locks and sees what earlier holders committed;
// judge the request by those reads; then send its writes — the request's insert, its links,
// history and audit row in a second pipeline, which also carries the COMMIT when commit is set.
func (s *Service) create(ctx context.Context, tx pgx.Tx, actor domain.Actor, in CreateInput, modelIDs []int32, commit bool) (Request, error) {
	regionIDs := sortedIDs(in.RegionIDs)
	versionIDs := listedVersions(in.ModelVersions)
	var r checkReads
	if err := s.readUnderLocks(ctx, tx, in, modelIDs, regionIDs, versionIDs, &r); err != nil {
		return Request{}, err
	}
	names, err := s.judge(in, modelIDs, regionIDs, versionIDs, &r)
	if err != nil {
		return Request{}, err
	}
	w, err := queueWrites(ctx, actor, in, r.requestID, modelIDs, regionIDs, versionIDs, names)
	if err != nil {
		return Request{}, err
	}
	if commit {
		err = w.pipeline.SendAndCommit(ctx, tx)
	} else {
		err = w.pipeline.Send(ctx, tx)
	}
	if err != nil {
		return Request{}, err
	}
	return fromRow(gen.ValidationRequestGetRow(w.row), w.models, regionIDs), nil
}

// judge checks a request against the reads taken under the locks, in the order of DATA-01's
// steps: every model exists; no active non-targeted request covers one of them (counted in the
// conflict metric); an INITIAL one is not asked for an already validated model; the regions exist;
// the versions exist and belong to their models. It returns the models' names.
func (s *Service) judge(in CreateInput, modelIDs, regionIDs, versionIDs []int32, r *checkReads) (map[int32]string, error) {
	names, err := r.modelNames(modelIDs)
	if err != nil {
		return nil, err
	}
	if conflicts := groupConflicts(convertRows(r.active), false); len(conflicts) > 0 {
		s.metrics.ValidationConflicts.WithLabelValues(in.ValidationType).Inc()
		return nil, conflictError(conflicts, blockedByActive)
	}
	if approved := groupConflicts(convertRows(r.approved), true); len(approved) > 0 {
		return nil, conflictError(approved, blockedByApproved)
	}
	if _, err := r.regions.Require("region_ids"); err != nil {
		return nil, err
	}
	if err := checkVersions(in.ModelVersions, versionIDs, r.versions); err != nil {
		return nil, err
	}
	return names, nil
}

// createWrites are the writes of a request that passed its checks, queued in one pipeline, and
// what the request is answered with once it has been sent.
type createWrites struct {
	pipeline *pgtx.Pipeline
	row      gen.ValidationRequestCreateRow // the request's row, set when the pipeline is sent
	models   []RequestModel
}

// queueWrites queues, in this order, the request (under the id reserved for it), its model links
// with their versions, its region links, its version links, its first history row and its audit
// row: statements whose arguments do not depend on each other's answers, so they share one round
// trip.
func queueWrites(ctx context.Context, actor domain.Actor, in CreateInput, id int32, modelIDs, regionIDs, versionIDs []int32, names map[int32]string) (*createWrites, error) {
	var reason *string
	if in.TriggerReason != "" {
		reason = &in.TriggerReason
	}
	w := &createWrites{pipeline: &pgtx.Pipeline{}, models: make([]RequestModel, len(modelIDs))}
	linkVersions := make([]int32, len(modelIDs))
	for i, m := range modelIDs {
		w.models[i] = RequestModel{ModelID: m, ModelName: names[m]}
		if v, ok := in.ModelVersions[m]; ok {
			linkVersions[i] = v
			w.models[i].VersionID = &v
		}
	}
	writes := w.pipeline
	pgtx.One(writes, &w.row, func(q *gen.Queries) (gen.ValidationRequestCreateRow, error) {
		return q.ValidationRequestCreate(ctx, gen.ValidationRequestCreateParams{
			RequestID: id, RequestorID: actor.UserID, ValidationType: in.ValidationType, Priority: gen.ValidationPriority(in.Priority),
			TargetCompletionDate: in.TargetCompletionDate.Time, TriggerReason: reason,
		})
	}, pgtx.Wrap("create validation request"))
	writes.Exec(func(q *gen.Queries) error {
		return q.ValidationRequestModelsAdd(ctx, gen.ValidationRequestModelsAddParams{
			RequestID: id, ModelIds: modelIDs, VersionIds: linkVersions,
		})
	}, pgtx.Wrap("link models"))
	if len(regionIDs) > 0 {
		writes.Exec(func(q *gen.Queries) error {
			return q.ValidationRequestRegionsAdd(ctx, gen.ValidationRequestRegionsAddParams{RequestID: id, RegionIds: regionIDs})
		}, pgtx.Wrap("link regions"))
	}
	if len(versionIDs) > 0 {
		writes.Exec(func(q *gen.Queries) error {
			return q.ValidationRequestVersionsLink(ctx, gen.ValidationRequestVersionsLinkParams{RequestID: &id, VersionIds: versionIDs})
		}, pgtx.Wrap("link versions"))
	}
	writes.Exec(func(q *gen.Queries) error {
		return q.ValidationStatusHistoryAdd(ctx, gen.ValidationStatusHistoryAddParams{
			RequestID: id, ToStatus: StatusIntake, ChangedBy: actor.UserID,
		})
	}, pgtx.Wrap("record status history"))
	err := audit.Queue(ctx, writes, audit.Entry{
		EntityType: audit.EntityValidationRequest, EntityID: id, Action: "VALIDATION_REQUEST_CREATED",
		UserID: audit.By(actor.UserID),
		Changes: map[string]any{
			"model_ids": modelIDs, "validation_type": in.ValidationType, "priority": in.Priority,
			"target_completion_date": in.TargetCompletionDate, "region_ids": regionIDs, "version_ids": versionIDs,
		},
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// checkReads are the answers of the reads Create judges a request by.
type checkReads struct {
	models   []gen.ValidationModelsByIDsRow
	active   []gen.ValidationConflictsForModelsRow
	approved []gen.ValidationApprovedForModelsRow
	regions  *region.Lookup
	versions []gen.ValidationVersionsByIDsRow
	// requestID is reserved for the request, used only if the checks pass.
	requestID int32
}

// readUnderLocks sends, in one pipeline, the model locks in ascending id order (one statement each,
// docs/locks.md "One key per statement") and after them the reads the request needs: its models,
// the active non-targeted requests on them (unless TARGETED), their approvals (INITIAL), its
// regions and its versions; last, it reserves the request's id, so that the writes need no round
// trip of their own for it. The pipeline's time is observed as the lock wait: the reads after the
// locks take a fraction of a millisecond.
func (s *Service) readUnderLocks(ctx context.Context, tx pgx.Tx, in CreateInput, modelIDs, regionIDs, versionIDs []int32, r *checkReads) error {
	p := &pgtx.Pipeline{}
	lockOrder := modelIDs
	if s.lockInGivenOrder {
		lockOrder = in.ModelIDs
	}
	start := time.Now()
	if !s.skipModelLocks {
		for _, id := range lockOrder {
			queueModelLock(ctx, p, id)
			if s.lockOneByOne {
				if err := p.Send(ctx, tx); err != nil {
					return err
				}
				p = &pgtx.Pipeline{}
			}
		}
	}
	pgtx.Many(p, &r.models, func(q *gen.Queries) ([]gen.ValidationModelsByIDsRow, error) {
		return q.ValidationModelsByIDs(ctx, modelIDs)
	}, pgtx.Wrap("find models"))
	if in.ValidationType != TypeTargeted {
		pgtx.Many(p, &r.active, func(q *gen.Queries) ([]gen.ValidationConflictsForModelsRow, error) {
			return q.ValidationConflictsForModels(ctx, modelIDs)
		}, pgtx.Wrap("check validation conflicts"))
	}
	if in.ValidationType == TypeInitial {
		pgtx.Many(p, &r.approved, func(q *gen.Queries) ([]gen.ValidationApprovedForModelsRow, error) {
			return q.ValidationApprovedForModels(ctx, modelIDs)
		}, pgtx.Wrap("check approved validations"))
	}
	r.regions = region.QueueLookup(ctx, p, regionIDs)
	if len(versionIDs) > 0 {
		pgtx.Many(p, &r.versions, func(q *gen.Queries) ([]gen.ValidationVersionsByIDsRow, error) {
			return q.ValidationVersionsByIDs(ctx, versionIDs)
		}, pgtx.Wrap("find versions"))
	}
	pgtx.Scalar(p, &r.requestID, func(q *gen.Queries) (int32, error) { return q.ValidationRequestReserveID(ctx) }, pgtx.Wrap("reserve request id"))
	err := p.Send(ctx, tx)
	if !s.skipModelLocks {
		s.metrics.LockWait.Observe(time.Since(start).Seconds())
	}
	return err
}

// modelNames checks that every model exists and returns their names; the error names the
// missing ids.
func (r *checkReads) modelNames(modelIDs []int32) (map[int32]string, error) {
	names := make(map[int32]string, len(r.models))
	for _, m := range r.models {
		names[m.ModelID] = m.ModelName
	}
	missing := domain.MissingIDs(modelIDs, func(id int32) bool { _, ok := names[id]; return ok })
	if len(missing) > 0 {
		return nil, domain.NotFoundIDs("models", "model_ids", missing)
	}
	return names, nil
}

// listedVersions returns the versions a request lists, sorted.
func listedVersions(byModel map[int32]int32) []int32 {
	ids := make([]int32, 0, len(byModel))
	for _, v := range byModel {
		ids = append(ids, v)
	}
	return sortedIDs(ids)
}

// checkVersions checks that every listed version exists and belongs to the model it is listed
// for.
func checkVersions(byModel map[int32]int32, ids []int32, rows []gen.ValidationVersionsByIDsRow) error {
	owner := make(map[int32]int32, len(rows))
	for _, r := range rows {
		owner[r.VersionID] = r.ModelID
	}
	missing := domain.MissingIDs(ids, func(id int32) bool { _, ok := owner[id]; return ok })
	if len(missing) > 0 {
		return domain.NotFoundIDs("versions", "model_versions", missing)
	}
	var c domain.Check
	for _, m := range sortedKeys(byModel) {
		if v := byModel[m]; owner[v] != m {
			c.Add(fmt.Sprintf("model_versions.%d", m), "version %d belongs to model %d, not model %d", v, owner[v], m)
		}
	}
	return c.Err()
}

// backstopConflict builds the answer for a request the backstop index refused: the transaction
// is gone, so the conflicts are read afresh (the blocking request has committed by now).
func (s *Service) backstopConflict(ctx context.Context, modelIDs []int32) error {
	conflicts, err := activeConflicts(ctx, gen.New(s.pool), modelIDs)
	if err != nil {
		return pgtx.Translate(err) // read outside a transaction: WithTx did not translate it
	}
	return &BackstopError{Conflict: conflictError(conflicts, blockedByActive)}
}

func sortedKeys(m map[int32]int32) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
