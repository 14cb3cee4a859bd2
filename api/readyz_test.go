package api_test

import (
	"net/http"
	"testing"

	"mrmflow/internal/testdb"
)

// TestReadyzDoesNotTakeAConnectionPerProbe: probes within a second share one database ping, so
// a busy prober does not take pool connections from the requests; draining still answers 503
// at once although the cached answer is "ready".
func TestReadyzDoesNotTakeAConnectionPerProbe(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	e := envOn(t, d, d.Pool)
	e.call(http.MethodGet, "/readyz", "", nil).want(http.StatusOK)
	before := d.Pool.Stat().AcquireCount()
	for range 20 {
		e.call(http.MethodGet, "/readyz", "", nil).want(http.StatusOK)
	}
	// One more ping at most, should the probes straddle the cache's second.
	if n := d.Pool.Stat().AcquireCount() - before; n > 1 {
		t.Fatalf("20 probes took %d pool connections, want at most 1", n)
	}
}
