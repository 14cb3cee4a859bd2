package deployment_test

import (
	"fmt"
	"testing"
	"time"

	"mrmflow/internal/pgtx"
)

// BenchmarkBulkConfirm measures BulkConfirm per call for 10, 100 and 1,000 pending tasks (models of
// up to 500 regions, a task per region). Fixtures are built with the timer stopped.
// ns/op is per call; the tasks/s metric divides by the call size.
//
//	TEST_DATABASE_URL=... go test ./internal/deployment -run '^$' -bench BulkConfirm -benchtime 5x
func BenchmarkBulkConfirm(b *testing.B) {
	for _, size := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("tasks=%d", size), func(b *testing.B) {
			f := newFixture(b, pgtx.Limits{StatementTimeout: time.Minute})
			admin := f.admin()
			var busy time.Duration
			for b.Loop() {
				b.StopTimer()
				var ids []int32
				for len(ids) < size { // a deployment call takes at most 500 targets
					_, more := f.pendingTasks(min(size-len(ids), 500))
					ids = append(ids, more...)
				}
				b.StartTimer()
				start := time.Now()
				res, err := f.svc.BulkConfirm(f.ctx, admin, ids, confirmIn(), nil)
				busy += time.Since(start)
				if err != nil || res.Value.SucceededCount != size {
					b.Fatalf("bulk confirm: %v, %d succeeded", err, res.Value.SucceededCount)
				}
			}
			b.ReportMetric(float64(size*b.N)/busy.Seconds(), "tasks/s")
		})
	}
}
