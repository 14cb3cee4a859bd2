package validation_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"mrmflow/bench/pgbench"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
	"mrmflow/internal/validation"
)

// TestCreateFunctionIsTheCreateStatement: the body of validation_request_create, as migrated, is
// sql/'s ValidationRequestCreate with each parameter @name bound to the function's argument
// p_name, and nothing else; every argument is a parameter of the statement and every parameter
// an argument. A change to the statement without the function's (or the reverse) fails here, so
// the pooled statement modes, which send the call, write what the default mode's statement does.
func TestCreateFunctionIsTheCreateStatement(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 1)
	var body string
	var args []string
	err := d.Pool.QueryRow(context.Background(), `
		SELECT prosrc, proargnames FROM pg_proc WHERE proname = 'validation_request_create'`).Scan(&body, &args)
	if err != nil {
		t.Fatalf("read the function: %v", err)
	}
	queries, err := pgbench.LoadQueries("../../sql")
	if err != nil {
		t.Fatal(err)
	}
	bind := map[string]string{}
	for _, a := range args {
		bind[strings.TrimPrefix(a, "p_")] = a
	}
	statement, err := queries.Bind("ValidationRequestCreate", bind)
	if err != nil {
		t.Fatalf("the function's arguments %v are not the statement's parameters: %v", args, err)
	}
	if want := "\nBEGIN\nRETURN QUERY\n" + statement + "\nEND\n"; body != want {
		t.Fatalf("validation_request_create's body is not sql/'s ValidationRequestCreate:\n--- body\n%s\n--- want\n%s", body, want)
	}
}

// TestCreateWritesTheSameInEveryStatementMode: a CHANGE request on two models, with their
// versions, a region and a reason, is written whole in each statement mode — by the statement in
// pgx's default mode, by the function's call in the modes that send statements unnamed — and
// answered with the row that was written. The function's arguments are positional, so a call that
// passed two arrays in the wrong order would link the wrong versions here.
func TestCreateWritesTheSameInEveryStatementMode(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 1)
	for _, c := range []struct {
		mode string
		sent string // what the traced write must contain
	}{
		{"cache_statement", "WITH request AS ("},
		{"cache_describe", "FROM validation_request_create("},
		{"exec", "FROM validation_request_create("},
	} {
		t.Run(c.mode, func(t *testing.T) {
			trace := &testdb.Trace{}
			inMode := &testdb.DB{Name: d.Name, URL: testdb.WithExecMode(d.URL, c.mode)}
			inMode.Pool = inMode.TracedPool(t, trace, 2)
			if got := pgtx.KeepsPlans(inMode.Pool); got != (c.mode == "cache_statement") {
				t.Fatalf("KeepsPlans in mode %s = %t", c.mode, got)
			}
			f := newFixtureOn(t, inMode)
			ctx := context.Background()
			m := f.models(2)
			r := f.region(false)
			f.runsIn(m[0], r)
			f.runsIn(m[1], r)
			// Version ids apart from the model ids, so that arrays passed in each other's place show.
			f.version(m[0], "1.0")
			v1, v0 := f.version(m[1], "2.0"), f.version(m[0], "1.1")
			in := input(validation.TypeChange, m[1], m[0])
			in.ModelVersions = map[int32]int32{m[0]: v0, m[1]: v1}
			in.RegionIDs = []int32{r}
			in.TriggerReason = "new calibration"

			trace.Start()
			res, err := f.svc.Create(ctx, f.validator, in, nil)
			sent, _ := trace.Stop()
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if !slices.ContainsFunc(sent, func(sql string) bool { return strings.Contains(sql, c.sent) }) {
				t.Fatalf("the write sent none of %q; sent:\n%s", c.sent, strings.Join(sent, "\n"))
			}
			got := res.Value
			want := f.get(got.RequestID)
			if got.RequestorID != f.validator.UserID || got.ValidationType != validation.TypeChange ||
				got.Status != validation.StatusIntake || got.TriggerReason == nil || *got.TriggerReason != in.TriggerReason ||
				!got.CreatedAt.Equal(want.CreatedAt) || !got.TargetCompletionDate.Equal(want.TargetCompletionDate.Time) {
				t.Fatalf("answered %+v, stored %+v", got.RequestFields, want.RequestFields)
			}
			var written string
			err = f.db.Pool.QueryRow(ctx, `
				SELECT concat_ws(' | ',
					(SELECT string_agg(model_id || ':' || coalesce(version_id, 0), ',' ORDER BY model_id) FROM validation_request_models WHERE request_id = $1),
					(SELECT string_agg(region_id::text, ',' ORDER BY region_id) FROM validation_request_regions WHERE request_id = $1),
					(SELECT string_agg(version_id::text, ',' ORDER BY version_id) FROM model_versions WHERE validation_request_id = $1),
					(SELECT string_agg(coalesce(from_status, '-') || '>' || to_status || ' by ' || changed_by, ',') FROM validation_status_history WHERE request_id = $1),
					(SELECT string_agg(user_id || ' ' || (changes->>'version_ids'), ',') FROM audit_logs
					 WHERE entity_type = 'validation_request' AND entity_id = $1 AND action = 'VALIDATION_REQUEST_CREATED'))`,
				got.RequestID).Scan(&written)
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := min(v0, v1), max(v0, v1)
			wantWritten := fmt.Sprintf("%d:%d,%d:%d | %d | %d,%d | ->INTAKE by %d | %d [%d, %d]",
				m[0], v0, m[1], v1, r, lo, hi, f.validator.UserID, f.validator.UserID, lo, hi)
			if written != wantWritten {
				t.Fatalf("written %q, want %q", written, wantWritten)
			}
		})
	}
}
