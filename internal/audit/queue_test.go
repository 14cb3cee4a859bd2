package audit_test

import (
	"context"
	"strings"
	"testing"

	"mrmflow/internal/audit"
	"mrmflow/internal/pgtx"
)

// An audit row whose changes do not encode is reported at Send, which sends nothing: the
// caller's transaction rolls back as after a failed statement, with no check after Queue.
func TestQueueReportsAnEncodingErrorAtSend(t *testing.T) {
	t.Parallel()
	p := &pgtx.Pipeline{}
	audit.Queue(context.Background(), p, audit.Entry{
		EntityType: audit.EntityModel, EntityID: 1, Action: audit.ActionModelUpdated,
		Changes: map[string]any{"unencodable": make(chan int)},
	})
	if p.Len() != 0 {
		t.Fatalf("%d statements queued, want none", p.Len())
	}
	// Send must fail before it touches the destination: nil would panic if it were used.
	err := p.Send(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "encode changes") {
		t.Fatalf("Send = %v, want the encoding error", err)
	}
}
