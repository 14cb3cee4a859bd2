package validation

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// admission is the one admission step of models entering a validation request, shared by Create
// and ChangeModels (docs/rules.md, "One admission step"): lock every model the request will
// cover, in ascending id order; read under those locks what the rules need to know about the
// models entering it; judge. Two copies of these steps drifted once; there is now one.
type admission struct {
	validationType string
	// lock is every model of the request after the call: the validation locks taken, in this
	// order (ascending, lock.go). admit is the models entering the request, ascending: the ones
	// judged.
	lock, admit []int32
	// versions maps an admitted model to the version the request will cover; versionIDs lists
	// those versions, sorted.
	versions   map[int32]int32
	versionIDs []int32
	// The request's regions, which every admitted model must run in: regionIDs for a new
	// request, the regions of request regionsOf (read under its row lock) for a change.
	regionIDs []int32
	regionsOf int32
	// dryRun is set for a check that refuses nothing (Check): its conflicts are not counted in
	// the conflict metric.
	dryRun bool

	// What the reads answered, once the pipeline is sent.
	models   []gen.ValidationModelsByIDsRow
	active   []gen.ValidationConflictsForModelsRow
	approved []gen.ValidationApprovedForModelsRow
	found    []gen.ValidationVersionsByIDsRow
	gaps     []gen.ValidationRegionScopeGapsRow
}

// newAdmission prepares the admission of models admit (ascending) into a request of type
// validationType that will cover the models lock (ascending), with versions for some of them.
func newAdmission(validationType string, lock, admit []int32, versions map[int32]int32) *admission {
	return &admission{validationType: validationType, lock: lock, admit: admit, versions: versions, versionIDs: listedVersions(versions)}
}

// lockModels queues the validation lock of every model in ids, in the given order, into p (new,
// or holding what must run before the locks: a create's authentication) and returns it, for the
// caller to queue what must run under the locks behind them.
// The test-only switches (export_test.go) leave the locks out, or send each in its own round
// trip to widen the window between two of them.
func (s *Service) lockModels(ctx context.Context, tx pgx.Tx, p *pgtx.Pipeline, ids []int32) (*pgtx.Pipeline, error) {
	if s.controls.skipModelLocks {
		return p, nil
	}
	for _, id := range ids {
		pgtx.QueueModelLock(ctx, p, id)
		if s.controls.lockOneByOne {
			if err := p.Send(ctx, tx); err != nil {
				return nil, err
			}
			p = &pgtx.Pipeline{}
		}
	}
	return p, nil
}

// sendLocked sends p, which starts with the model locks, and observes the time since start as
// the lock wait: the reads behind the locks take a fraction of a millisecond.
func (s *Service) sendLocked(ctx context.Context, tx pgx.Tx, p *pgtx.Pipeline, start time.Time) error {
	err := p.Send(ctx, tx)
	if !s.controls.skipModelLocks {
		s.metrics.LockWait.Observe(time.Since(start).Seconds())
	}
	return err
}

// queueReads queues, behind the locks, the reads the admission is judged by: the admitted
// models, the active non-targeted requests on them (unless the request is TARGETED, which
// overlaps anything), their approved full validations (INITIAL only), the versions to cover, and
// the (model, region) pairs of the scope where a model does not run. Nothing when no model enters.
func (a *admission) queueReads(ctx context.Context, p *pgtx.Pipeline) {
	if len(a.admit) == 0 {
		return
	}
	pgtx.Many(p, &a.models, func(q *gen.Queries) ([]gen.ValidationModelsByIDsRow, error) {
		return q.ValidationModelsByIDs(ctx, a.admit)
	}, pgtx.Wrap("find models"))
	if a.validationType != TypeTargeted {
		pgtx.Many(p, &a.active, func(q *gen.Queries) ([]gen.ValidationConflictsForModelsRow, error) {
			return q.ValidationConflictsForModels(ctx, a.admit)
		}, pgtx.Wrap("check validation conflicts"))
	}
	if a.validationType == TypeInitial {
		pgtx.Many(p, &a.approved, func(q *gen.Queries) ([]gen.ValidationApprovedForModelsRow, error) {
			return q.ValidationApprovedForModels(ctx, a.admit)
		}, pgtx.Wrap("check approved validations"))
	}
	if len(a.versionIDs) > 0 {
		pgtx.Many(p, &a.found, func(q *gen.Queries) ([]gen.ValidationVersionsByIDsRow, error) {
			return q.ValidationVersionsByIDs(ctx, a.versionIDs)
		}, pgtx.Wrap("find versions"))
	}
	if len(a.regionIDs) > 0 || a.regionsOf != 0 {
		queueScopeGaps(ctx, p, gen.ValidationRegionScopeGapsParams{ModelIds: a.admit, RegionIds: a.regionIDs, RegionsOf: a.regionsOf}, &a.gaps)
	}
}

