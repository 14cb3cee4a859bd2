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
	"mrmflow/internal/pgtx"
)

// ModelsChange adds models to a request and removes others; ModelVersions maps an added model to
// the version the request covers (a CHANGE request needs one for every added model).
type ModelsChange struct {
	Add           []int32
	Remove        []int32
	ModelVersions map[int32]int32
}

// check validates the change before any database work and returns add and remove sorted.
func (in ModelsChange) check() (add, remove []int32, err error) {
	var c domain.Check
	add, remove = sortedIDs(in.Add), sortedIDs(in.Remove)
	c.IDs("add", in.Add, 0, MaxModels)
	c.IDs("remove", in.Remove, 0, MaxModels)
	if len(in.Add) == 0 && len(in.Remove) == 0 {
		c.Add("add", "add or remove must list at least 1 id")
	}
	for _, id := range add {
		if _, both := slices.BinarySearch(remove, id); both {
			c.Add("remove", "model %d is also listed in add", id)
		}
	}
	for _, m := range sortedKeys(in.ModelVersions) {
		field := fmt.Sprintf("model_versions.%d", m)
		if _, ok := slices.BinarySearch(add, m); !ok {
			c.Add(field, "model %d is not one of add", m)
		} else if in.ModelVersions[m] < 1 {
			c.Add(field, "must be a version id between 1 and 2147483647")
		}
	}
	return add, remove, c.Err()
}

// modelEdit is what ChangeModels reads under its locks besides its admission's reads.
type modelEdit struct {
	request   gen.ValidationRequestLockForUpdateRow
	links     []gen.ValidationRequestModelLinksRow
	notFreeOf []gen.ValidationAssignmentsIndependenceOfModelsRow // assigned validators owning or delegating for an added model
}

// ChangeModels adds models to a request and removes others (VALIDATOR, ADMIN), only while the
// request is in INTAKE or PLANNING (docs/rules.md, "Changes once work has begun"): a model added
// later would share an outcome and an approval written before it was part of the request. Adding
// a model is a DATA-01 path through the one admission step of Create (admission.go): in one READ
// COMMITTED transaction it takes the validation locks of all the request's models after the
// change, one by one in ascending id order (lock.go), then the row locks of the versions it links
// or unlinks (ascending), then the request's row; under them it judges the status, the admission
// of the added models (validation_conflict as Create answers, INITIAL eligibility, versions), the
// independence of the assigned validators from them (409 not_independent), the request's regions
// (each added model must run in each) and its target date against the added versions. The links
// are written in ascending model order; DATA-01's backstop index refuses a second blocking link
// for any writer (also answered validation_conflict). A request keeps at least one model.
func (s *Service) ChangeModels(ctx context.Context, actor domain.Actor, requestID int32, in ModelsChange) (Request, error) {
	if !canWrite(actor) {
		return Request{}, domain.Forbidden("only VALIDATOR and ADMIN users may change the models of validation requests")
	}
	add, remove, err := in.check()
	if err != nil {
		return Request{}, err
	}
	out, err := pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Request, error) {
		return s.changeModels(ctx, tx, actor, requestID, in, add, remove)
	})
	if isBackstopViolation(err) {
		s.metrics.ValidationConflicts.WithLabelValues("edit").Inc()
		err = s.backstopConflict(ctx, add)
	}
	return out, err
}

// changeModels is ChangeModels's transaction in three round trips, one step each: plan the change
// from the request's links, read without a lock to know what to lock; take the locks and send
// every check's read behind them (readModelsUnderLocks), and judge the answers; write the change,
// its audit row and the answer's reads with the COMMIT (write).
func (s *Service) changeModels(ctx context.Context, tx pgx.Tx, actor domain.Actor, requestID int32, in ModelsChange, add, remove []int32) (Request, error) {
	plan, err := planChange(ctx, tx, requestID, in, add, remove)
	if err != nil {
		return Request{}, err
	}
	var e modelEdit
	if err := s.readModelsUnderLocks(ctx, tx, plan, &e); err != nil {
		return Request{}, err
	}
	if err := s.judgeChange(plan, &e); err != nil {
		return Request{}, err
	}
	return plan.write(ctx, tx, actor, e.request.Status)
}

// modelsPlan is a model change as planned before any lock: the request's links as first read,
// the admission of the added models (every model after the change to lock, ascending: the lock
// order), and the versions to unlink (those of removed models) and to lock.
type modelsPlan struct {
	requestID    int32
	in           ModelsChange
	add, remove  []int32
	before       []gen.ValidationRequestModelLinksRow
	admission    *admission
	unlink       []int32
	lockVersions []int32
}

