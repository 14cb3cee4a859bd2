package queues

import (
	"strings"
	"testing"

	"mrmflow/bench/pgbench"
)

// TestProbesBind checks, without a database, that every probe's page query and CSV count, every
// export's queries and every EXPLAIN binding are queries of sql/ whose parameters all have a value,
// in both forms the benchmark sends (literals, and $n with EXECUTE's values).
func TestProbesBind(t *testing.T) {
	t.Parallel()
	queries, err := pgbench.LoadQueries("../../sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range explainBindings() {
		text, err := bind(queries, b.Query.Query, b.Query.Args, "2026-12-01")
		if err != nil {
			t.Errorf("%s (%s): %v", b.Query.Query, b.Label, err)
			continue
		}
		if strings.Contains(text, "sqlc.") || strings.Contains(text, "@after") {
			t.Errorf("%s (%s): a parameter is left in the text", b.Query.Query, b.Label)
		}
		if _, values, err := bindPrepared(queries, b.Query.Query, b.Query.Args, "2026-12-01"); err != nil || len(values) == 0 && strings.Contains(queries[b.Query.Query], "@") {
			t.Errorf("%s (%s): prepared form: %v, %d values", b.Query.Query, b.Label, err, len(values))
		}
	}
}
