package validation_test

import (
	"context"
	"sync/atomic"
	"testing"

	"mrmflow/internal/validation"
)

// BenchmarkCreate measures Create without HTTP, from parallel goroutines (GOMAXPROCS of them,
// times -cpu): TARGETED requests on distinct models (no lock waits), and 1-4-model requests of
// the same shape. ns/op is per created request.
//
//	TEST_DATABASE_URL=... go test ./internal/validation -run '^$' -bench Create -benchtime 2s
func BenchmarkCreate(b *testing.B) {
	for _, shape := range []struct {
		name   string
		models int
	}{{"targeted-1-model", 1}, {"targeted-4-models", 4}} {
		b.Run(shape.name, func(b *testing.B) {
			f := newFixture(b, 16)
			models := f.models(2000)
			var next atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1)) * 7
					ids := make([]int32, shape.models)
					for k := range ids {
						ids[k] = models[(i+k*500)%len(models)]
					}
					in := input(validation.TypeTargeted, ids...)
					if _, err := f.svc.Create(context.Background(), f.validator, in, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