// planChange reads the request's links without a lock and plans the change from them; a request
// with no links does not exist.
func planChange(ctx context.Context, tx pgx.Tx, requestID int32, in ModelsChange, add, remove []int32) (*modelsPlan, error) {
	before, err := gen.New(tx).ValidationRequestModelLinks(ctx, requestID)
	if err != nil {
		return nil, fmt.Errorf("read request models: %w", err)
	}
	if len(before) == 0 {
		return nil, domain.NotFound("validation request %d does not exist", requestID)
	}
	after, unlink, err := planModels(before, add, remove)
	if err != nil {
		return nil, err
	}
	// The request's type never changes, so the admission's reads can be chosen by it now.
	a := newAdmission(before[0].ValidationType, after, add, in.ModelVersions)
	a.regionsOf = requestID
	return &modelsPlan{
		requestID: requestID, in: in, add: add, remove: remove, before: before, admission: a, unlink: unlink,
		lockVersions: sortedIDs(append(slices.Clone(a.versionIDs), unlink...)),
	}, nil
}

// readModelsUnderLocks sends, in one pipeline, the validation locks of every model after the change
// (ascending), the row locks of the versions linked or unlinked, the request's row lock, and then
// the reads the judgement needs, which the server runs under all of them: the links again, the
// admission's reads for the added models, and the assigned validators not independent of them.
// Its time is observed as the lock wait.
func (s *Service) readModelsUnderLocks(ctx context.Context, tx pgx.Tx, plan *modelsPlan, e *modelEdit) error {
	requestID, a := plan.requestID, plan.admission
	start := time.Now()
	p, err := s.lockModels(ctx, tx, &pgtx.Pipeline{}, a.lock)
	if err != nil {
		return err
	}
	if len(plan.lockVersions) > 0 {
		p.Exec(func(q *gen.Queries) error { return q.ValidationVersionsLockForEdit(ctx, plan.lockVersions) }, pgtx.Wrap("lock versions"))
	}
	s.queueRequestLock(ctx, p, requestID, &e.request)
	pgtx.Many(p, &e.links, func(q *gen.Queries) ([]gen.ValidationRequestModelLinksRow, error) {
		return q.ValidationRequestModelLinks(ctx, requestID)
	}, pgtx.Wrap("read request models"))
	a.queueReads(ctx, p)
	if len(plan.add) > 0 {
		pgtx.Many(p, &e.notFreeOf, func(q *gen.Queries) ([]gen.ValidationAssignmentsIndependenceOfModelsRow, error) {
			return q.ValidationAssignmentsIndependenceOfModels(ctx, gen.ValidationAssignmentsIndependenceOfModelsParams{RequestID: requestID, ModelIds: plan.add})
		}, pgtx.Wrap("check independence"))
	}
	return s.sendLocked(ctx, tx, p, start)
}

// write sends, in one pipeline with the COMMIT, the unlinks and links (models in ascending order,
// then versions), the request's updated_at, the audit row and the answer's reads. The audit row
// records status, the request's status the change was judged under (read under its row lock):
// the rule exceptions report reads only the changes recorded outside INTAKE and PLANNING
// (migration 20261206007000), which the service never writes.
func (plan *modelsPlan) write(ctx context.Context, tx pgx.Tx, actor domain.Actor, status string) (Request, error) {
	requestID, add, remove := plan.requestID, plan.add, plan.remove
	w := &pgtx.Pipeline{}
	if len(remove) > 0 {
		w.Exec(func(q *gen.Queries) error {
			return q.ValidationRequestModelsRemove(ctx, gen.ValidationRequestModelsRemoveParams{RequestID: requestID, ModelIds: remove})
		}, pgtx.Wrap("unlink models"))
	}
	if len(plan.unlink) > 0 {
		w.Exec(func(q *gen.Queries) error {
			return q.ValidationVersionsUnlink(ctx, gen.ValidationVersionsUnlinkParams{RequestID: &requestID, VersionIds: plan.unlink})
		}, pgtx.Wrap("unlink versions"))
	}
	if len(add) > 0 {
		versions := make([]int32, len(add))
		for i, m := range add {
			versions[i] = plan.in.ModelVersions[m]
		}
		w.Exec(func(q *gen.Queries) error {
			return q.ValidationRequestModelsAdd(ctx, gen.ValidationRequestModelsAddParams{RequestID: requestID, ModelIds: add, VersionIds: versions})
		}, pgtx.Wrap("link models"))
	}
	if len(plan.admission.versionIDs) > 0 {
		w.Exec(func(q *gen.Queries) error {
			return q.ValidationRequestVersionsLink(ctx, gen.ValidationRequestVersionsLinkParams{RequestID: &requestID, VersionIds: plan.admission.versionIDs})
		}, pgtx.Wrap("link versions"))
	}
	w.Exec(func(q *gen.Queries) error { return q.ValidationRequestTouch(ctx, requestID) }, pgtx.Wrap("touch validation request"))
	audit.Queue(ctx, w, audit.Entry{
		EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: audit.ActionValidationModelsChanged,
		UserID: audit.By(actor.UserID),
		Changes: map[string]any{
			"added": add, "removed": remove, "version_ids": plan.admission.versionIDs, "unlinked_version_ids": plan.unlink, "model_ids": plan.admission.lock,
			"status": status,
		},
	})
	var shown shownRequest
	shown.queue(ctx, w, requestID)
	if err := w.SendAndCommit(ctx, tx); err != nil {
		return Request{}, err
	}
	return shown.request(), nil
}

