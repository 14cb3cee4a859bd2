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

// Check collects the problems of one input, field by field, so a client learns everything wrong
// with a request at once.
type Check struct {
	fields []FieldError
}

// Add records a problem with field.
func (c *Check) Add(field, format string, args ...any) {
	c.fields = append(c.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
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

// Err returns an invalid_request error listing every problem, or nil if there is none.
func (c *Check) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalidRequest, Message: "the request is invalid", Fields: c.fields}
}
