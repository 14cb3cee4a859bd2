// Package pgbench writes the pgbench scripts of `make bench`: for each load scenario, the
// statements mrmflow sends, in the order it sends them, taken from the query text in sql/ with
// the sqlc parameters bound to pgbench variables. The scripts are generated, never hand-edited,
// so they cannot drift from sql/ (TestScriptsAreGenerated), and a test replays each scenario
// through the HTTP API and compares what the service sent with the script (TestScriptsFollowService).
package pgbench

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Queries maps a query's sqlc name to its SQL text, comment lines removed.
type Queries map[string]string

// nameLine is the annotation sqlc reads: "-- name: X :kind".
var nameLine = regexp.MustCompile(`^-- name: (\w+) :\w+\s*$`)

// LoadQueries reads every sql/*.sql file of dir.
func LoadQueries(dir string) (Queries, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .sql files in %s", dir)
	}
	q := Queries{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var name string
		var body []string
		flush := func() {
			if name != "" {
				q[name] = strings.TrimSpace(strings.Join(body, "\n"))
			}
		}
		for line := range strings.SplitSeq(string(raw), "\n") {
			if m := nameLine.FindStringSubmatch(line); m != nil {
				flush()
				name, body = m[1], nil
				continue
			}
			if strings.HasPrefix(strings.TrimSpace(line), "--") || name == "" {
				continue
			}
			body = append(body, strings.TrimRight(line, " \t"))
		}
		flush()
	}
	return q, nil
}

// param matches the two parameter spellings sql/ uses: @name and sqlc.narg('name') (or
// sqlc.arg(name)).
var param = regexp.MustCompile(`@(\w+)|sqlc\.n?arg\('?(\w+)'?\)`)

// Bind returns query name's text with every parameter replaced by its pgbench expression. Every
// parameter must be bound and every binding used, so a query gaining a parameter in sql/ fails
// the generation instead of producing a script that replays something else.
func (q Queries) Bind(name string, args map[string]string) (string, error) {
	text, ok := q[name]
	if !ok {
		return "", fmt.Errorf("query %s is not in sql/", name)
	}
	used := map[string]bool{}
	var missing []string
	out := param.ReplaceAllStringFunc(text, func(m string) string {
		sub := param.FindStringSubmatch(m)
		p := sub[1] + sub[2]
		v, ok := args[p]
		if !ok {
			missing = append(missing, p)
			return m
		}
		used[p] = true
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("query %s: parameters %v are not bound", name, missing)
	}
	for p := range args {
		if !used[p] {
			return "", fmt.Errorf("query %s has no parameter %s", name, p)
		}
	}
	return out, nil
}

// sortedKeys lists a map's keys in order, for stable errors and output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
