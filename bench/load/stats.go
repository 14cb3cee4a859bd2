package load

import (
	"slices"
	"time"
)

// latency is the exact summary of a set of durations. Every sample is kept and sorted, not
// bucketed: a run records at most a few hundred thousand samples, and exact tails are the point
// of comparing two implementations of the same rule.
type latency struct {
	Mean, P50, P95, P99, Max time.Duration
}

// summarize sorts samples in place and returns their summary; zero for no samples.
func summarize(samples []time.Duration) latency {
	if len(samples) == 0 {
		return latency{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, d := range samples {
		sum += d
	}
	return latency{
		Mean: sum / time.Duration(len(samples)),
		P50:  percentile(samples, 500),
		P95:  percentile(samples, 950),
		P99:  percentile(samples, 990),
		Max:  samples[len(samples)-1],
	}
}

// percentile is the nearest-rank percentile of sorted for perMille (950 = p95): the smallest
// sample with at least that share of the samples at or below it. It is always an observed value,
// never an interpolation, and the rank is integer arithmetic so 0.95*100 cannot round to 96.
func percentile(sorted []time.Duration, perMille int) time.Duration {
	rank := (perMille*len(sorted) + 999) / 1000 // ceil(perMille/1000 * n)
	return sorted[min(max(rank, 1), len(sorted))-1]
}
