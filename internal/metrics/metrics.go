// Package metrics defines every Prometheus collector mrmflow exports, on its own registry so a
// test can build as many servers as it likes.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds the collectors. The HTTP layer observes requests; services observe lock waits,
// conflicts and bulk outcomes.
type Metrics struct {
	Registry *prometheus.Registry

	// HTTPDuration is request latency by route template, method and status code.
	HTTPDuration *prometheus.HistogramVec
	// LockWait is the time spent waiting for the per-model validation advisory locks.
	LockWait prometheus.Histogram
	// ValidationConflicts counts refused validation requests by the refused request's type.
	ValidationConflicts *prometheus.CounterVec
	// BulkTaskOutcomes counts the tasks of bulk calls by operation and outcome code ("ok" or the
	// failure code).
	BulkTaskOutcomes *prometheus.CounterVec
	// BulkCallSize is the number of task ids per bulk call, by operation.
	BulkCallSize *prometheus.HistogramVec
}

// New creates the collectors and registers them, with the Go and process collectors, on a new
// registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mrmflow_http_request_duration_seconds",
			Help:    "HTTP request latency by route template, method and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "code"}),
		LockWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "mrmflow_validation_lock_wait_seconds",
			Help:    "Time spent acquiring the per-model validation advisory locks of one request.",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5},
		}),
		ValidationConflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mrmflow_validation_conflicts_total",
			Help: "Validation requests refused because of an active overlapping request, by type.",
		}, []string{"validation_type"}),
		BulkTaskOutcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mrmflow_bulk_task_outcomes_total",
			Help: "Tasks processed by bulk deployment calls, by operation and outcome code.",
		}, []string{"operation", "code"}),
		BulkCallSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mrmflow_bulk_call_size",
			Help:    "Task ids per bulk deployment call, by operation.",
			Buckets: []float64{1, 10, 50, 100, 250, 500, 1000},
		}, []string{"operation"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.HTTPDuration, m.LockWait, m.ValidationConflicts, m.BulkTaskOutcomes, m.BulkCallSize,
	)
	return m
}
