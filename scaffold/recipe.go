// Package scaffold makes new recipe directories (kiln new): a recipe in
// CUE or YAML and the sources of a small program in one of a few
// languages, which validate and build as they are.
package scaffold

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kiln-build/kiln/recipefmt"
)

// Options say what to make.
type Options struct {
	Name       string    // the recipe and package name
	Lang       string    // one of Langs
	Format     string    // one of Formats
	Maintainer string    // "Name <email>"
	License    string    // SPDX
	Time       time.Time // the recipe's timestamp (a date)
	// SchemaRef is the $schema a YAML recipe's first line names for the
	// YAML language server: a path relative to the recipe, or a URL.
	SchemaRef string
}

// Langs and Formats are what Options may name.
var (
	Langs   = []string{"c", "go", "rust", "python", "shell"}
	Formats = []string{"cue", "yaml"}
)

// nameRe mirrors #Name in schema/recipe.cue (validation checks it again).
var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]*$`)

func (o Options) check() error {
	if !nameRe.MatchString(o.Name) {
		return fmt.Errorf("%q is not a package name (lowercase letters, digits, '+', '-', '.'; starting with a letter or digit)", o.Name)
	}
	if !slices.Contains(Langs, o.Lang) {
		return fmt.Errorf("unknown language %q (want one of %s)", o.Lang, strings.Join(Langs, ", "))
	}
	if !slices.Contains(Formats, o.Format) {
		return fmt.Errorf("unknown recipe format %q (want one of %s)", o.Format, strings.Join(Formats, ", "))
	}
	return nil
}

// A recipe is written from this small model: fields in order, each with
// the comment above it, values of the kinds below.
type field struct {
	key     string
	comment string
	value   any // string, block, []string, []any of obj, obj
}

// block is a multi-line string (a script).
type block string

// obj is a mapping whose keys keep their order.
type obj []field

// recipe returns the fields of o's recipe and the other files, by path.
func recipe(o Options) (obj, map[string]string) {
	l := langs[o.Lang](o.Name)
	r := obj{
		{key: "name", value: o.Name, comment: "The package name; the fields are described in the field table of\nkiln's README (\"Recipes\"), and kiln schema prints the schema."},
		{key: "version", value: "0.1.0-1", comment: "A Debian version: [epoch:]upstream[-revision]."},
		{key: "summary", value: l.summary},
		{key: "license", value: o.License, comment: "An SPDX license expression."},
		{key: "maintainer", value: o.Maintainer},
		{key: "timestamp", value: o.Time.UTC().Format("2006-01-02"), comment: "SOURCE_DATE_EPOCH: every file of the package gets this date."},
	}
	if l.targets != nil {
		r = append(r, field{key: "targets", value: l.targets, comment: l.targetsComment})
	}
	r = append(r, l.fields...)
	// In the order kiln fmt writes, the README's field table's.
	slices.SortStableFunc(r, func(a, b field) int {
		return slices.Index(recipefmt.FieldOrder, a.key) - slices.Index(recipefmt.FieldOrder, b.key)
	})
	return r, l.files
}