// planModels returns the request's models after the change (ascending: the lock order) and the
// versions linked to the removed models; a model added twice or removed without being there is
// invalid_request, as is a request left without models or with more than MaxModels.
func planModels(before []gen.ValidationRequestModelLinksRow, add, remove []int32) (after, unlink []int32, err error) {
	var c domain.Check
	on := make(map[int32]*int32, len(before))
	for _, l := range before {
		on[l.ModelID] = l.VersionID
	}
	for i, m := range add {
		if _, ok := on[m]; ok {
			c.Add(fmt.Sprintf("add[%d]", i), "model %d is already covered by the request", m)
		}
	}
	for i, m := range remove {
		v, ok := on[m]
		switch {
		case !ok:
			c.Add(fmt.Sprintf("remove[%d]", i), "model %d is not covered by the request", m)
		case v != nil:
			unlink = append(unlink, *v)
		}
	}
	for _, l := range before {
		if _, gone := slices.BinarySearch(remove, l.ModelID); !gone {
			after = append(after, l.ModelID)
		}
	}
	after = sortedIDs(append(after, add...))
	switch {
	case len(after) == 0:
		c.Add("remove", "a validation request keeps at least one model")
	case len(after) > MaxModels:
		c.Add("add", "a validation request covers at most %d models", MaxModels)
	}
	return after, sortedIDs(unlink), c.Err()
}

// judgeChange judges, under the locks, the planned change: the request is in a status whose
// models may change and its links are still those the plan was made from; then the admission of
// the added models; no assigned validator is involved with them; they run in the request's
// regions; the versions they bring go live no earlier than the request's target date.
func (s *Service) judgeChange(plan *modelsPlan, e *modelEdit) error {
	requestID, a := plan.requestID, plan.admission
	if !slices.Contains(changeableModelsIn, e.request.Status) {
		return statusRefusal(requestID, e.request.Status, modelsFrozen)
	}
	if !sameLinks(plan.before, e.links) {
		// Another change of the same request committed between the unlocked read and the locks:
		// the locks taken may not be the ones the request now needs.
		return domain.Errorf(domain.CodeConflict, "the models of validation request %d changed during this call; retry", requestID)
	}
	if len(plan.add) == 0 {
		return nil
	}
	if _, err := a.judge(s, "add"); err != nil {
		return err
	}
	if len(e.notFreeOf) > 0 {
		n := e.notFreeOf[0]
		return domain.Errorf(domain.CodeNotIndependent,
			"validator %d, assigned to validation request %d, owns or delegates for model %d", n.ValidatorID, requestID, n.ModelID)
	}
	if err := a.scopeError("add"); err != nil {
		return err
	}
	return targetError(e.request.TargetCompletionDate, a.covered())
}

// sameLinks reports whether two reads of a request's model links agree.
func sameLinks(a, b []gen.ValidationRequestModelLinksRow) bool {
	return slices.EqualFunc(a, b, func(x, y gen.ValidationRequestModelLinksRow) bool {
		return x.ModelID == y.ModelID && (x.VersionID == nil) == (y.VersionID == nil) && (x.VersionID == nil || *x.VersionID == *y.VersionID)
	})
}
