package load

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestMultiPickMatchesSpec draws many requests and checks every one against the distribution's
// definition, then replays the same seed by hand to pin the draw order the pgbench script copies.
func TestMultiPickMatchesSpec(t *testing.T) {
	t.Parallel()
	models := make([]int32, multiModelCount)
	for i := range models {
		models[i] = int32(1001 + i)
	}
	r := rand.New(rand.NewPCG(7, 0))
	sizes, types := map[int]int{}, map[string]int{}
	for range 20000 {
		ids, typ := multiPick(r, models)
		if len(ids) < 1 || len(ids) > 4 {
			t.Fatalf("%d models, want 1..4", len(ids))
		}
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Fatalf("ids %v not strictly ascending", ids)
		}
		if ids[0] < models[0] || ids[len(ids)-1] > models[len(models)-1] {
			t.Fatalf("ids %v outside %d..%d", ids, models[0], models[len(models)-1])
		}
		if len(ids) > 1 {
			stride := ids[1] - ids[0]
			for k := 2; k < len(ids); k++ {
				if ids[k]-ids[k-1] != stride {
					t.Fatalf("ids %v not evenly strided", ids)
				}
			}
			if stride < 1 || stride > 12 {
				t.Fatalf("ids %v: stride %d, want 1..12", ids, stride)
			}
		}
		sizes[len(ids)]++
		types[typ]++
	}
	for n := 1; n <= 4; n++ {
		if sizes[n] < 4500 || sizes[n] > 5500 {
			t.Errorf("size %d drawn %d times of 20000, want about 5000", n, sizes[n])
		}
	}
	if types[typeTargeted] < 9500 || types[typeTargeted] > 10500 || types[typeNonTargeted] < 4500 || types[typeInitial] < 4500 || len(types) != 3 {
		t.Errorf("types %v: want half TARGETED, a quarter each COMPREHENSIVE and INITIAL", types)
	}

	// The exact sequence of draws: n, stride, base, type.
	a, b := rand.New(rand.NewPCG(42, 0)), rand.New(rand.NewPCG(42, 0))
	for range 1000 {
		ids, typ := multiPick(a, models)
		n := 1 + b.IntN(4)
		s := 1 + b.IntN(12)
		base := b.IntN(50 - (n-1)*s)
		want := make([]int32, n)
		for k := range n {
			want[k] = models[base+k*s]
		}
		wantType := [4]string{"TARGETED", "TARGETED", "COMPREHENSIVE", "INITIAL"}[b.IntN(4)]
		if !slices.Equal(ids, want) || typ != wantType {
			t.Fatalf("multiPick = %v %s, hand replay = %v %s", ids, typ, want, wantType)
		}
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	t.Parallel()
	samples := make([]time.Duration, 0, 100)
	for i := 100; i >= 1; i-- {
		samples = append(samples, time.Duration(i))
	}
	l := summarize(samples)
	if l.P50 != 50 || l.P95 != 95 || l.P99 != 99 || l.Max != 100 || l.Mean != 50 {
		t.Fatalf("summary of 1..100 = %+v", l)
	}
	if one := summarize([]time.Duration{7}); one.P50 != 7 || one.P99 != 7 {
		t.Fatalf("summary of one sample = %+v", one)
	}
}
