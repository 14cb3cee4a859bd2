package api

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"

	"mrmflow/internal/domain"
)

// query reads the query string of one list endpoint strictly, the one place that does
// (docs/limits.md, "Lists"): the handler declares every parameter the endpoint takes, and a parameter it did not
// declare, a parameter given twice that is not read as a list, or a value of the wrong type is an
// invalid_request naming the parameter. Every problem is collected (fields, domain.Check), so a
// client learns all of them at once; the handler calls Err after reading.
//
// Like decodeJSON it converts and does not judge: enumerations and rules across parameters stay
// in the service's check of its filter (docs/code.md, "Three layers, one direction"). An empty
// value (?status=) is the same as leaving the parameter out, as it always was.
type query struct {
	fields
	values   url.Values
	declared map[string]bool
}

// readQuery parses r's query string for a handler that takes exactly the parameters names.
func readQuery(r *http.Request, names ...string) *query {
	q := &query{declared: make(map[string]bool, len(names))}
	for _, n := range names {
		q.declared[n] = true
	}
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// ParseQuery keeps every well-formed pair; what it could not read (a bad %-escape, a ';'
		// separator) has no trustworthy name, so the whole query string is named.
		q.Add("query", "is not a valid query string: name=value pairs joined by '&', with %%XX escapes")
	}
	q.values = values
	unknown := make([]string, 0, len(values))
	for name := range values {
		if !q.declared[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown) // the same request, the same answer
	for _, name := range unknown {
		q.Add(name, "is not a parameter of this list")
	}
	return q
}

// one returns the value of a parameter that may be given once ("" when absent or empty).
func (q *query) one(name string) string {
	if !q.declared[name] {
		// A handler reading what it did not declare would refuse its own parameter: a bug.
		panic("api: query parameter " + name + " is read but not declared")
	}
	switch vs := q.values[name]; len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	default:
		q.Add(name, "is given %d times; it is not a list, give it once", len(vs))
		return ""
	}
}

// texts returns every non-empty value of a parameter that may repeat (?status=A&status=B), each
// checked as text; nil when absent.
func (q *query) texts(name string) []string {
	if !q.declared[name] {
		panic("api: query parameter " + name + " is read but not declared")
	}
	var out []string
	for _, v := range q.values[name] {
		if v != "" && q.checkText(name, v) {
			out = append(out, v)
		}
	}
	return out
}

// id reads an optional id (1..2147483647, the int4 keys).
func (q *query) id(name string) *int32 { return q.parseID(name, q.one(name)) }

// idOrMe reads an optional parameter that is "me" (the caller, me) or a user id.
func (q *query) idOrMe(name string, me int32) *int32 {
	v := q.one(name)
	if v == "me" {
		return &me
	}
	return q.parseID(name, v)
}

func (q *query) parseID(name, v string) *int32 {
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || narrowID(n) == 0 {
		q.Add(name, domain.NotAnID)
		return nil
	}
	id := int32(n)
	return &id
}

// boolean reads an optional true/false (nil when absent).
func (q *query) boolean(name string) *bool {
	switch v := q.one(name); v {
	case "":
		return nil
	case "true", "false":
		b := v == "true"
		return &b
	}
	q.Add(name, "must be true or false")
	return nil
}

// text reads an optional text of at most domain.MaxNameLength characters that PostgreSQL can
// store (valid UTF-8, no NUL).
func (q *query) text(name string) *string {
	v := q.one(name)
	if v == "" || !q.checkText(name, v) {
		return nil
	}
	return &v
}

func (q *query) checkText(name, v string) bool {
	switch {
	case !validText(v):
		q.Add(name, "must be valid UTF-8 without NUL characters")
	case utf8.RuneCountInString(v) > domain.MaxNameLength:
		q.Add(name, "must be at most %d characters", domain.MaxNameLength)
	default:
		return true
	}
	return false
}

// date reads an optional YYYY-MM-DD date, by the rules of a date in a body (fields.date); the
// lists that take as_of read it with this.
func (q *query) date(name string) *domain.Date {
	v := q.one(name)
	if v == "" {
		return nil
	}
	return q.fields.date(name, &v, false)
}

// page reads ?limit= and ?cursor= of a list keyed by an int4 id; both must be declared.
func (q *query) page() domain.Page { return q.pageUpTo(math.MaxInt32) }

// pageUpTo reads ?limit= (default defaultPageLimit, 1..maxPageLimit) and ?cursor=; a cursor past
// maxKey (the list key's largest value) was not made by this API for this list.
func (q *query) pageUpTo(maxKey int64) domain.Page {
	p := domain.Page{Limit: q.limit()}
	if v := q.one("cursor"); v != "" {
		after, ok := decodeCursor(v)
		if !ok || after > maxKey {
			q.Add("cursor", domain.NotACursor)
		} else {
			p.After = after
		}
	}
	return p
}

// limit reads ?limit= (default defaultPageLimit, 1..maxPageLimit).
func (q *query) limit() int32 {
	v := q.one("limit")
	if v == "" {
		return defaultPageLimit
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPageLimit {
		q.Add("limit", "must be a whole number from 1 to %d", maxPageLimit)
		return defaultPageLimit
	}
	return int32(n)
}

// keyCursor reads the ?cursor= of a list keyed by parts values (encodeKeyCursor); nil when absent.
// Whether the values are a position of that list is the service's to judge.
func (q *query) keyCursor(parts int) []int64 {
	v := q.one("cursor")
	if v == "" {
		return nil
	}
	after, ok := decodeKeyCursor(v, parts)
	if !ok {
		q.Add("cursor", domain.NotACursor)
	}
	return after
}

// wholeNumber reads an optional whole number (0..2147483647; nil when absent); its range for the
// list is the service's to judge.
func (q *query) wholeNumber(name string) *int32 {
	v := q.one(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 0 {
		q.Add(name, "must be a whole number")
		return nil
	}
	m := int32(n)
	return &m
}
