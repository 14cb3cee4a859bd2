package domain

import (
	"encoding/json"
	"time"
)

// Date is a calendar date, written as YYYY-MM-DD in JSON.
type Date struct{ time.Time }

// DateLayout is the only accepted and produced date format.
const DateLayout = "2006-01-02"

// ParseDate parses a YYYY-MM-DD date strictly.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	return Date{t}, err
}

// TimePtr is d as the *time.Time a nullable date parameter takes (nil stays nil): every list's
// as_of is passed to its query this way.
func (d *Date) TimePtr() *time.Time {
	if d == nil {
		return nil
	}
	t := d.Time
	return &t
}

// NewDate wraps a date read from the database.
func NewDate(t time.Time) Date {
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// DatePtr converts a nullable database date.
func DatePtr(t *time.Time) *Date {
	if t == nil {
		return nil
	}
	d := NewDate(*t)
	return &d
}

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.Format(DateLayout)) }

// TimePtr converts a nullable database timestamp to UTC, the zone every API time is given in.
func TimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Page asks for one page of a list in keyset order: items after the cursor position After
// (0 = from the start; for newest-first lists, 0 = from the newest), at most Limit of them.
type Page struct {
	After int64
	Limit int32
}

// PageOf cuts a list fetched with Limit+1 rows down to Limit and says where the next page
// starts (nil on the last page).
func PageOf[T any](rows []T, limit int32, key func(T) int64) ([]T, *int64) {
	if int32(len(rows)) <= limit {
		return rows, nil
	}
	rows = rows[:limit]
	next := key(rows[len(rows)-1])
	return rows, &next
}

// KeyPage asks for one page of a list whose keyset position is composite: the rows after After,
// a position in the list's order (nil = from the start), at most Limit of them. Each list
// documents the values its position holds.
type KeyPage struct {
	After []int64
	Limit int32
}

// PageOfKeys is PageOf for a composite position: it cuts rows fetched with Limit+1 down to Limit
// and returns the position of the last one kept (nil on the last page).
func PageOfKeys[T any](rows []T, limit int32, key func(T) []int64) ([]T, []int64) {
	if int32(len(rows)) <= limit {
		return rows, nil
	}
	rows = rows[:limit]
	return rows, key(rows[len(rows)-1])
}
