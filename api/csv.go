package api

import (
	"encoding/csv"
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/export"
)

// CSV answers (docs/exports.md). Every list and report answers text/csv when asked with
// `Accept: text/csv` or `?format=csv`: a header row of the JSON field names (nested objects
// flattened with "_", lists joined with ";"), then every matching row, streamed as the service
// reads them (export.Run), RFC 4180 through encoding/csv.

// wantsCSV reads ?format= (csv or json; a handler that answers CSV declares it) and the Accept
// header: ?format= wins, else an Accept that names text/csv asks for CSV.
func wantsCSV(r *http.Request, q *query) bool {
	switch f := q.text("format"); {
	case f == nil:
	case *f == "csv":
		return true
	case *f == "json":
		return false
	default:
		q.Add("format", "must be csv or json")
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/csv" {
			return true
		}
	}
	return false
}

// csvFilename is the attachment's name: the list's name and the day it was taken on (as_of, else
// today in UTC).
func csvFilename(list string, asOf *domain.Date) string {
	day := time.Now().UTC().Format(domain.DateLayout)
	if asOf != nil {
		day = asOf.Format(domain.DateLayout)
	}
	return list + "-" + day + ".csv"
}

// writeCSV answers r with the rows run sends, as CSV named filename. The HTTP headers and the
// header row go out with the first row (or at the end, for none), so a refusal before it —
// export_too_large, say — is still answered as a problem. An error after rows went out cannot be:
// the connection is then cut (http.ErrAbortHandler), so a client sees a broken download, never a
// file that looks complete.
func writeCSV[T any](s *Server, w http.ResponseWriter, r *http.Request, filename string, run func(each func(T) error) error) error {
	cols := csvColumns(reflect.TypeFor[T](), "")
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	var cw *csv.Writer
	start := func() error {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
		w.WriteHeader(http.StatusOK)
		cw = csv.NewWriter(w)
		return cw.Write(header)
	}
	record := make([]string, len(cols))
	rows := 0
	err := run(func(row T) error {
		if cw == nil {
			if err := start(); err != nil {
				return err
			}
		}
		v := reflect.ValueOf(row)
		for i, c := range cols {
			record[i] = c.cell(v)
		}
		if err := cw.Write(record); err != nil {
			return err
		}
		if rows++; rows%export.ChunkRows == 0 {
			cw.Flush() // a chunk at a time: the answer streams, memory stays flat
			return cw.Error()
		}
		return nil
	})
	if err != nil {
		if cw == nil {
			return err
		}
		s.log.WarnContext(r.Context(), "CSV export cut short", "request_id", requestID(r.Context()), "rows", rows, "error", err)
		panic(http.ErrAbortHandler)
	}
	if cw == nil {
		if err := start(); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvColumn is one column of a CSV answer: its name, and how its cell is read from a row.
type csvColumn struct {
	name string
	cell func(row reflect.Value) string
}

// csvColumns returns the columns of rows of type t, named by their JSON names with prefix: a
// nested object's fields become prefix_field columns; a list of objects becomes one column per
// field, each cell joining the list's values with ";"; a list of values, one column joined the
// same way. Fields the JSON leaves out (json:"-") are left out here too.
func csvColumns(t reflect.Type, prefix string) []csvColumn {
	var cols []csvColumn
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		index := f.Index
		field := func(row reflect.Value) reflect.Value { return row.FieldByIndex(index) }
		ft := f.Type
		switch {
		case f.Anonymous && f.Tag.Get("json") == "" && ft.Kind() == reflect.Struct:
			// An embedded struct's fields are the row's own, as encoding/json writes them.
			for _, c := range csvColumns(ft, prefix) {
				cols = append(cols, csvColumn{name: c.name, cell: func(row reflect.Value) string { return c.cell(field(row)) }})
			}
		case isStruct(ft):
			for _, c := range csvColumns(elem(ft), prefix+name+"_") {
				cols = append(cols, csvColumn{name: c.name, cell: func(row reflect.Value) string {
					v := deref(field(row))
					if !v.IsValid() {
						return ""
					}
					return c.cell(v)
				}})
			}
		case ft.Kind() == reflect.Slice && isStruct(ft.Elem()):
			for _, c := range csvColumns(elem(ft.Elem()), prefix+name+"_") {
				cols = append(cols, csvColumn{name: c.name, cell: func(row reflect.Value) string {
					list := field(row)
					cells := make([]string, list.Len())
					for j := range cells {
						if v := deref(list.Index(j)); v.IsValid() {
							cells[j] = c.cell(v)
						}
					}
					return strings.Join(cells, ";")
				}})
			}
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8:
			cols = append(cols, csvColumn{name: prefix + name, cell: func(row reflect.Value) string {
				list := field(row)
				cells := make([]string, list.Len())
				for j := range cells {
					cells[j] = csvValue(list.Index(j))
				}
				return strings.Join(cells, ";")
			}})
		default:
			cols = append(cols, csvColumn{name: prefix + name, cell: func(row reflect.Value) string { return csvValue(field(row)) }})
		}
	}
	return cols
}

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[domain.Date]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// isStruct says whether t (or what it points to) is an object of its own in the JSON, not a value
// written as one (a time or a date).
func isStruct(t reflect.Type) bool {
	t = elem(t)
	return t.Kind() == reflect.Struct && t != timeType && t != dateType
}

func elem(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// deref follows a pointer; a nil one gives the zero Value.
func deref(v reflect.Value) reflect.Value {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}
		}
		return v.Elem()
	}
	return v
}

// csvValue writes one value as its JSON would show it, unquoted: numbers and booleans as they
// are, times in RFC 3339 UTC, dates as YYYY-MM-DD, null as the empty cell, JSON (an audit row's
// changes) as its text. Text is guarded against formula injection (csvText).
func csvValue(v reflect.Value) string {
	v = deref(v)
	if !v.IsValid() {
		return ""
	}
	switch v.Type() {
	case timeType:
		return v.Interface().(time.Time).UTC().Format(time.RFC3339Nano)
	case dateType:
		return v.Interface().(domain.Date).Format(domain.DateLayout)
	case rawType:
		return csvText(string(v.Bytes()))
	}
	switch v.Kind() {
	case reflect.String:
		return csvText(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return ""
	}
	return csvText(string(b))
}

// csvText guards a text cell against formula injection (OWASP "CSV Injection"): a cell that
// starts with =, +, -, @, a tab or a carriage return would be run as a formula by a spreadsheet,
// so it is written with a leading apostrophe. Numbers and dates are never text here, so a
// negative number stays a number.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportCap is the most rows one CSV answer may hold (EXPORT_MAX_ROWS).
func (s *Server) exportCap() int64 {
	if s.exportMaxRows > 0 {
		return s.exportMaxRows
	}
	return export.DefaultMaxRows
}
