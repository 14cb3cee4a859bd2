package load

import (
	"testing"
	"time"
)

func TestMergeSummarizesAllSlicesAsOneRun(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	a := Result{Scenario: CreateHot, Clients: 16, Elapsed: 2 * time.Second, Samples: ms(1, 2, 3), Status: map[int]int{201: 1, 409: 2}, Cancels: 1}
	b := Result{Scenario: CreateHot, Clients: 16, Elapsed: 3 * time.Second, Samples: ms(10, 20), Status: map[int]int{409: 2}, Errors: 1, Server5xx: 1}
	m := Merge([]Result{a, b})
	if m.Elapsed != 5*time.Second || m.Requests != 5 || m.Throughput != 1 {
		t.Fatalf("elapsed %s, requests %d, throughput %.2f: want 5s, 5, 1/s", m.Elapsed, m.Requests, m.Throughput)
	}
	// Percentiles of the pooled samples (1 2 3 10 20 ms), not of the slices' own percentiles.
	if m.P50 != 3*time.Millisecond || m.P99 != 20*time.Millisecond || m.Max != 20*time.Millisecond || m.Mean != 7200*time.Microsecond {
		t.Fatalf("p50 %s p99 %s max %s mean %s: want 3ms 20ms 20ms 7.2ms", m.P50, m.P99, m.Max, m.Mean)
	}
	if m.Status[201] != 1 || m.Status[409] != 4 || m.Cancels != 1 || m.Errors != 1 || m.Server5xx != 1 {
		t.Fatalf("statuses %v, cancels %d, errors %d, 5xx %d: want the sums", m.Status, m.Cancels, m.Errors, m.Server5xx)
	}
	if m.Scenario != CreateHot || m.Clients != 16 {
		t.Fatalf("scenario %s/%d: want create-hot/16", m.Scenario, m.Clients)
	}
}

func TestMergeBulkAveragesOverEveryCall(t *testing.T) {
	a := BulkResult{Size: 100, Calls: 1, PerCall: []time.Duration{100 * time.Millisecond}, Succeeded: 100}
	b := BulkResult{Size: 100, Calls: 2, PerCall: []time.Duration{40 * time.Millisecond, 60 * time.Millisecond}, Succeeded: 199, Failed: 1}
	m := MergeBulk([]BulkResult{a, b})
	if m.Calls != 3 || m.Succeeded != 299 || m.Failed != 1 || len(m.PerCall) != 3 {
		t.Fatalf("calls %d succeeded %d failed %d per-call %v: want the sums", m.Calls, m.Succeeded, m.Failed, m.PerCall)
	}
	if m.MeanPerCall != 200*time.Millisecond/3 || m.P50PerCall != 60*time.Millisecond || m.PerTask != m.MeanPerCall/100 {
		t.Fatalf("mean %s p50 %s per task %s: want 66.67ms, 60ms, mean/100", m.MeanPerCall, m.P50PerCall, m.PerTask)
	}
}
