package api

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"mrmflow/internal/domain"
)

// queryOf reads target's query string as a handler declaring names would.
func queryOf(target string, names ...string) *query {
	return readQuery(httptest.NewRequest("GET", target, nil), names...)
}

// fieldsOf returns the fields an invalid_request names, or nil when err is nil.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.CodeInvalidRequest {
		t.Fatalf("error %v, want an invalid_request", err)
	}
	var out []string
	for _, f := range e.Fields {
		if f.Message == "" {
			t.Errorf("field %q without a message", f.Field)
		}
		out = append(out, f.Field)
	}
	return out
}

func TestQueryRefusesWhatTheListDoesNotTake(t *testing.T) {
	t.Parallel()
	cases := []struct {
		target string
		want   []string
	}{
		{"/l", nil},
		{"/l?limit=5&cursor=&status=OPEN", nil},
		{"/l?colour=red", []string{"colour"}},
		// Every unknown parameter is named, in name order, with the bad values beside them.
		{"/l?zeta=1&alpha=2&limit=0", []string{"alpha", "zeta", "limit"}},
		// A repeated parameter that is not a list, even with the same value twice.
		{"/l?status=A&status=A", []string{"status"}},
		{"/l?limit=5&limit=6", []string{"limit"}},
		// A query string that cannot be read is named as a whole.
		{"/l?status=%zz", []string{"query"}},
		{"/l?limit=5;status=A", []string{"query"}},
		// Names are case-sensitive: LIMIT is not limit.
		{"/l?LIMIT=5", []string{"LIMIT"}},
	}
	for _, tc := range cases {
		q := queryOf(tc.target, "limit", "cursor", "status")
		q.page()
		q.text("status")
		if got := fieldsOf(t, q.Err()); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %q, want %q", tc.target, got, tc.want)
		}
	}
}

func TestQueryValues(t *testing.T) {
	t.Parallel()
	q := queryOf("/l?id=7&flag=false&name=ab&day=2027-02-28&who=me&many=A&many=&many=B&limit=3&cursor="+encodeCursor(9),
		"id", "flag", "name", "day", "who", "many", "limit", "cursor", "absent")
	id, flag, name, day, who, many, page := q.id("id"), q.boolean("flag"), q.text("name"), q.date("day"), q.idOrMe("who", 42), q.texts("many"), q.page()
	if err := q.Err(); err != nil {
		t.Fatalf("valid query refused: %v", err)
	}
	if *id != 7 || *flag || *name != "ab" || day.Format(domain.DateLayout) != "2027-02-28" || *who != 42 ||
		!slices.Equal(many, []string{"A", "B"}) || page != (domain.Page{After: 9, Limit: 3}) {
		t.Fatalf("values %d %v %q %v %d %q %+v", *id, *flag, *name, day, *who, many, page)
	}
	if q.id("absent") != nil || q.boolean("absent") != nil || q.text("absent") != nil || q.date("absent") != nil || q.texts("absent") != nil {
		t.Fatal("an absent parameter read as a value")
	}
	if p := queryOf("/l", "limit", "cursor").page(); p != (domain.Page{Limit: defaultPageLimit}) {
		t.Fatalf("default page %+v", p)
	}
}

func TestQueryBadValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		target string
		read   func(q *query)
	}{
		{"/l?v=0", func(q *query) { q.id("v") }},
		{"/l?v=2147483648", func(q *query) { q.id("v") }},
		{"/l?v=1.5", func(q *query) { q.id("v") }},
		{"/l?v=you", func(q *query) { q.idOrMe("v", 1) }},
		{"/l?v=yes", func(q *query) { q.boolean("v") }},
		{"/l?v=TRUE", func(q *query) { q.boolean("v") }},
		{"/l?v=2027-02-30", func(q *query) { q.date("v") }},
		{"/l?v=2027-2-3", func(q *query) { q.date("v") }},
		{"/l?v=0001-01-01", func(q *query) { q.date("v") }},
		{"/l?v=%FF", func(q *query) { q.text("v") }},
		{"/l?v=a%00b", func(q *query) { q.text("v") }},
		{"/l?v=" + strings.Repeat("x", domain.MaxNameLength+1), func(q *query) { q.text("v") }},
		{"/l?v=ok&v=%FF", func(q *query) { q.texts("v") }},
		{"/l?v=me&v=me", func(q *query) { q.idOrMe("v", 1) }},
	}
	for _, tc := range cases {
		q := queryOf(tc.target, "v")
		tc.read(q)
		if got := fieldsOf(t, q.Err()); !slices.Equal(got, []string{"v"}) {
			t.Errorf("%s: fields %q, want [v]", tc.target, got)
		}
	}
	for _, target := range []string{"/l?limit=0", "/l?limit=501", "/l?limit=x", "/l?cursor=garbage", "/l?cursor=" + encodeCursor(1<<31)} {
		q := queryOf(target, "limit", "cursor")
		q.page()
		if got := fieldsOf(t, q.Err()); len(got) != 1 || !strings.Contains(target, got[0]+"=") {
			t.Errorf("%s: fields %q", target, got)
		}
	}
}

// TestQueryReadOfUndeclaredPanics: a handler reading a parameter it did not declare would refuse
// its own parameter as unknown; the reader says so at once instead.
func TestQueryReadOfUndeclaredPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("reading an undeclared parameter did not panic")
		}
	}()
	queryOf("/l?status=A", "limit").text("status")
}

// TestQueryErrorsAreBounded: a query string of many unknown parameters is answered like a body of
// many bad fields, with the first domain.MaxFieldErrors named and the rest counted.
func TestQueryErrorsAreBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "p%03d=1&", i)
	}
	b.WriteString(strings.Repeat("n", 500) + "=1")
	err := queryOf("/l?"+b.String(), "limit").Err()
	var e *domain.Error
	if !errors.As(err, &e) || len(e.Fields) != domain.MaxFieldErrors || e.Extra["errors_total"] != 301 {
		t.Fatalf("error %v with %d fields, extra %v", err, len(e.Fields), e.Extra)
	}
	if e.Fields[0].Field != strings.Repeat("n", 200)+"…" {
		t.Fatalf("first field %q, want the long name cut at 200 characters", e.Fields[0].Field)
	}
}
