// Package audit writes and reads the audit log. Every service writes its audit row through Record,
// inside the transaction of the change it records, so a change and its record commit together.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"mrmflow/gen"
	"mrmflow/internal/pgtx"
)

// Entity types of audit rows (the audit_logs_entity_type_known constraint lists the same).
const (
	EntityUser               = "user"
	EntityAPIToken           = "api_token"
	EntityRegion             = "region"
	EntityModel              = "model"
	EntityModelVersion       = "model_version"
	EntityValidationRequest  = "validation_request"
	EntityDeploymentTask     = "deployment_task"
	EntityValidationApproval = "validation_approval"
	// EntityValidationPolicy rows name the policy by its tier_rank (1 = TIER_1).
	EntityValidationPolicy = "validation_policy"
	// EntityWorkflowSLA rows have entity_id 1: the workflow SLA is one row.
	EntityWorkflowSLA = "workflow_sla"
)

// Entry is one audit row to write. UserID is nil only for operator actions from the command line.
type Entry struct {
	EntityType string
	EntityID   int32
	Action     Action
	UserID     *int32
	Changes    any
}

// Record writes e with q, which must be bound to the transaction of the change being recorded.
func Record(ctx context.Context, q *gen.Queries, e Entry) error {
	params, err := e.params()
	if err != nil {
		return err
	}
	if err := q.AuditLogInsert(ctx, params); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Queue is Record for a pipeline: the row is written when p is sent, in the transaction p is
// sent in. Changes that do not encode are reported where the row's own failure would be: at
// p.Send, which then sends nothing (pgtx.Pipeline.Fail), so callers queue on without a check.
func Queue(ctx context.Context, p *pgtx.Pipeline, e Entry) {
	params, err := e.params()
	if err != nil {
		p.Fail(err)
		return
	}
	p.Exec(func(q *gen.Queries) error { return q.AuditLogInsert(ctx, params) },
		func(err error) error { return fmt.Errorf("audit %s: %w", e.Action, err) })
}

func (e Entry) params() (gen.AuditLogInsertParams, error) {
	changes := []byte("{}")
	if e.Changes != nil {
		var err error
		if changes, err = json.Marshal(e.Changes); err != nil {
			return gen.AuditLogInsertParams{}, fmt.Errorf("audit %s: encode changes: %w", e.Action, err)
		}
	}
	return gen.AuditLogInsertParams{
		EntityType: e.EntityType, EntityID: e.EntityID, Action: string(e.Action), UserID: e.UserID, Changes: changes,
	}, nil
}

// By returns a pointer to the acting user's id, for Entry.UserID.
func By(userID int32) *int32 { return &userID }

// Log is one audit row as the API shows it.
type Log struct {
	AuditID    int64           `json:"audit_id"`
	EntityType string          `json:"entity_type"`
	EntityID   int32           `json:"entity_id"`
	Action     string          `json:"action"`
	UserID     *int32          `json:"user_id"`
	Changes    json.RawMessage `json:"changes"`
	CreatedAt  time.Time       `json:"created_at"`
}
