package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of free-form input (docs/limits.md, "Text"); the schema's CHECK constraints say the same.
const (
	MaxNameLength = 200
	MaxTextLength = 4000
)

// MaxFieldErrors bounds the errors listed by one invalid_request: a body of 1 MiB can hold a
// hundred thousand bad items, and listing each would make the answer many times the request.
// Past the bound the answer carries the total instead (errors_total).
const MaxFieldErrors = 50

// Check collects the problems of one input, field by field, so a client learns everything wrong
// with a request at once (up to MaxFieldErrors of them).
type Check struct {
	fields []FieldError
	total  int
}

// Add records a problem with field; past MaxFieldErrors it is only counted.
func (c *Check) Add(field, format string, args ...any) {
	c.total++
	if len(c.fields) < MaxFieldErrors {
		c.fields = append(c.fields, fieldError(field, fmt.Sprintf(format, args...)))
	}
}

// Name checks a required short text (names, codes, emails): 1 to MaxNameLength characters.
func (c *Check) Name(field, value string) { c.text(field, value, true, MaxNameLength) }

// Text checks a free text of at most MaxTextLength characters, required or not.
func (c *Check) Text(field, value string, required bool) {
	c.text(field, value, required, MaxTextLength)
}

func (c *Check) text(field, value string, required bool, limit int) {
	switch n := utf8.RuneCountInString(value); {
	case !utf8.ValidString(value):
		c.Add(field, "must be valid UTF-8")
	case strings.ContainsRune(value, 0):
		c.Add(field, "must not contain the NUL character")
	case required && n == 0:
		c.Add(field, "is required")
	case n > limit:
		c.Add(field, "must be at most %d characters", limit)
	}
}

// IDs checks a list of ids: minLen to maxLen of them, each an id (1 to 2147483647, the range of
// the int4 keys), none listed twice. An item is named by its index (field[i]); a list of the
// wrong length is one error, its items unchecked, so a huge list costs one line of the answer.
func (c *Check) IDs(field string, ids []int32, minLen, maxLen int) {
	switch {
	case len(ids) < minLen:
		c.Add(field, "must list at least %d id(s)", minLen)
		return
	case len(ids) > maxLen:
		c.Add(field, "must list at most %d ids", maxLen)
		return
	}
	seen := make(map[int32]bool, len(ids))
	for i, id := range ids {
		switch {
		case id < 1:
			c.Add(fmt.Sprintf("%s[%d]", field, i), NotAnID)
		case seen[id]:
			c.Add(fmt.Sprintf("%s[%d]", field, i), "duplicates id %d", id)
		}
		seen[id] = true
	}
}

// NotAnID is the problem with a value that cannot be an id.
const NotAnID = "must be an id between 1 and 2147483647"

// Err returns an invalid_request error listing every problem, or nil if there is none.
func (c *Check) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	e := &Error{Code: CodeInvalidRequest, Message: "the request is invalid", Fields: c.fields}
	if c.total > len(c.fields) {
		e.Message = fmt.Sprintf("the request is invalid; the first %d of %d errors are listed", len(c.fields), c.total)
		e.Extra = map[string]any{"errors_total": c.total}
	}
	return e
}

// fieldError builds a FieldError whose field name is at most MaxNameLength characters: a name
// can come from the client (an unknown member, a map key), and is echoed back.
func fieldError(field, message string) FieldError {
	if utf8.RuneCountInString(field) > MaxNameLength {
		field = string([]rune(field)[:MaxNameLength]) + "…"
	}
	return FieldError{Field: field, Message: message}
}
