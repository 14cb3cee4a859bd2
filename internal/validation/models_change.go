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

// modelEdit is what ChangeModels reads under its locks.
type modelEdit struct {
	request   gen.ValidationRequestLockForUpdateRow
	links     []gen.ValidationRequestModelLinksRow
	models    []gen.ValidationModelsByIDsRow
	active    []gen.ValidationConflictsForModelsRow
	approved  []gen.ValidationApprovedForModelsRow
	versions  []gen.ValidationVersionsByIDsRow
	notFreeOf []gen.ValidationAssignmentsIndependenceOfModelsRow // assigned validators owning or delegating for an added model
}

// ChangeModels adds models to a request and removes others (VALIDATOR, ADMIN). Adding a model is
// a DATA-01 path: in one READ COMMITTED transaction it takes the validation locks of all the
// request's models after the change, one by one in ascending id order (lock.go), then the row
// locks of the versions it links or unlinks (ascending), then the request's row; under them it
// checks that no other active non-targeted request covers an added model (409
// validation_conflict, as Create answers), that an INITIAL request does not get an already
// validated model, and that no assigned validator owns or delegates for an added model (409
// not_independent). The links are written in ascending model order; DATA-01's backstop index
// refuses a second blocking link for any writer (also answered validation_conflict). A request
// keeps at least one model; closed requests refuse.
func (s *Service) ChangeModels(ctx context.Context, actor domain.Actor, requestID int32, in ModelsChange) (Request, error) {
	if !canWrite(actor) {
		return Request{}, domain.Forbidden("only VALIDATOR and ADMIN users may change the models of validation requests")
	}
	add, remove, err := in.check()
	if err != nil {
		return Request{}, err
	}
	var out Request
	err = s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = s.changeModels(ctx, tx, actor, requestID, in, add, remove)
		return err
	})
	if isBackstopViolation(err) {
		s.metrics.ValidationConflicts.WithLabelValues("edit").Inc()
		err = s.backstopConflict(ctx, add)
	}
	return out, err
}

// changeModels is ChangeModels's transaction in three round trips, one step each: plan the change
// from the request's links, read without a lock to know what to lock; take the locks and send
// every check's read behind them (readModelsUnderLocks), and judge the answers; write the change, its
// audit row and the answer's reads with the COMMIT (write).
func (s *Service) changeModels(ctx context.Context, tx pgx.Tx, actor domain.Actor, requestID int32, in ModelsChange, add, remove []int32) (Request, error) {
	plan, err := planChange(ctx, tx, requestID, in, add, remove)
	if err != nil {
		return Request{}, err
	}
	var e modelEdit
	if err := s.readModelsUnderLocks(ctx, tx, plan, &e); err != nil {
		return Request{}, err
	}
	if err := e.judge(plan); err != nil {
		if domain.CodeOf(err) == domain.CodeValidationConflict {
			s.metrics.ValidationConflicts.WithLabelValues(e.request.ValidationType).Inc()
		}
		return Request{}, err
	}
	return plan.write(ctx, tx, actor)
}

// modelsPlan is a model change as planned before any lock: the request's links as first read,
// the models after the change (ascending: the lock order), and the versions to link, to unlink
// (those of removed models) and so to lock.
type modelsPlan struct {
	requestID int32
	// validationType is the request's, read with its links (it never changes).
	validationType string
	in             ModelsChange
	add, remove    []int32
	before         []gen.ValidationRequestModelLinksRow
	after          []int32
	unlink         []int32
	linkVersions   []int32
	lockVersions   []int32
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
	linkVersions := listedVersions(in.ModelVersions)
	return &modelsPlan{
		requestID: requestID, validationType: before[0].ValidationType, in: in, add: add, remove: remove, before: before, after: after, unlink: unlink,
		linkVersions: linkVersions, lockVersions: sortedIDs(append(slices.Clone(linkVersions), unlink...)),
	}, nil
}

