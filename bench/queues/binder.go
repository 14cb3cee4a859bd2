package queues

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"mrmflow/bench/pgbench"
)

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// param matches the parameter spellings of sql/ (as bench/pgbench's binder does): @name and
// sqlc.narg('name') / sqlc.arg(name).
var param = regexp.MustCompile(`@(\w+)|sqlc\.n?arg\('?(\w+)'?\)`)

// bind returns the text of a query of sql/ with every parameter replaced by a SQL literal: the
// query's own arguments first, then a default by the parameter's name (defaultArg). Literals, not
// $n: EXPLAIN shows the plan for these values, the custom plan a prepared statement gets for its
// first executions. A parameter with neither is an error naming it.
func bind(queries pgbench.Queries, name string, args map[string]string, asOf string) (string, error) {
	return substitute(queries, name, args, asOf, func(_, literal string) string { return literal })
}

// bindPrepared returns the text of a query of sql/ with its parameters numbered $1, $2, ... in
// the order they first appear (as sqlc numbers them, so a PREPARE of it is the statement pgx
// prepares for the service), and the literal of each: what EXECUTE passes.
func bindPrepared(queries pgbench.Queries, name string, args map[string]string, asOf string) (string, []string, error) {
	var values []string
	index := map[string]int{}
	text, err := substitute(queries, name, args, asOf, func(p, literal string) string {
		n, ok := index[p]
		if !ok {
			values = append(values, literal)
			n = len(values)
			index[p] = n
		}
		return "$" + strconv.Itoa(n)
	})
	return text, values, err
}

// substitute replaces each parameter of query name with place(parameter, its literal).
func substitute(queries pgbench.Queries, name string, args map[string]string, asOf string, place func(param, literal string) string) (string, error) {
	text, ok := queries[name]
	if !ok {
		return "", fmt.Errorf("query %s is not in sql/", name)
	}
	var unbound []string
	out := param.ReplaceAllStringFunc(text, func(m string) string {
		sub := param.FindStringSubmatch(m)
		p, narg := sub[1]+sub[2], sub[1] == "" && m[:9] == "sqlc.narg"
		if v, ok := args[p]; ok {
			return place(p, v)
		}
		if v, ok := defaultArg(p, asOf); ok {
			return place(p, v)
		}
		if narg {
			return place(p, "NULL") // an optional filter left out
		}
		if !slices.Contains(unbound, p) {
			unbound = append(unbound, p)
		}
		return m
	})
	if len(unbound) > 0 {
		return "", fmt.Errorf("query %s: no benchmark value for parameters %v", name, unbound)
	}
	return out, nil
}

// defaultArg is the value of a parameter by its name, for the list and report queries the
// benchmark EXPLAINs without a binding of their own: a first page of 50 (+1), the benchmark's
// as_of, the ADMIN caller.
func defaultArg(name, asOf string) (string, bool) {
	switch name {
	case "after_id", "after_request_id", "after_kind_order", "after_model_id", "after_region_id",
		"after_approval_id", "after_task_id", "after_version_id", "after_user_id", "after_phase_order":
		return "0", true
	case "page_limit", "limit_count":
		return "51", true
	case "as_of":
		return "'" + asOf + "'", true
	case "user_id", "caller_id", "actor_id":
		return itoa(callerIDs[callerAdmin]), true
	case "role", "caller_role", "actor_role":
		return "'ADMIN'", true
	case "mine", "by_created":
		return "false", true
	case "before_id":
		return "2147483647", true
	case "see_all":
		return "true", true
	}
	return "", false
}
