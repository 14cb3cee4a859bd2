package deployment_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/validation"
)

const (
	mixedWorkers  = 12
	mixedModels   = 6
	mixedDuration = 2 * time.Second
	// mixedMaxDuration bounds how long the load goes on past mixedDuration while some operation
	// has not succeeded yet: on a loaded machine two seconds may not reach a sign-off or an edit,
	// which only a request in the right status can take.
	mixedMaxDuration = 15 * time.Second
)

// The operations of the mixed load, as counter labels.
const (
	opValidationCreate = "validation.Create"
	opChangeStatus     = "validation.ChangeStatus"
	opAssign           = "validation.Assign"
	opOutcome          = "validation.CreateOutcome"
	opSignOff          = "validation.SignOff"
	opChangeModels     = "validation.ChangeModels"
	opUpdateRequest    = "validation.UpdateRequest"
	opDecide           = "validation.Decide"
	opCreateDeployment = "deployment.CreateDeployments"
	opBulkConfirm      = "deployment.BulkConfirm"
	opBulkAdjust       = "deployment.BulkAdjust"
)

var mixedOps = []string{
	opValidationCreate, opChangeStatus, opAssign, opOutcome, opSignOff, opChangeModels, opUpdateRequest,
	opDecide, opCreateDeployment, opBulkConfirm, opBulkAdjust,
}

// expectedCodes are the domain errors a call of the mixed load may answer: they are the workflow
// refusing a request that lost a race (or asked for something no longer possible), never a fault.
var expectedCodes = map[domain.Code]bool{
	domain.CodeConflict:           true,
	domain.CodeValidationConflict: true,
	domain.CodeInvalidTransition:  true,
	domain.CodeInvalidStatus:      true,
	domain.CodeNotFound:           true,
	domain.CodeGateNotMet:         true,
	// A confirmation sets a version's actual production date; a request created or changed
	// afterwards to cover it with a later target date is refused (docs/rules.md).
	domain.CodeTargetAfterImplementation: true,
}

// forwardStatus is the next step toward APPROVED from each active status. APPROVED by hand is
// refused by its gate (use_approvals) under the request's row lock; the approvers' decisions
// (operation k) are the way there.
var forwardStatus = map[string]string{
	validation.StatusIntake:          validation.StatusPlanning,
	validation.StatusPlanning:        validation.StatusInProgress,
	validation.StatusInProgress:      validation.StatusReview,
	validation.StatusReview:          validation.StatusPendingApproval,
	validation.StatusPendingApproval: validation.StatusApproved,
	validation.StatusRevision:        validation.StatusPendingApproval,
	validation.StatusOnHold:          validation.StatusInProgress,
}

// mixedLoad is the shared state and the tally of one run.
type mixedLoad struct {
	mu          sync.Mutex
	taskIDs     []int32
	requests    map[int32]string // request id -> last status this test saw
	requestIDs  []int32
	successes   map[string]int
	refusals    map[string]map[domain.Code]int
	invalidReqs []string
	unexpected  []string
	deadlocks   int
	backstops   int
	bulkFails   map[string]map[domain.Code]int
	dbErrors    []string
	confirmedBy map[int32]int                   // task id -> how many committed confirm calls listed it as succeeded
	reviewers   map[int32]validation.Assignment // request id -> its latest reviewer assignment
}

func (l *mixedLoad) setReviewer(a validation.Assignment) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reviewers[a.RequestID] = a
}

// someReviewer picks a reviewer assignment the load made, preferring requests last seen in
// REVIEW, where a sign-off is possible (false when there is none).
func (l *mixedLoad) someReviewer(rng *rand.Rand) (validation.Assignment, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var all, inReview []int32
	for id := range l.reviewers {
		all = append(all, id)
		if l.requests[id] == validation.StatusReview {
			inReview = append(inReview, id)
		}
	}
	if len(inReview) > 0 {
		all = inReview
	}
	if len(all) == 0 {
		return validation.Assignment{}, false
	}
	slices.Sort(all)
	return l.reviewers[all[rng.IntN(len(all))]], true
}

