package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"mrmflow/client"
	"mrmflow/internal/database"
	"mrmflow/internal/domain"
	"mrmflow/internal/testdb"
)

// TestEveryStatementModeServesTheWalkthrough runs the README's walkthrough — regions, a model, a
// version, deployments, a bulk confirmation, a validation request replayed by its
// Idempotency-Key, the audit log, ready to deploy, the approver's queue — through the generated
// client, with the service in each of pgx's statement modes a user may put in DATABASE_URL,
// directly and through a transaction-pooling PgBouncer (where pgx's default mode cannot work:
// TestPgBouncerTransactionPooling). Not parallel: few connections at a time.
func TestEveryStatementModeServesTheWalkthrough(t *testing.T) {
	for _, c := range []struct {
		route, mode string
	}{
		{"direct", "cache_statement"}, {"direct", "cache_describe"}, {"direct", "exec"},
		{"PgBouncer", "cache_describe"}, {"PgBouncer", "exec"},
	} {
		t.Run(c.route+"/"+c.mode, func(t *testing.T) {
			var d *testdb.DB
			if c.route == "PgBouncer" {
				d = testdb.NewThroughPgBouncer(t, 1)
			} else {
				d = testdb.New(t, 1)
			}
			pool, err := database.Open(context.Background(), testdb.WithExecMode(d.URL, c.mode), database.PoolOptions{MaxConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			e := envOn(t, d, pool)
			e.admin = e.user(domain.RoleAdmin)
			walkthrough(e)
		})
	}
}

// walkthrough is the README's walkthrough, spoken through the generated client (mrmflow/client)
// as a Go program would, each answer checked: typed by the client, and against openapi.yaml by
// contractDoer. It ends where the README's "From Go" does: a request is created, worked to
// PENDING_APPROVAL, and found in the global approver's queue.
func walkthrough(e *testEnv) {
	t := e.t
	t.Helper()
	ctx := context.Background()
	admin := e.client(e.admin.Token)

	r := answered(admin.CreateRegionWithResponse(ctx, nil, client.RegionCreate{
		Code: uniqueCode("R"), Name: "Region",
	}))(t, http.StatusCreated).JSON201
	m := answered(admin.CreateModelWithResponse(ctx, nil, client.ModelCreate{
		ModelName: "PD model", Description: new("probability of default"), OwnerId: &e.admin.ID, RegionIds: &[]client.ID{r.RegionId},
	}))(t, http.StatusCreated).JSON201
	v := answered(admin.CreateVersionWithResponse(ctx, m.ModelId, nil, client.VersionCreate{
		VersionNumber: "2.0", ChangeDescription: "recalibration", Scope: client.VersionCreateScopeGLOBAL,
		PlannedProductionDate: new(day(2027, 1, 15)),
	}))(t, http.StatusCreated).JSON201
	created := answered(admin.CreateDeploymentsWithResponse(ctx, v.VersionId, nil, client.DeploymentCreate{
		Targets: []client.DeploymentTarget{{RegionId: &r.RegionId, PlannedProductionDate: day(2027, 1, 15)}},
	}))(t, http.StatusCreated).JSON201
	task := created.Tasks[0].TaskId
	bulk := answered(admin.BulkConfirmDeploymentTasksWithResponse(ctx, nil, client.DeploymentBulkConfirm{
		TaskIds: []client.ID{task, 99999}, ActualProductionDate: day(2027, 1, 16), ValidationOverrideReason: new("interim use"),
	}))(t, http.StatusOK).JSON200
	if bulk.SucceededCount != 1 || bulk.FailedCount != 1 || len(bulk.Failed) != 1 || bulk.Failed[0].TaskId != 99999 {
		t.Fatalf("bulk confirm: %+v", bulk)
	}

	// A validation request, replayed by its Idempotency-Key: the same answer, byte for byte.
	body := client.ValidationRequestCreate{
		ModelIds: []client.ID{m.ModelId}, ValidationType: client.ValidationTypeINTERIM,
		Priority: client.ValidationPriorityHIGH, TargetCompletionDate: day(2027, 3, 31),
	}
	keyed := &client.CreateValidationRequestParams{IdempotencyKey: new("mode-1")}
	first := answered(admin.CreateValidationRequestWithResponse(ctx, keyed, body))(t, http.StatusCreated)
	again := answered(admin.CreateValidationRequestWithResponse(ctx, keyed, body))(t, http.StatusCreated)
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	vr := first.JSON201
	if vr.Status != client.ValidationStatusINTAKE || len(vr.Models) != 1 || vr.Models[0].ModelId != m.ModelId {
		t.Fatalf("created request: %+v", vr)
	}

	// Without the key it is a second request, refused: a *client.Error with the problem's code,
	// and the members its code adds in the operation's generated problem type.
	_, err := admin.CreateValidationRequestWithResponse(ctx, nil, body)
	var refused *client.Error
	if !errors.As(err, &refused) || refused.Status != http.StatusConflict || refused.Code != client.ErrorCodeValidationConflict || refused.RequestID == "" {
		t.Fatalf("second create: %v, want a 409 validation_conflict with a request id", err)
	}
	var conflict client.AdmissionRefused
	if err := json.Unmarshal(refused.Body, &conflict); err != nil {
		t.Fatalf("decode the conflict: %v", err)
	}
	if conflict.Conflicts == nil || len(*conflict.Conflicts) != 1 || (*conflict.Conflicts)[0].ModelId != m.ModelId ||
		len((*conflict.Conflicts)[0].ActiveRequests) != 1 || (*conflict.Conflicts)[0].ActiveRequests[0].RequestId != vr.RequestId {
		t.Fatalf("conflicts: %s", refused.Body)
	}

	audit := answered(admin.ListAuditLogsWithResponse(ctx, &client.ListAuditLogsParams{
		Action: new("DEPLOYMENT_CONFIRMED"), EntityType: new("deployment_task"), EntityId: &task, UserId: &e.admin.ID,
	}))(t, http.StatusOK).JSON200
	if len(audit.Items) != 1 {
		t.Fatalf("%d DEPLOYMENT_CONFIRMED audit rows for task %d, want 1", len(audit.Items), task)
	}
	got := answered(admin.GetModelWithResponse(ctx, m.ModelId))(t, http.StatusOK).JSON200
	if got.ModelId != m.ModelId || len(got.Regions) != 1 {
		t.Fatalf("model: %+v", got)
	}
	// Ready to deploy for the caller's models: the caller's models and requests are read in the
	// pool's mode, then the list is planned for them (nothing is approved yet).
	ready := answered(admin.ListReadyDeploymentsWithResponse(ctx, &client.ListReadyDeploymentsParams{Mine: new(true)}))(t, http.StatusOK).JSON200
	if len(ready.Items) != 0 {
		t.Fatalf("ready to deploy, mine: %+v", ready.Items)
	}

	// An independent validator works the request; at PENDING_APPROVAL its GLOBAL approval waits
	// in the global approver's queue.
	validator := e.user(domain.RoleValidator)
	answered(admin.CreateAssignmentWithResponse(ctx, vr.RequestId, client.AssignmentCreate{
		ValidatorId: validator.ID, IsPrimary: new(true), IndependenceAttestation: true,
	}))(t, http.StatusCreated)
	for _, status := range []client.ValidationStatus{client.ValidationStatusINPROGRESS, client.ValidationStatusPENDINGAPPROVAL} {
		if status == client.ValidationStatusPENDINGAPPROVAL {
			answered(admin.CreateOutcomeWithResponse(ctx, vr.RequestId, client.OutcomeCreate{
				OverallRating: client.OutcomeRatingPASS, ExecutiveSummary: "Fit for purpose.", EffectiveDate: day(2027, 1, 20),
				ExpirationDate: new(day(2027, 7, 20)), // an INTERIM outcome expires
			}))(t, http.StatusCreated)
		}
		answered(admin.ChangeValidationStatusWithResponse(ctx, vr.RequestId, client.ValidationStatusChange{
			Status: status, Reason: new("the work calls for it"),
		}))(t, http.StatusOK)
	}
	approver := e.client(e.user(domain.RoleGlobalApprover).Token)
	queue := answered(approver.ListApprovalsWithResponse(ctx, &client.ListApprovalsParams{Mine: new(true)}))(t, http.StatusOK).JSON200
	if len(queue.Items) != 1 || queue.Items[0].RequestId != vr.RequestId || queue.Items[0].ApprovalType != client.ApprovalTypeGLOBAL ||
		queue.Items[0].Request.PrimaryValidator == nil || queue.Items[0].Request.PrimaryValidator.UserId != validator.ID {
		t.Fatalf("the global approver's queue: %+v", queue.Items)
	}
}

// day is a calendar date as the generated client takes it.
func day(year int, month time.Month, d int) client.Date {
	return client.Date{Time: time.Date(year, month, d, 0, 0, 0, 0, time.UTC)}
}
