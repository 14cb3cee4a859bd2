package audit_test

import (
	"context"
	"testing"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// insufficientPrivilege is the SQLSTATE the audit_logs_append_only trigger raises.
const insufficientPrivilege = "42501"

// TestAuditLogIsAppendOnly writes an audit row the way the services do, then tries, as the role
// the service runs as (here a superuser, which no grant restricts), every way of changing or
// removing audit rows: each is refused by the database, and the row is unchanged.
func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	err := audit.Record(ctx, gen.New(d.Pool), audit.Entry{
		EntityType: audit.EntityRegion, EntityID: 7, Action: "REGION_CREATED", Changes: map[string]any{"code": "EU"},
	})
	if err != nil {
		t.Fatalf("append an audit row: %v", err)
	}
	for _, sql := range []string{
		`UPDATE audit_logs SET action = 'REGION_DELETED'`,
		`UPDATE audit_logs SET changes = '{}' WHERE entity_id = 7`,
		`DELETE FROM audit_logs WHERE entity_id = 7`,
		`DELETE FROM audit_logs WHERE false`,
		`TRUNCATE audit_logs`,
	} {
		if _, err := d.Pool.Exec(ctx, sql); !pgtx.IsSQLState(err, insufficientPrivilege) {
			t.Errorf("%s: %v, want SQLSTATE %s", sql, err, insufficientPrivilege)
		}
	}
	var action, code string
	var n int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*), min(action), min(changes->>'code') FROM audit_logs`).Scan(&n, &action, &code); err != nil {
		t.Fatal(err)
	}
	if n != 1 || action != "REGION_CREATED" || code != "EU" {
		t.Errorf("audit log after the attempts: %d rows, action %q, code %q; want the one row unchanged", n, action, code)
	}
}