// readModelsUnderLocks sends, in one pipeline, the validation locks of every model after the change
// (ascending), the row locks of the versions linked or unlinked, the request's row lock, and then
// the reads the judgement needs, which the server runs under all of them: the links again, and
// for added models their names, the requests blocking them (unless TARGETED), their approved
// validations (INITIAL only), the assigned validators not independent of them, and the versions
// to link. Its time is observed as the
// lock wait.
func (s *Service) readModelsUnderLocks(ctx context.Context, tx pgx.Tx, plan *modelsPlan, e *modelEdit) error {
	requestID, add := plan.requestID, plan.add
	p := &pgtx.Pipeline{}
	start := time.Now()
	if !s.skipModelLocks {
		for _, id := range plan.after {
			queueModelLock(ctx, p, id)
		}
	}
	if len(plan.lockVersions) > 0 {
		p.Exec(func(q *gen.Queries) error { return q.ValidationVersionsLockForEdit(ctx, plan.lockVersions) }, pgtx.Wrap("lock versions"))
	}
	s.queueRequestLock(ctx, p, requestID, &e.request)
	pgtx.Many(p, &e.links, func(q *gen.Queries) ([]gen.ValidationRequestModelLinksRow, error) {
		return q.ValidationRequestModelLinks(ctx, requestID)
	}, pgtx.Wrap("read request models"))
	if len(add) > 0 {
		pgtx.Many(p, &e.models, func(q *gen.Queries) ([]gen.ValidationModelsByIDsRow, error) {
			return q.ValidationModelsByIDs(ctx, add)
		}, pgtx.Wrap("find models"))
		// Only the reads the request's type is judged by (judge), as Create does.
		if plan.validationType != TypeTargeted {
			pgtx.Many(p, &e.active, func(q *gen.Queries) ([]gen.ValidationConflictsForModelsRow, error) {
				return q.ValidationConflictsForModels(ctx, add)
			}, pgtx.Wrap("check validation conflicts"))
		}
		if plan.validationType == TypeInitial {
			pgtx.Many(p, &e.approved, func(q *gen.Queries) ([]gen.ValidationApprovedForModelsRow, error) {
				return q.ValidationApprovedForModels(ctx, add)
			}, pgtx.Wrap("check approved validations"))
		}
		pgtx.Many(p, &e.notFreeOf, func(q *gen.Queries) ([]gen.ValidationAssignmentsIndependenceOfModelsRow, error) {
			return q.ValidationAssignmentsIndependenceOfModels(ctx, gen.ValidationAssignmentsIndependenceOfModelsParams{RequestID: requestID, ModelIds: add})
		}, pgtx.Wrap("check independence"))
	}
	if len(plan.linkVersions) > 0 {
		pgtx.Many(p, &e.versions, func(q *gen.Queries) ([]gen.ValidationVersionsByIDsRow, error) {
			return q.ValidationVersionsByIDs(ctx, plan.linkVersions)
		}, pgtx.Wrap("find versions"))
	}
	err := p.Send(ctx, tx)
	if !s.skipModelLocks {
		s.metrics.LockWait.Observe(time.Since(start).Seconds())
	}
	return err
}

// write sends, in one pipeline with the COMMIT, the unlinks and links (models in ascending order,
// then versions), the request's updated_at, the audit row and the answer's reads.
func (plan *modelsPlan) write(ctx context.Context, tx pgx.Tx, actor domain.Actor) (Request, error) {
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
	if len(plan.linkVersions) > 0 {
		w.Exec(func(q *gen.Queries) error {
			return q.ValidationRequestVersionsLink(ctx, gen.ValidationRequestVersionsLinkParams{RequestID: &requestID, VersionIds: plan.linkVersions})
		}, pgtx.Wrap("link versions"))
	}
	w.Exec(func(q *gen.Queries) error { return q.ValidationRequestTouch(ctx, requestID) }, pgtx.Wrap("touch validation request"))
	err := audit.Queue(ctx, w, audit.Entry{
		EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: "VALIDATION_MODELS_CHANGED",
		UserID: audit.By(actor.UserID),
		Changes: map[string]any{
			"added": add, "removed": remove, "version_ids": plan.linkVersions, "unlinked_version_ids": plan.unlink, "model_ids": plan.after,
		},
	})
	if err != nil {
		return Request{}, err
	}
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

// judge checks, under the locks, the planned change: the request is open and its links are still
// those the plan was made from; added models exist, no other request blocks them, an INITIAL
// request gets no approved model, no assigned validator is involved with them, and the versions
// fit.
func (e *modelEdit) judge(plan *modelsPlan) error {
	requestID, in, add := plan.requestID, plan.in, plan.add
	if IsClosed(e.request.Status) {
		return closedError(requestID, e.request.Status)
	}
	if !sameLinks(plan.before, e.links) {
		// Another change of the same request committed between the unlocked read and the locks:
		// the locks taken may not be the ones the request now needs.
		return domain.Errorf(domain.CodeConflict, "the models of validation request %d changed during this call; retry", requestID)
	}
	if len(add) == 0 {
		return nil
	}
	found := make(map[int32]bool, len(e.models))
	for _, m := range e.models {
		found[m.ModelID] = true
	}
	if missing := domain.MissingIDs(add, func(id int32) bool { return found[id] }); len(missing) > 0 {
		return domain.NotFoundIDs("models", "add", missing)
	}
	if e.request.ValidationType != TypeTargeted {
		if conflicts := groupConflicts(convertRows(e.active), false); len(conflicts) > 0 {
			return conflictError(conflicts, blockedByActive)
		}
	}
	if e.request.ValidationType == TypeInitial {
		if approved := groupConflicts(convertRows(e.approved), true); len(approved) > 0 {
			return conflictError(approved, blockedByApproved)
		}
	}
	if len(e.notFreeOf) > 0 {
		n := e.notFreeOf[0]
		return domain.Errorf(domain.CodeNotIndependent,
			"validator %d, assigned to validation request %d, owns or delegates for model %d", n.ValidatorID, requestID, n.ModelID)
	}
	if e.request.ValidationType == TypeChange {
		var c domain.Check
		for _, m := range add {
			if _, ok := in.ModelVersions[m]; !ok {
				c.Add("model_versions", "a CHANGE validation needs a version for every model; model %d has none", m)
			}
		}
		if err := c.Err(); err != nil {
			return err
		}
	}
	return checkVersions(in.ModelVersions, listedVersions(in.ModelVersions), e.versions)
}

// sameLinks reports whether two reads of a request's model links agree.
func sameLinks(a, b []gen.ValidationRequestModelLinksRow) bool {
	return slices.EqualFunc(a, b, func(x, y gen.ValidationRequestModelLinksRow) bool {
		return x.ModelID == y.ModelID && (x.VersionID == nil) == (y.VersionID == nil) && (x.VersionID == nil || *x.VersionID == *y.VersionID)
	})
}
