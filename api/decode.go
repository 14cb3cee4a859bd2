package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"mrmflow/internal/domain"
)

// MaxBodyBytes bounds every request body (docs/limits.md, "Bodies").
const MaxBodyBytes = 1 << 20

// decodeJSON reads the whole body strictly into dst and returns the raw bytes (for the
// Idempotency-Key hash). It refuses a non-JSON content type, unknown fields, wrong types,
// trailing data and bodies over MaxBodyBytes, each with its own error.
func decodeJSON(r *http.Request, dst any) ([]byte, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return nil, domain.Errorf(codeUnsupportedMediaType, "the request body must be sent as Content-Type: application/json")
	}
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, domain.Errorf(codeBodyTooLarge, "the request body is larger than %d bytes", MaxBodyBytes)
	}
	if err != nil {
		return nil, domain.Invalid("body", "could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, domain.Invalid("body", "a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, domain.Invalid("body", "must hold exactly one JSON object; found data after it")
	}
	return body, nil
}

// jsonError turns a decoding error into an invalid_request naming the field where possible.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return domain.Invalid("body", "must be a JSON object")
		}
		return domain.Invalid(field, "must be "+describeType(typeErr))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Invalid("body", "is not valid JSON")
	}
	// encoding/json reports an unknown field only as text; this is the one place its message is
	// read, and only its documented prefix.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return domain.Invalid(strings.Trim(name, `"`), "is not a known field")
	}
	return domain.Invalid("body", "is not valid JSON for this request")
}

func describeType(e *json.UnmarshalTypeError) string {
	switch e.Type.Kind().String() {
	case "int64", "int32", "int":
		if e.Value == "number" || strings.HasPrefix(e.Value, "number") {
			return "a whole number between 1 and 2147483647"
		}
		return "a whole number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of the documented type"
}

// fields converts decoded request values into service input, collecting every problem.
type fields struct{ domain.Check }

// id checks an id: present if required, within 1..2^31-1 (ids are int4).
func (f *fields) id(name string, v *int64, required bool) int32 {
	if v == nil {
		if required {
			f.Add(name, "is required")
		}
		return 0
	}
	if *v < 1 || *v > math.MaxInt32 {
		f.Add(name, domain.NotAnID)
		return 0
	}
	return int32(*v)
}

// number returns a required whole-number field as sent; its range is the service's check.
func (f *fields) number(name string, v *int64) int64 {
	if v == nil {
		f.Add(name, "is required")
		return 0
	}
	return *v
}

// narrowIDs narrows a list of JSON numbers to int4 ids. A number outside 1..2147483647 becomes 0,
// which is never an id: the service's check (domain.Check.IDs, the one home of the list rules:
// length, range, no id twice) refuses it under the item's name.
func narrowIDs(v []int64) []int32 {
	if v == nil {
		return nil
	}
	out := make([]int32, len(v))
	for i, id := range v {
		out[i] = narrowID(id)
	}
	return out
}

// narrowID is id as an int4 id, or 0 (never an id) when it is outside 1..2147483647.
func narrowID(id int64) int32 {
	if id < 1 || id > math.MaxInt32 {
		return 0
	}
	return int32(id)
}

// str returns a string field, noting it if required and missing (lengths are the service's).
func (f *fields) str(name string, v *string, required bool) string {
	if v == nil {
		if required {
			f.Add(name, "is required")
		}
		return ""
	}
	if !validText(*v) {
		f.Add(name, "must be valid UTF-8 without NUL characters")
		return ""
	}
	return *v
}

// nullableStr reads a required field that may be null (raw as decoded into a json.RawMessage):
// absent is "is required", null is nil, a string is itself, anything else is refused.
func (f *fields) nullableStr(name string, raw json.RawMessage) *string {
	if len(raw) == 0 {
		f.Add(name, "is required (null clears it)")
		return nil
	}
	if string(raw) == "null" {
		return nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		f.Add(name, "must be a string or null")
		return nil
	}
	out := f.str(name, &v, true)
	return &out
}

// validText reports whether s can be stored in a PostgreSQL text column: valid UTF-8 without
// NUL (JSON may encode both; PostgreSQL rejects them).
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// date parses a YYYY-MM-DD field.
func (f *fields) date(name string, v *string, required bool) *domain.Date {
	if v == nil {
		if required {
			f.Add(name, "is required")
		}
		return nil
	}
	d, err := domain.ParseDate(*v)
	if err != nil {
		f.Add(name, "must be a date as YYYY-MM-DD")
		return nil
	}
	if d.Year() < minYear || d.Year() > maxYear {
		f.Add(name, "must be a date between %d-01-01 and %d-12-31", minYear, maxYear)
		return nil
	}
	return &d
}

// timestamp parses an optional RFC 3339 time field.
func (f *fields) timestamp(name string, v *string) *time.Time {
	if v == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		f.Add(name, "must be a time as RFC 3339 (2027-01-31T12:00:00Z)")
		return nil
	}
	if t.Year() < minYear || t.Year() > maxYear {
		f.Add(name, "must be a time between the years %d and %d", minYear, maxYear)
		return nil
	}
	return &t
}

// Dates outside these years are typing mistakes, not plans.
const (
	minYear = 1900
	maxYear = 9999
)

// pathID reads an id from the route.
func pathID(r *http.Request, name string) (int32, error) {
	v := mux.Vars(r)[name]
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > math.MaxInt32 {
		return 0, domain.Invalid(name, domain.NotAnID)
	}
	return int32(n), nil
}

// Paging limits (docs/limits.md, "Lists").
const (
	defaultPageLimit = 50
	maxPageLimit     = 500
)

// list is the shape of every list answer.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func listOf[T any](items []T, next *int64) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if next != nil {
		c := encodeCursor(*next)
		l.NextCursor = &c
	}
	return l
}
