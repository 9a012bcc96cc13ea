package schema

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a recipe, positioned in the user's file.
type Error struct {
	File      string
	Line, Col int // 1-based; 0 when unknown
	// Field is the recipe path of the problem, e.g. "sources.1.sha256";
	// empty for problems with the document as a whole.
	Field string
	Msg   string
}

// Error renders "file:line:col: field: message", leaving out the position
// when it is unknown and the field when it is empty.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one recipe, sorted by position. Loading
// reports them all at once so a user fixes a recipe in one pass.
type Errors []*Error

// Error renders one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the individual problems to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Sorted is es sorted by file and position, without exact duplicates.
func (es Errors) Sorted() Errors { return slices.Clone(es).normalize() }

// normalize sorts by position and drops exact duplicates: CUE reports the
// same conflict once per conjunct, and users should read it once.
func (es Errors) normalize() Errors {
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	return slices.CompactFunc(es, func(a, b *Error) bool { return *a == *b })
}