// requestIn picks a request last seen in one of statuses, else any request.
func (l *mixedLoad) requestIn(rng *rand.Rand, statuses ...string) (int32, bool) {
	l.mu.Lock()
	var in []int32
	for _, id := range l.requestIDs {
		if slices.Contains(statuses, l.requests[id]) {
			in = append(in, id)
		}
	}
	l.mu.Unlock()
	if len(in) > 0 {
		return in[rng.IntN(len(in))], true
	}
	id, _, ok := l.someRequest(rng)
	return id, ok
}

func (l *mixedLoad) addTasks(tasks []deployment.Task) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, t := range tasks {
		l.taskIDs = append(l.taskIDs, t.TaskID)
	}
}

// someTasks returns 1 to max distinct known task ids in random order (nil when none is known).
func (l *mixedLoad) someTasks(rng *rand.Rand, max int) []int32 {
	l.mu.Lock()
	ids := slices.Clone(l.taskIDs)
	l.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
	return ids[:1+rng.IntN(min(max, len(ids)))]
}

func (l *mixedLoad) setStatus(id int32, status string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, known := l.requests[id]; !known {
		l.requestIDs = append(l.requestIDs, id)
	}
	l.requests[id] = status
}

// someRequest picks a request, preferring the ones this test last saw active.
func (l *mixedLoad) someRequest(rng *rand.Rand) (int32, string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.requestIDs) == 0 {
		return 0, "", false
	}
	var active []int32
	for _, id := range l.requestIDs {
		if !validation.IsClosed(l.requests[id]) {
			active = append(active, id)
		}
	}
	pool := l.requestIDs
	if len(active) > 0 && rng.IntN(10) < 9 {
		pool = active
	}
	id := pool[rng.IntN(len(pool))]
	return id, l.requests[id], true
}

