package pgbench_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"mrmflow/bench/pgbench"
)

var update = flag.Bool("update", false, "rewrite bench/pgbench/*.sql from sql/ (make generate)")

// TestScriptsAreGenerated fails when a committed script differs from what sql/ gives now: a
// query changed in sql/ without `make generate`, or a script edited by hand.
func TestScriptsAreGenerated(t *testing.T) {
	q, err := pgbench.LoadQueries("../../sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range pgbench.Scripts() {
		want, err := s.Render(q)
		if err != nil {
			t.Fatal(err)
		}
		path := s.Name + ".sql"
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run make generate)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("bench/pgbench/%s is stale: run make generate", filepath.Base(path))
		}
	}
}
