package validation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/auth"
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
	// AcknowledgeWarnings lets a request with target-date warnings through (docs/rules.md,
	// "Target-date warnings"); the warnings are then recorded in its audit row.
	AcknowledgeWarnings bool
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
		needVersions(&c, modelIDs, in.ModelVersions)
	}
	return modelIDs, c.Err()
}

// Create opens a validation request (DATA-01). In one READ COMMITTED transaction it bounds lock
// waits, claims the Idempotency-Key (if any), and admits the request's models through the one
// admission step (admission.go): the validation lock of every model one by one in ascending id
// order, then, under the locks, no active non-targeted request may cover any of them, an INITIAL
// one may not be asked for a model with an approved full validation, and the versions must fit;
// its regions must be regions each model runs in, and its target date not after a covered
// version's production date (docs/rules.md). Then it writes the request, its model, region and
// version links, its first history row and its audit row. Anything failing rolls all of it back.
// A request refused by the database backstop is the same validation_conflict (as a
// *BackstopError). VALIDATOR and ADMIN may create.
func (s *Service) Create(ctx context.Context, actor domain.Actor, in CreateInput, key *idempotency.Key) (idempotency.Result[Request], error) {
	if !canWrite(actor) {
		return idempotency.Result[Request]{}, errCreateForbidden
	}
	return s.createTx(ctx, &creator{actor: actor}, in, key)
}

// CreateAuthenticating is Create for a caller whose bearer token is not checked yet, without an
// Idempotency-Key (whose claim needs the user first): the token's check (auth.Grant) goes at
// the head of the transaction's first round trip, before the model locks, and the server runs
// nothing queued behind it for a bad token (unauthenticated) or a role that may not create
// (forbidden). It saves the round trip that authentication takes on its own, on the service's
// most frequent write. It returns the actor the token belongs to once that is known, even when
// the create then fails.
func (s *Service) CreateAuthenticating(ctx context.Context, creds auth.Credentials, in CreateInput) (Request, domain.Actor, error) {
	who := &creator{grant: auth.NewGrant(creds)}
	res, err := s.createTx(ctx, who, in, nil)
	return res.Value, who.caller(), err
}

// creator is who a create acts for: an actor already authenticated, or a token the create
// checks itself (grant, queued with its locks).
type creator struct {
	actor domain.Actor
	grant *auth.Grant
}

// caller is the create's actor: the grant's once its pipeline was sent (the zero Actor if the
// token was refused), else the one authenticated before.
func (c *creator) caller() domain.Actor {
	if c.grant != nil {
		return c.grant.Actor()
	}
	return c.actor
}

var errCreateForbidden = domain.Forbidden("only VALIDATOR and ADMIN users may create validation requests")

func (s *Service) createTx(ctx context.Context, who *creator, in CreateInput, key *idempotency.Key) (idempotency.Result[Request], error) {
	modelIDs, err := in.check()
	if err != nil {
		return idempotency.Result[Request]{}, err
	}
	// Retried when the connection was lost before the COMMIT went out (nothing was written): the
	// first round trip of a create authenticating itself is the request's first statement, which
	// may meet a connection that died idle in the pool.
	res, err := pgtx.WithTxRetryV(ctx, s.transactions(), func(tx pgx.Tx) (idempotency.Result[Request], error) {
		return idempotency.Do(ctx, tx, key, func() (Request, error) {
			// Without a key the writes are the transaction's last statements and carry its
			// COMMIT; with one, the stored answer still has to follow them.
			return s.create(ctx, tx, who, in, modelIDs, key == nil)
		})
	})
	if isBackstopViolation(err) {
		s.metrics.ValidationConflicts.WithLabelValues(in.ValidationType).Inc()
		err = s.backstopConflict(ctx, modelIDs)
	}
	return res, err
}

// create is Create's work inside the transaction, in two round trips (the first also carries
// BEGIN when no Idempotency-Key was claimed) and three steps: the admission (admitCreate) and
// its judgement — the refusals first, then the target-date warnings unless acknowledged; then the
// request with its links, history and audit row, one statement (ValidationRequestCreate), sent
// with the COMMIT when commit is set.
func (s *Service) create(ctx context.Context, tx pgx.Tx, who *creator, in CreateInput, modelIDs []int32, commit bool) (Request, error) {
	c, err := s.admitCreate(ctx, tx, in, modelIDs, false, who.grant)
	if err != nil {
		return Request{}, err
	}
	names, refusals := judgeCreate(s, in, c.admission, c.regions)
	if len(refusals) > 0 {
		return Request{}, refusals[0]
	}
	warnings := c.warnings.list(in.TargetCompletionDate.Time)
	if err := warningsError(warnings, in.AcknowledgeWarnings); err != nil {
		return Request{}, err
	}
	regionIDs := c.admission.regionIDs
	w, err := s.queueWrites(ctx, who.caller(), in, modelIDs, regionIDs, c.admission.versionIDs, names, warnings)
	if err != nil {
		return Request{}, err
	}
	if who.grant != nil {
		who.grant.QueueTouch(ctx, w.pipeline)
	}
	if commit {
		err = w.pipeline.SendAndCommit(ctx, tx)
	} else {
		err = w.pipeline.Send(ctx, tx)
	}
	if err != nil {
		return Request{}, err
	}
	return Request{RequestFields: fromRow(gen.ValidationRequestGetRow(w.row), w.models, regionIDs)}, nil
}

// createAdmission is what the admission of a new request read: the shared admission's reads,
// the region lookup and the target-date warnings' reads.
type createAdmission struct {
	admission *admission
	regions   *region.Lookup
	warnings  *targetWarnings
}