// record classifies the answer of one call.
// stopWhenExercised sets stopped once the load has run mixedDuration since began and every
// operation of mixedOps has succeeded at least once (the workers also stop at mixedMaxDuration).
func (l *mixedLoad) stopWhenExercised(began time.Time, stopped *atomic.Bool) {
	go func() {
		time.Sleep(mixedDuration - time.Since(began))
		for !stopped.Load() && time.Since(began) < mixedMaxDuration {
			l.mu.Lock()
			all := true
			for _, op := range mixedOps {
				all = all && l.successes[op] > 0
			}
			l.mu.Unlock()
			if all {
				stopped.Store(true)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
}

func (l *mixedLoad) record(op string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil {
		l.successes[op]++
		return
	}
	if validation.IsBackstop(err) {
		l.backstops++
	}
	var de *domain.Error
	switch {
	case pgtx.IsSQLState(err, pgtx.DeadlockDetected):
		l.deadlocks++
		l.unexpected = append(l.unexpected, fmt.Sprintf("%s: DEADLOCK: %v", op, err))
	case !errors.As(err, &de):
		l.unexpected = append(l.unexpected, fmt.Sprintf("%s: internal error (would be 500): %v", op, err))
	case de.Code == domain.CodeInvalidRequest:
		l.invalidReqs = append(l.invalidReqs, fmt.Sprintf("%s: %v %+v", op, err, de.Fields))
	case expectedCodes[de.Code]:
		if l.refusals[op] == nil {
			l.refusals[op] = map[domain.Code]int{}
		}
		l.refusals[op][de.Code]++
	default:
		l.unexpected = append(l.unexpected, fmt.Sprintf("%s: unexpected code %s: %v", op, de.Code, err))
	}
}

// recordBulk tallies the per-task failures of a committed bulk call.
func (l *mixedLoad) recordBulk(op string, res deployment.BulkResult) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bulkFails[op] == nil {
		l.bulkFails[op] = map[domain.Code]int{}
	}
	for _, fl := range res.Failed {
		l.bulkFails[op][fl.Code]++
		if fl.Code == deployment.CodeDBError {
			l.dbErrors = append(l.dbErrors, fmt.Sprintf("%s task %d: %s", op, fl.TaskID, fl.Message))
		}
	}
	if op == opBulkConfirm {
		for _, id := range res.Succeeded {
			l.confirmedBy[id]++
		}
	}
}

// TestMixedWorkflowNeverDeadlocks runs every workflow operation at once — validation creates,
// status changes (approvals take the model advisory locks, then the request row), assignments,
// outcomes and sign-offs (the request row, then its assignments or outcome), model changes (the
// models' advisory locks, the versions, then the request row), request edits, approval decisions
// (the models' advisory locks, the request row, then the approval), deployment
// creates (the one-kind trigger locks the version row), bulk confirms (tasks, models, versions,
// validation requests) and bulk adjusts (tasks) — from 12 workers on two pools, as two replicas
// would, for two seconds over a small shared set of models, versions and regions so that the
// calls contend constantly. No call may deadlock (40P01), time out on a lock or fail with
// anything but a workflow refusal, and no bulk task may fail in the database. Afterwards the
// invariants the locks protect still hold.
func TestMixedWorkflowNeverDeadlocks(t *testing.T) {
	t.Parallel()
	f, load := runMixedWorkflow(t, func(*deployment.Service) {})
	if load.deadlocks > 0 {
		t.Errorf("%d calls deadlocked (40P01)", load.deadlocks)
	}
	checkMixedWorkflow(t, f, load)
}

// Negative control: with the deployment services locking tasks in the order each call lists them
// (LockInCallerOrder) the same load deadlocks, so the test above can see a deadlock when there
// is one.
func TestMixedWorkflowDeadlocksWithoutLockOrder(t *testing.T) {
	t.Parallel()
	if _, load := runMixedWorkflow(t, deployment.LockInCallerOrder); load.deadlocks == 0 {
		t.Fatal("no deadlock without the task lock order: the soak could not catch one")
	}
}

// runMixedWorkflow builds the shared models, versions and regions, runs the load with the
// deployment services adjusted by tweak, logs what happened and returns it.
func runMixedWorkflow(t *testing.T, tweak func(*deployment.Service)) (*fixture, *mixedLoad) {
	t.Helper()
	f := newFixture(t, pgtx.Limits{})
	owner := f.user(domain.RoleUser)
	admin := f.admin()
	regions := []int32{f.region(false), f.region(true), f.region(false)}
	models := make([]int32, mixedModels)
	versions := map[int32][]int32{}
	for i := range models {
		models[i] = f.model(owner, regions...)
		versions[models[i]] = []int32{f.version(models[i], 0), f.version(models[i], 0)}
	}
	load := &mixedLoad{
		requests:    map[int32]string{},
		successes:   map[string]int{},
		refusals:    map[string]map[domain.Code]int{},
		bulkFails:   map[string]map[domain.Code]int{},
		confirmedBy: map[int32]int{},
		reviewers:   map[int32]validation.Assignment{},
	}
	// Validators independent of every request: the ADMIN requests them, owner owns the models.
	staff := []domain.Actor{f.user(domain.RoleValidator), f.user(domain.RoleValidator), f.user(domain.RoleValidator), f.user(domain.RoleValidator)}
	// A few tasks exist from the start, so the bulk calls have work at once.
	for _, m := range models[:3] {
		load.addTasks(f.tasks(versions[m][0], &regions[0], &regions[1], &regions[2]))
	}
	seeded := len(load.taskIDs)
	// A few TARGETED requests wait in REVIEW with a reviewer, so sign-offs have work at once.
	for _, m := range models[:3] {
		vs := validation.NewService(f.db.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, nil)
		r, err := vs.Create(f.ctx, admin, validation.CreateInput{
			ModelIDs: []int32{m}, ValidationType: validation.TypeTargeted, Priority: validation.PriorityLow, TargetCompletionDate: ptr(date("2027-03-31")),
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		id := r.Value.RequestID
		for i, reviewer := range []bool{false, true} {
			primary := !reviewer
			a, err := vs.Assign(f.ctx, admin, id, validation.AssignInput{
				ValidatorID: staff[i].UserID, IsPrimary: &primary, IsReviewer: reviewer, IndependenceAttestation: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			if reviewer {
				load.setReviewer(a)
			}
		}
		for _, st := range []string{validation.StatusInProgress, validation.StatusReview} {
			if _, err := vs.ChangeStatus(f.ctx, admin, id, st, "seeded for the load"); err != nil {
				t.Fatal(err)
			}
		}
		load.setStatus(id, validation.StatusReview)
	}

	// A few TARGETED requests wait in PENDING_APPROVAL (their round: GLOBAL, and REGIONAL for the
	// region that requires approval), so decisions have work at once. approver is an ADMIN
	// independent of every request.
	approver := f.user(domain.RoleAdmin)
	for _, m := range models[3:] {
		vs := validation.NewService(f.db.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, nil)
		r, err := vs.Create(f.ctx, admin, validation.CreateInput{
			ModelIDs: []int32{m}, ValidationType: validation.TypeTargeted, Priority: validation.PriorityLow, TargetCompletionDate: ptr(date("2027-03-31")),
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		id := r.Value.RequestID
		primary := true
		if _, err := vs.Assign(f.ctx, admin, id, validation.AssignInput{ValidatorID: staff[0].UserID, IsPrimary: &primary, IndependenceAttestation: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := vs.ChangeStatus(f.ctx, admin, id, validation.StatusInProgress, "seeded for the load"); err != nil {
			t.Fatal(err)
		}
		rating, summary := validation.RatingPass, "Fit for purpose."
		if _, err := vs.CreateOutcome(f.ctx, admin, id, validation.OutcomeInput{OverallRating: &rating, ExecutiveSummary: &summary, EffectiveDate: ptr(date("2027-01-01"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := vs.ChangeStatus(f.ctx, admin, id, validation.StatusPendingApproval, "seeded for the load"); err != nil {
			t.Fatal(err)
		}
		load.setStatus(id, validation.StatusPendingApproval)
	}

	second := f.secondPool()
	validators := []*validation.Service{
		validation.NewService(f.db.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, metrics.New()),
		validation.NewService(second, pgtx.Limits{LockTimeout: 5 * time.Second}, metrics.New()),
	}
	deployers := []*deployment.Service{
		deployment.NewService(f.db.Pool, pgtx.Limits{}, metrics.New()),
		deployment.NewService(second, pgtx.Limits{}, metrics.New()),
	}
	for _, d := range deployers {
		tweak(d)
	}
	transitions := validation.Transitions()
	allStatuses := make([]string, 0, len(transitions))
	for s := range transitions {
		allStatuses = append(allStatuses, s)
	}
	sort.Strings(allStatuses)
	target := date("2027-03-31")
	confirm := confirmIn()
	confirm.ValidationOverrideReason = "interim use approved by the model risk committee"

	// Bounds a call that would hang (it then fails as an internal error, not silently).
	ctx, cancel := context.WithTimeout(f.ctx, 30*time.Second)
	defer cancel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)

	start := make(chan struct{})
	var stop time.Time
	var stopped atomic.Bool
	var wg sync.WaitGroup
	for w := range mixedWorkers {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		wg.Go(func() {
			<-start
			for time.Now().Before(stop) && !stopped.Load() {
				vs := validators[rng.IntN(len(validators))]
				ds := deployers[rng.IntN(len(deployers))]
				switch k := rng.IntN(100); {
				case k < 14: // (a) open a validation request of 1-2 models
					picked := slices.Clone(models)
					rng.Shuffle(len(picked), func(a, b int) { picked[a], picked[b] = picked[b], picked[a] })
					picked = picked[:1+rng.IntN(2)]
					in := validation.CreateInput{
						ModelIDs: picked, Priority: validation.PriorityMedium, TargetCompletionDate: &target,
					}
					switch rng.IntN(3) {
					case 0:
						in.ValidationType = validation.TypeChange
					case 1:
						in.ValidationType = validation.TypeTargeted
					default:
						in.ValidationType = validation.TypeComprehensive
					}
					if in.ValidationType == validation.TypeChange || rng.IntN(2) == 0 {
						in.ModelVersions = map[int32]int32{}
						for _, m := range picked {
							in.ModelVersions[m] = versions[m][rng.IntN(2)]
						}
					}
					for _, r := range regions {
						if rng.IntN(2) == 0 {
							in.RegionIDs = append(in.RegionIDs, r)
						}
					}
					res, err := vs.Create(ctx, admin, in, nil)
					if err == nil {
						load.setStatus(res.Value.RequestID, res.Value.Status)
					}
					load.record(opValidationCreate, err)
				case k < 30: // (b) move a request along the workflow, toward APPROVED most often
					id, cur, ok := load.someRequest(rng)
					if !ok {
						continue
					}
					next, forward := forwardStatus[cur]
					if allowed := transitions[cur]; !forward || rng.IntN(4) == 0 {
						if len(allowed) > 0 {
							next = allowed[rng.IntN(len(allowed))]
						} else {
							next = allStatuses[rng.IntN(len(allStatuses))]
						}
					}
					r, err := vs.ChangeStatus(ctx, admin, id, next, "mixed workload step")
					var de *domain.Error
					switch {
					case err == nil:
						load.setStatus(id, r.Status)
					case errors.As(err, &de) && de.Code == domain.CodeInvalidTransition:
						if s, ok := de.Extra["current_status"].(string); ok {
							load.setStatus(id, s)
						}
					}
					load.record(opChangeStatus, err)
				case k < 34: // (k) an independent approver decides one of its pending approvals
					items, _, err := vs.ListApprovals(ctx, approver, validation.ApprovalFilter{Mine: true}, domain.Page{Limit: 20})
					if err != nil || len(items) == 0 {
						if err != nil {
							load.record(opDecide, err)
						}
						continue
					}
					in := validation.DecisionInput{Decision: validation.ApprovalApproved}
					if rng.IntN(5) == 0 {
						in = validation.DecisionInput{Decision: validation.ApprovalSentBack, Comments: "rework the back-testing"}
					}
					_, err = vs.Decide(ctx, approver, items[rng.IntN(len(items))].ApprovalID, in)
					load.record(opDecide, err)
				case k < 40: // (f) assign a validator, often as primary, sometimes as reviewer
					id, _, ok := load.someRequest(rng)
					if !ok {
						continue
					}
					primary, reviewer := rng.IntN(2) == 0, false
					if !primary {
						reviewer = rng.IntN(2) == 0
					}
					a, err := vs.Assign(ctx, admin, id, validation.AssignInput{
						ValidatorID: staff[rng.IntN(len(staff))].UserID, IsPrimary: &primary, IsReviewer: reviewer, IndependenceAttestation: true,
					})
					if err == nil && reviewer {
						load.setReviewer(a)
					}
					load.record(opAssign, err)
				case k < 44: // (g) record the outcome
					id, ok := load.requestIn(rng, validation.StatusInProgress, validation.StatusReview)
					if !ok {
						continue
					}
					rating, summary := validation.RatingPass, "Fit for purpose."
					_, err := vs.CreateOutcome(ctx, admin, id, validation.OutcomeInput{
						OverallRating: &rating, ExecutiveSummary: &summary, EffectiveDate: &target,
					})
					load.record(opOutcome, err)
				case k < 50: // (i) add a model (at one of its versions) to a request, or remove one
					id, _, ok := load.someRequest(rng)
					if !ok {
						continue
					}
					m := models[rng.IntN(len(models))]
					var in validation.ModelsChange
					if rng.IntN(2) == 0 {
						in = validation.ModelsChange{Add: []int32{m}, ModelVersions: map[int32]int32{m: versions[m][rng.IntN(2)]}}
					} else {
						in = validation.ModelsChange{Remove: []int32{m}}
					}
					_, err := vs.ChangeModels(ctx, admin, id, in)
					load.record(opChangeModels, err)
				case k < 54: // (j) edit a request's fields and regions
					id, _, ok := load.someRequest(rng)
					if !ok {
						continue
					}
					high := validation.PriorityHigh
					rs := regions[:rng.IntN(len(regions)+1)]
					_, err := vs.UpdateRequest(ctx, admin, id, validation.RequestChange{Priority: &high, RegionIDs: &rs})
					load.record(opUpdateRequest, err)
				case k < 58: // (h) the reviewer signs off
					a, ok := load.someReviewer(rng)
					if !ok {
						continue
					}
					_, err := vs.SignOff(ctx, domain.Actor{UserID: a.ValidatorID, Role: domain.RoleValidator}, a.AssignmentID, "")
					load.record(opSignOff, err)
				case k < 68: // (c) plan deployments of a version: 1-3 regions, sometimes global
					m := models[rng.IntN(len(models))]
					v := versions[m][rng.IntN(2)]
					var targets []deployment.Target
					if rng.IntN(6) == 0 {
						targets = []deployment.Target{{PlannedProductionDate: date("2026-12-01")}}
					} else {
						rs := slices.Clone(regions)
						rng.Shuffle(len(rs), func(a, b int) { rs[a], rs[b] = rs[b], rs[a] })
						for _, r := range rs[:1+rng.IntN(len(rs))] {
							targets = append(targets, deployment.Target{RegionID: ptr(r), PlannedProductionDate: date("2026-12-01")})
						}
					}
					actor := admin
					if rng.IntN(2) == 0 {
						actor = owner
					}
					res, err := ds.CreateDeployments(ctx, actor, v, targets, nil)
					if err == nil {
						load.addTasks(res.Value.Tasks)
					}
					load.record(opCreateDeployment, err)
				case k < 84: // (d) confirm 1-20 known tasks, overriding unapproved validations
					ids := load.someTasks(rng, 20)
					if ids == nil {
						continue
					}
					res, err := ds.BulkConfirm(ctx, admin, ids, confirm, nil)
					if err == nil {
						load.recordBulk(opBulkConfirm, res.Value)
					}
					load.record(opBulkConfirm, err)
				default: // (e) adjust 1-20 known tasks
					ids := load.someTasks(rng, 20)
					if ids == nil {
						continue
					}
					in := deployment.AdjustInput{PlannedProductionDate: date("2027-01-15"), AdjustmentReason: "vendor slip"}
					res, err := ds.BulkAdjust(ctx, admin, ids, in, nil)
					if err == nil {
						load.recordBulk(opBulkAdjust, res.Value)
					}
					load.record(opBulkAdjust, err)
				}
			}
		})
	}
	began := time.Now()
	stop = began.Add(mixedMaxDuration)
	close(start)
	load.stopWhenExercised(began, &stopped)
	wg.Wait()
	t.Logf("ran %v with %d workers; %d seeded tasks, %d tasks known at the end, %d requests created",
		time.Since(began).Round(time.Millisecond), mixedWorkers, seeded, len(load.taskIDs), len(load.requestIDs))

	for _, op := range mixedOps {
		t.Logf("%-30s ok %5d  refused %v  bulk task failures %v", op, load.successes[op], load.refusals[op], load.bulkFails[op])
	}
	var approved int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM validation_requests WHERE status = 'APPROVED'`).Scan(&approved); err != nil {
		t.Fatal(err)
	}
	t.Logf("requests approved: %d, invalid_request answers: %d, backstop conflicts: %d",
		approved, len(load.invalidReqs), load.backstops)
	for _, s := range load.invalidReqs[:min(5, len(load.invalidReqs))] {
		t.Logf("invalid_request: %s", s)
	}
	return f, load
}

// checkMixedWorkflow fails t on any unexpected error of the load and checks the invariants the
// locks protect.
func checkMixedWorkflow(t *testing.T, f *fixture, load *mixedLoad) {
	t.Helper()
	for i, s := range load.unexpected {
		if i == 20 {
			t.Errorf("... and %d more unexpected errors", len(load.unexpected)-20)
			break
		}
		t.Errorf("%s", s)
	}
	for i, s := range load.dbErrors {
		if i == 20 {
			t.Errorf("... and %d more db_error task failures", len(load.dbErrors)-20)
			break
		}
		t.Errorf("db_error: %s", s)
	}
	for _, op := range mixedOps {
		if load.successes[op] == 0 {
			t.Errorf("%s never succeeded: the load did not exercise it", op)
		}
	}

	// Invariants.
	var doubleBlocked []int32
	rows, err := f.db.Pool.Query(f.ctx, `SELECT model_id FROM validation_request_models
		WHERE blocks_model GROUP BY model_id HAVING count(*) > 1 ORDER BY model_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int32
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		doubleBlocked = append(doubleBlocked, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(doubleBlocked) > 0 {
		t.Errorf("models %v are blocked by two active non-targeted validation requests", doubleBlocked)
	}
	var ungated int
	err = f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM validation_requests vr
		WHERE vr.status IN ('PLANNING', 'IN_PROGRESS', 'REVIEW', 'PENDING_APPROVAL')
		  AND NOT EXISTS (SELECT 1 FROM validation_assignments a WHERE a.request_id = vr.request_id AND a.is_primary)`).Scan(&ungated)
	if err != nil {
		t.Fatal(err)
	}
	if ungated != 0 {
		t.Errorf("%d requests are past INTAKE without a primary validator", ungated)
	}
	// Approvals: every APPROVED request was moved there once, and every request awaiting approval
	// still has something pending (none stalled with its whole round decided).
	var approvedTwice, stalled int
	err = f.db.Pool.QueryRow(f.ctx, `SELECT
		(SELECT count(*) FROM validation_requests vr WHERE vr.status = 'APPROVED' AND (
			SELECT count(*) FROM validation_status_history h WHERE h.request_id = vr.request_id AND h.to_status = 'APPROVED') <> 1),
		(SELECT count(*) FROM validation_requests vr WHERE vr.status = 'PENDING_APPROVAL' AND NOT EXISTS (
			SELECT 1 FROM validation_approvals a
			WHERE a.request_id = vr.request_id AND a.status = 'PENDING' AND a.approval_type <> 'DEPLOYMENT'))`).Scan(&approvedTwice, &stalled)
	if err != nil {
		t.Fatal(err)
	}
	if approvedTwice != 0 || stalled != 0 {
		t.Errorf("%d APPROVED requests without exactly one move there, %d PENDING_APPROVAL requests with nothing pending", approvedTwice, stalled)
	}
	var unsigned, bothKinds, confirmed, confirmAudits, tasks int
	err = f.db.Pool.QueryRow(f.ctx, `SELECT
		(SELECT count(*) FROM version_deployment_tasks WHERE status = 'CONFIRMED' AND confirmed_by_id IS NULL),
		(SELECT count(*) FROM (SELECT version_id FROM version_deployment_tasks GROUP BY version_id
			HAVING bool_or(region_id IS NULL) AND bool_or(region_id IS NOT NULL)) mixed),
		(SELECT count(*) FROM version_deployment_tasks WHERE status = 'CONFIRMED'),
		(SELECT count(*) FROM audit_logs WHERE action = 'DEPLOYMENT_CONFIRMED'),
		(SELECT count(*) FROM version_deployment_tasks)`).Scan(&unsigned, &bothKinds, &confirmed, &confirmAudits, &tasks)
	if err != nil {
		t.Fatal(err)
	}
	if unsigned != 0 {
		t.Errorf("%d CONFIRMED tasks have no confirmed_by_id", unsigned)
	}
	if bothKinds != 0 {
		t.Errorf("%d versions have both a global task and regional tasks", bothKinds)
	}
	if tasks != len(load.taskIDs) {
		t.Errorf("%d task rows, but the creates that succeeded returned %d tasks", tasks, len(load.taskIDs))
	}
	var twice []string
	for id, n := range load.confirmedBy {
		if n != 1 {
			twice = append(twice, fmt.Sprintf("%d (%d times)", id, n))
		}
	}
	if len(twice) > 0 {
		t.Errorf("tasks confirmed by more than one call: %s", strings.Join(twice, ", "))
	}
	if confirmed != len(load.confirmedBy) || confirmAudits != confirmed {
		t.Errorf("%d CONFIRMED tasks, %d confirm audit rows, %d tasks reported confirmed by committed calls: want all equal",
			confirmed, confirmAudits, len(load.confirmedBy))
	}
}
