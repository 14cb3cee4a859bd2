package pgbench

import (
	"fmt"
	"slices"
	"strings"
)

// Step is one line of a script: a statement the service sends (a query from sql/ or the
// driver's own BEGIN/COMMIT/SAVEPOINT), or a pgbench meta-command that sends nothing.
type Step struct {
	// If lists the conditions under which the step runs (all must hold; none: always). Steps
	// with the same conditions in a row share one \if ... \endif.
	If []Condition
	// Meta is a pgbench meta-command (\set ...): it runs in pgbench and sends nothing.
	Meta string
	// SQL is a statement that is not in sql/: what pgx itself sends to open and end transactions
	// and savepoints.
	SQL string
	// Query is the sqlc name of a query in sql/, sent with Args bound to its parameters.
	Query string
	Args  map[string]string
	// Store is "\gset" or "\aset": the query's answer becomes pgbench variables, as the service
	// reads the answer of the same statement.
	Store string
}

// Condition is a branch the service takes on an answer; a script spells it as a pgbench
// expression, and the statement-order test names the branches a request took.
type Condition string

// The branches of the scripts.
const (
	// NoConflict: the conflict query found no active non-targeted request.
	NoConflict Condition = "no_conflict"
	// Conflict: it found one; the service rolls back and answers 409.
	Conflict Condition = "conflict"
	// NotTargeted, Initial: what the request type makes the service check.
	NotTargeted Condition = "not_targeted"
	Initial     Condition = "initial"
	// Multi2..Multi4: the request lists at least that many models (one lock statement each).
	Multi2 Condition = "multi_2"
	Multi3 Condition = "multi_3"
	Multi4 Condition = "multi_4"
)

// expression is how pgbench tests a condition. The conflict query stores the blocking
// request's id (\aset) into request_id, reset to 0 before it and copied to blocked after it.
var expression = map[Condition]string{
	NoConflict:  ":blocked = 0",
	Conflict:    ":blocked != 0",
	NotTargeted: ":type_pick >= 2",
	Initial:     ":type_pick = 3",
	Multi2:      ":n >= 2",
	Multi3:      ":n >= 3",
	Multi4:      ":n >= 4",
}

// Script is one scenario's pgbench script.
type Script struct {
	// Name is the scenario and the file name (bench/pgbench/<Name>.sql).
	Name string
	// About heads the file: what one pgbench transaction stands for, and the -D variables.
	About string
	Steps []Step
	// Each is repeated once per task by Expand (bulk calls); in the committed file it appears
	// once, between marker comments. Tail follows it.
	Each, Tail []Step
}

// Names lists the statements steps send when exactly the conditions in taken hold, in order,
// each named as StatementName names what the service sent.
func Names(steps []Step, taken map[Condition]bool) []string {
	var names []string
	for _, st := range steps {
		if st.Meta != "" || !holds(st.If, taken) {
			continue
		}
		if st.Query != "" {
			names = append(names, st.Query)
		} else {
			names = append(names, StatementName(st.SQL))
		}
	}
	return names
}

func holds(conds []Condition, taken map[Condition]bool) bool {
	for _, c := range conds {
		if !taken[c] {
			return false
		}
	}
	return true
}

// StatementName names a statement for comparing scripts with what the service sent: a query
// from sql/ by its sqlc name ("-- name: X" opens every query sqlc generates), anything else by
// its upper-cased words, with the savepoint names pgx makes up left out.
func StatementName(sql string) string {
	sql = strings.TrimSpace(sql)
	if rest, ok := strings.CutPrefix(sql, "-- name: "); ok {
		name, _, _ := strings.Cut(rest, " ")
		return name
	}
	fields := strings.Fields(strings.ToUpper(strings.TrimSuffix(sql, ";")))
	switch {
	case len(fields) == 0:
		return ""
	case fields[0] == "SAVEPOINT":
		return "SAVEPOINT"
	case fields[0] == "RELEASE":
		return "RELEASE SAVEPOINT"
	case fields[0] == "ROLLBACK" && len(fields) > 1 && fields[1] == "TO":
		return "ROLLBACK TO SAVEPOINT"
	}
	return strings.Join(fields, " ")
}

// render writes steps as pgbench script text, grouping steps with the same conditions.
func render(b *strings.Builder, q Queries, steps []Step) error {
	var open []Condition
	for _, st := range steps {
		line, err := st.text(q)
		if err != nil {
			return err
		}
		if !slices.Equal(open, st.If) {
			if len(open) > 0 {
				b.WriteString("\\endif\n")
			}
			if len(st.If) > 0 {
				exprs := make([]string, len(st.If))
				for i, c := range st.If {
					e, ok := expression[c]
					if !ok {
						return fmt.Errorf("condition %q has no pgbench expression", c)
					}
					exprs[i] = e
				}
				if len(exprs) > 1 {
					for i := range exprs {
						exprs[i] = "(" + exprs[i] + ")"
					}
				}
				fmt.Fprintf(b, "\\if %s\n", strings.Join(exprs, " and "))
			}
			open = st.If
		}
		b.WriteString(line + "\n")
	}
	if len(open) > 0 {
		b.WriteString("\\endif\n")
	}
	return nil
}

// text is one step as pgbench reads it. A query keeps its line breaks (pgbench ends a statement
// at the semicolon, or at \gset and \aset).
func (st Step) text(q Queries) (string, error) {
	switch {
	case st.Meta != "":
		return st.Meta, nil
	case st.SQL != "":
		return st.SQL, nil
	}
	text, err := q.Bind(st.Query, st.Args)
	if err != nil {
		return "", err
	}
	text = "-- " + st.Query + "\n" + text
	if st.Store != "" {
		text = strings.TrimSuffix(text, ";") + " " + st.Store
	}
	return text, nil
}

// Render writes a script as committed in bench/pgbench: Each appears once, between markers.
func (s Script) Render(q Queries) ([]byte, error) {
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimSpace(s.About), "\n") {
		b.WriteString(strings.TrimRight("-- "+line, " ") + "\n")
	}
	b.WriteString("-- Generated by `make generate` from sql/ (bench/pgbench/scripts.go); do not edit.\n\n")
	if err := render(&b, q, s.Steps); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	if len(s.Each) > 0 {
		b.WriteString("-- >>> once per task, with task_id, version_id, model_id and region_id set\n")
		if err := render(&b, q, s.Each); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		b.WriteString("-- <<< once per task\n")
	}
	if err := render(&b, q, s.Tail); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	return []byte(b.String()), nil
}

// Task is one deployment task of a bulk replay: the values the service reads from the task's
// locked row and uses in the task's statements.
type Task struct {
	TaskID, VersionID, ModelID, RegionID int32
}

// Expand writes a bulk script for these tasks: Steps, then Each once per task with the task's
// values set first (pgbench \set, which sends nothing), then Tail. The tasks must be in ascending
// task_id order, the order the service works them in.
func (s Script) Expand(q Queries, tasks []Task) ([]byte, error) {
	var b strings.Builder
	if err := render(&b, q, s.Steps); err != nil {
		return nil, err
	}
	for _, t := range tasks {
		fmt.Fprintf(&b, "\\set task_id %d\n\\set version_id %d\n\\set model_id %d\n\\set region_id %d\n",
			t.TaskID, t.VersionID, t.ModelID, t.RegionID)
		if err := render(&b, q, s.Each); err != nil {
			return nil, err
		}
	}
	if err := render(&b, q, s.Tail); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