// judge judges the admission by the reads, in the order of DATA-01's steps: every admitted model
// exists (not_found on field); no active non-targeted request covers one of them
// (validation_conflict, counted in the conflict metric); an INITIAL request gets no model with an
// approved full validation; a CHANGE request has a version for every model; the versions exist
// and belong to their models. It returns the admitted models' names. The request-specific rules
// come after, from the caller: region scope (scopeError) and implementation dates (targetError).
func (a *admission) judge(s *Service, field string) (map[int32]string, error) {
	names := make(map[int32]string, len(a.models))
	for _, m := range a.models {
		names[m.ModelID] = m.ModelName
	}
	if missing := domain.MissingIDs(a.admit, func(id int32) bool { _, ok := names[id]; return ok }); len(missing) > 0 {
		return nil, domain.NotFoundIDs("models", field, missing)
	}
	if conflicts := groupConflicts(convertRows(a.active), false); len(conflicts) > 0 {
		if !a.dryRun {
			s.metrics.ValidationConflicts.WithLabelValues(a.validationType).Inc()
		}
		return nil, conflictError(conflicts, blockedByActive)
	}
	if approved := groupConflicts(convertRows(a.approved), true); len(approved) > 0 {
		return nil, conflictError(approved, blockedByApproved)
	}
	if a.validationType == TypeChange {
		var c domain.Check
		needVersions(&c, a.admit, a.versions)
		if err := c.Err(); err != nil {
			return nil, err
		}
	}
	if err := checkVersions(a.versions, a.versionIDs, a.found); err != nil {
		return nil, err
	}
	return names, nil
}

// scopeError refuses the pairs of the scope read where a model does not run in a region of the
// request (docs/rules.md, "Region scope"): invalid_request on field, one error per pair.
func (a *admission) scopeError(field string) error { return scopeError(field, a.gaps) }

// covered returns the versions the admission will cover, with their production dates.
func (a *admission) covered() []coveredVersion {
	out := make([]coveredVersion, len(a.found))
	for i, v := range a.found {
		out[i] = coveredVersion(v)
	}
	return out
}

// needVersions records, for a CHANGE validation, each model of models without a version: a
// CHANGE validation validates a change, so it names the version that carries it.
func needVersions(c *domain.Check, models []int32, versions map[int32]int32) {
	for _, m := range models {
		if _, ok := versions[m]; !ok {
			c.Add("model_versions", "a CHANGE validation needs a version for every model; model %d has none", m)
		}
	}
}

// queueScopeGaps queues the read of the scope pairs where a model does not run in a region.
func queueScopeGaps(ctx context.Context, p *pgtx.Pipeline, params gen.ValidationRegionScopeGapsParams, dst *[]gen.ValidationRegionScopeGapsRow) {
	pgtx.Many(p, dst, func(q *gen.Queries) ([]gen.ValidationRegionScopeGapsRow, error) {
		return q.ValidationRegionScopeGaps(ctx, params)
	}, pgtx.Wrap("check region scope"))
}

// scopeError is the invalid_request naming, under field, each model that does not run in a
// region of its request; nil when there is none.
func scopeError(field string, gaps []gen.ValidationRegionScopeGapsRow) error {
	var c domain.Check
	for _, g := range gaps {
		c.Add(field, "model %d does not run in region %d: a validation request's regions must be regions each of its models runs in", g.ModelID, g.RegionID)
	}
	return c.Err()
}

// coveredVersion is a version a request covers and the day it goes (or went) into production;
// nil when it is not planned yet.
type coveredVersion struct {
	VersionID      int32
	ModelID        int32
	ProductionDate *time.Time
}

// LateVersion is a version whose production date comes before the target completion date of a
// validation covering it, as the target_after_implementation answer lists it.
type LateVersion struct {
	ModelID        int32       `json:"model_id"`
	VersionID      int32       `json:"version_id"`
	ProductionDate domain.Date `json:"production_date"`
}

// targetError refuses a target completion date after the production date of a version the
// request covers (docs/rules.md, "Implementation date"): a validation must be complete before
// the version it validates goes live. 409 target_after_implementation, listing each such version.
func targetError(target time.Time, versions []coveredVersion) error {
	var late []LateVersion
	for _, v := range versions {
		if v.ProductionDate != nil && target.After(*v.ProductionDate) {
			late = append(late, LateVersion{ModelID: v.ModelID, VersionID: v.VersionID, ProductionDate: domain.NewDate(*v.ProductionDate)})
		}
	}
	if len(late) == 0 {
		return nil
	}
	e := domain.Errorf(domain.CodeTargetAfterImplementation,
		"the target completion date %s is after the production date %s of version %d (model %d): a validation must be completed before its version goes into production",
		target.Format(domain.DateLayout), late[0].ProductionDate.Format(domain.DateLayout), late[0].VersionID, late[0].ModelID)
	e.Extra = map[string]any{"versions": late}
	return e
}

// changeableModelsIn and uneditableIn are the statuses that bound changes of a request
// (docs/rules.md, "Changes once work has begun"): its models change only before the work
// starts, and its fields not once it awaits approval or is closed — an approval covers exactly
// what was validated.
var (
	changeableModelsIn = []string{StatusIntake, StatusPlanning}
	uneditableIn       = []string{StatusPendingApproval, StatusApproved, StatusCancelled}
)

// statusRefusal is the invalid_status (409) of a change a request's status does not allow.
func statusRefusal(requestID int32, status, what string) *domain.Error {
	return domain.Errorf(domain.CodeInvalidStatus, "validation request %d is %s: %s", requestID, status, what)
}

// modelsFrozen and editsFrozen say why, for statusRefusal.
var (
	modelsFrozen = fmt.Sprintf("its models change only in %s or %s", StatusIntake, StatusPlanning)
	editsFrozen  = fmt.Sprintf("it cannot be edited in %s, %s or %s", StatusPendingApproval, StatusApproved, StatusCancelled)
)
