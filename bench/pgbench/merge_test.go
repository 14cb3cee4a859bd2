package pgbench

import (
	"testing"
	"time"
)

func TestMergeWeighsEachRunByItsTransactions(t *testing.T) {
	// 1,000 transactions in 1 s at 8 ms, then 3,000 in 2 s at 4 ms: 4,000 in 3 s at 5 ms.
	m := Merge([]Result{
		{Transactions: 1000, TPS: 1000, LatencyAverage: 8 * time.Millisecond},
		{Transactions: 3000, TPS: 1500, LatencyAverage: 4 * time.Millisecond, Failed: 2},
	})
	if m.Transactions != 4000 || m.Failed != 2 {
		t.Fatalf("transactions %d failed %d: want 4000 and 2", m.Transactions, m.Failed)
	}
	if m.TPS < 1333.3 || m.TPS > 1333.4 {
		t.Fatalf("tps %.2f: want 4000 over 3 s", m.TPS)
	}
	if m.LatencyAverage != 5*time.Millisecond {
		t.Fatalf("latency %s: want 5ms", m.LatencyAverage)
	}
}
