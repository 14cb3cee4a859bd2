package metrics

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// poolCollector reads pgxpool's statistics at scrape time, so there is nothing to update.
type poolCollector struct {
	pool                           *pgxpool.Pool
	total, idle, acquired, maxConn *prometheus.Desc
	acquireCount, emptyAcquire     *prometheus.Desc
	acquireDuration                *prometheus.Desc
}

// RegisterPool exports the connection pool's statistics.
func (m *Metrics) RegisterPool(pool *pgxpool.Pool) {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("mrmflow_db_pool_"+name, help, nil, nil)
	}
	m.Registry.MustRegister(&poolCollector{
		pool:            pool,
		total:           d("connections", "Open connections."),
		idle:            d("idle_connections", "Idle connections."),
		acquired:        d("acquired_connections", "Connections in use."),
		maxConn:         d("max_connections", "Configured maximum connections."),
		acquireCount:    d("acquires_total", "Successful connection acquisitions."),
		emptyAcquire:    d("empty_acquires_total", "Acquisitions that had to wait for a connection."),
		acquireDuration: d("acquire_seconds_total", "Total time spent acquiring connections."),
	})
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.total, c.idle, c.acquired, c.maxConn, c.acquireCount, c.emptyAcquire, c.acquireDuration} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.maxConn, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(c.acquireCount, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.emptyAcquire, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.acquireDuration, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