// admitCreate is the admission of a new request (admission.go), shared by create and Check (a
// dryRun, whose conflicts are not counted): the locks, every check's read, the region lookup and
// the reads of the target-date warnings, in one pipeline, which the server runs in order, so each
// read runs under all the locks and sees what earlier holders committed. A grant (a create
// checking its own token: CreateAuthenticating) goes at the pipeline's head, before the locks.
func (s *Service) admitCreate(ctx context.Context, tx pgx.Tx, in CreateInput, modelIDs []int32, dryRun bool, grant *auth.Grant) (*createAdmission, error) {
	a := newAdmission(in.ValidationType, modelIDs, modelIDs, in.ModelVersions)
	a.regionIDs = sortedIDs(in.RegionIDs)
	a.dryRun = dryRun
	if s.controls.lockInGivenOrder {
		a.lock = in.ModelIDs
	}
	start := time.Now()
	p := &pgtx.Pipeline{}
	if grant != nil {
		grant.Queue(ctx, p, domain.MRMRoles, errCreateForbidden)
	}
	p, err := s.lockModels(ctx, tx, p, a.lock)
	if err != nil {
		return nil, err
	}
	a.queueReads(ctx, p)
	c := &createAdmission{admission: a, regions: region.QueueLookup(ctx, p, a.regionIDs)}
	c.warnings = s.queueTargetWarnings(ctx, p, in.TargetCompletionDate.Time, modelIDs, a.versionIDs, 0)
	if err := s.sendLocked(ctx, tx, p, start); err != nil {
		return nil, err
	}
	return c, nil
}

// judgeCreate judges a new request by the reads taken under the locks: the admission of its
// models (DATA-01), then its regions — they exist, and each of its models runs in each of them —
// and last its target date against the production dates of the versions it covers. It returns
// the models' names and every refusal, in this order: a create is refused with the first, Check
// lists them all. The steps read independent answers, so each is judged whatever the others say.
func judgeCreate(s *Service, in CreateInput, a *admission, regions *region.Lookup) (map[int32]string, []error) {
	var refusals []error
	names, err := a.judge(s, "model_ids")
	if err != nil {
		refusals = append(refusals, err)
	}
	if _, err := regions.Require("region_ids"); err != nil {
		refusals = append(refusals, err)
	}
	if err := a.scopeError("region_ids"); err != nil {
		refusals = append(refusals, err)
	}
	if err := targetError(in.TargetCompletionDate.Time, a.covered()); err != nil {
		refusals = append(refusals, err)
	}
	return names, refusals
}

// createWrites is the write of a request that passed its checks, queued in one pipeline, and
// what the request is answered with once it has been sent.
type createWrites struct {
	pipeline *pgtx.Pipeline
	row      gen.ValidationRequestCreateRow // the request's row, set when the pipeline is sent
	models   []RequestModel
}

// queueWrites queues the request's one statement (ValidationRequestCreate, or its function:
// createStatement): the request, its model links with their versions, its region links, its
// version links, its first history row and its audit row.
func (s *Service) queueWrites(ctx context.Context, actor domain.Actor, in CreateInput, modelIDs, regionIDs, versionIDs []int32, names map[int32]string, warnings []Warning) (*createWrites, error) {
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
	changes := map[string]any{
		"model_ids": modelIDs, "validation_type": in.ValidationType, "priority": in.Priority,
		"target_completion_date": in.TargetCompletionDate, "region_ids": regionIDs, "version_ids": versionIDs,
	}
	recordAcknowledged(changes, warnings)
	audited, err := json.Marshal(changes)
	if err != nil {
		return nil, fmt.Errorf("audit %s: encode changes: %w", audit.ActionValidationRequestCreated, err)
	}
	if regionIDs == nil {
		regionIDs = []int32{}
	}
	if versionIDs == nil {
		versionIDs = []int32{}
	}
	pgtx.One(w.pipeline, &w.row, func(q *gen.Queries) (gen.ValidationRequestCreateRow, error) {
		return s.createStatement(ctx, q, gen.ValidationRequestCreateParams{
			RequestorID: actor.UserID, ValidationType: in.ValidationType, Priority: gen.ValidationPriority(in.Priority),
			TargetCompletionDate: in.TargetCompletionDate.Time, TriggerReason: reason,
			ModelIds: modelIDs, VersionIds: linkVersions, RegionIds: regionIDs, LinkVersionIds: versionIDs, Changes: audited,
			AuditAction: string(audit.ActionValidationRequestCreated),
		})
	}, pgtx.Wrap("create validation request"))
	return w, nil
}

// createStatement runs a new request's write as the pool's statement mode runs it cheapest: the
// statement itself where the connection keeps its prepared plan (pgx's default mode), else the
// call of validation_request_create, whose body is the same statement and whose plan plpgsql
// keeps per server connection, where the statement would be parsed and planned at every create
// (cache_describe and exec, which PgBouncer needs; docs/traps.md). Both write the same rows and
// fail the same way: the function's body is the statement (TestCreateFunctionIsTheCreateStatement),
// and TestCreateWritesTheSameInEveryStatementMode writes through each.
func (s *Service) createStatement(ctx context.Context, q *gen.Queries, arg gen.ValidationRequestCreateParams) (gen.ValidationRequestCreateRow, error) {
	if s.db.KeepsPlans {
		return q.ValidationRequestCreate(ctx, arg)
	}
	row, err := q.ValidationRequestCreateCall(ctx, gen.ValidationRequestCreateCallParams(arg))
	return gen.ValidationRequestCreateRow(row), err
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
	conflicts, err := activeConflicts(ctx, gen.New(s.db.Pool), modelIDs)
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
