// Package importer turns recipes of other package builders (Toltec, SPK,
// spksrc, Synology, syspkg) into kiln recipes. Each kind is a subpackage
// reading its own format into the same Recipe; this package owns what
// they share: the report of what could not be carried over, and writing
// recipes (CUE or YAML), their local files and shared files into an
// output directory, the same bytes on every run.
package importer

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Kinds of notes.
const (
	// Dropped: the field has no kiln counterpart and is left out.
	Dropped = "dropped"
	// Approximated: the field is carried over in a form that may not
	// behave exactly as in the source format.
	Approximated = "approximated"
	// Filled: the source format lacks a field kiln requires, and the
	// import's option (--maintainer, --timestamp, --license) gave it.
	// Listed in the report, but nothing of the source was lost.
	Filled = "filled"
)

// FilledOr is Filled when the import's option gave the value, else
// Approximated (a placeholder stands in for it).
func FilledOr(given bool) string {
	if given {
		return Filled
	}
	return Approximated
}

// Note is one source field that was not carried over exactly.
type Note struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func (n Note) String() string {
	at := n.File
	if n.Line > 0 {
		at = fmt.Sprintf("%s:%d", n.File, n.Line)
	}
	return fmt.Sprintf("%s: %s: %s: %s", at, n.Field, n.Kind, n.Message)
}

// LocalFile is a file of the source recipe copied beside the kiln recipe.
type LocalFile struct {
	From string // path on disk
	To   string // slash path relative to the recipe's directory
}

// Recipe is one imported kiln recipe.
type Recipe struct {
	Name   string      // the recipe's name, and its directory in the output
	Source string      // the file it was read from
	Fields Map         // the recipe
	Files  []LocalFile // copied beside the recipe
	Notes  []Note      // what was dropped or approximated
	// Generated are files the importer writes beside the recipe, by
	// slash path relative to the recipe's directory.
	Generated map[string][]byte
}

// Note records a note for field at file:line.
func (r *Recipe) Note(file string, line int, field, kind, format string, args ...any) {
	r.Notes = append(r.Notes, Note{File: file, Line: line, Field: field, Kind: kind, Message: fmt.Sprintf(format, args...)})
}

// Whole reports whether everything of the source was carried over: no
// note but values the import's options filled in.
func (r *Recipe) Whole() bool {
	for _, n := range r.Notes {
		if n.Kind != Filled {
			return false
		}
	}
	return true
}

// SortNotes orders notes by file, line and field, so reports do not
// depend on the order an importer looked at things.
func (r *Recipe) SortNotes() {
	sort.SliceStable(r.Notes, func(i, j int) bool {
		a, b := r.Notes[i], r.Notes[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Field < b.Field
	})
}

// Import is what one kind of importer returns for its inputs.
type Import struct {
	Recipes []*Recipe
	// Shared files for the output's root (a targets/ file), by slash path.
	Shared map[string][]byte
}

// Options are the settings every importer takes.
type Options struct {
	// Defaults for fields the source format lacks (SPK has no maintainer,
	// license or timestamp); an importer that uses one says so.
	Maintainer string
	License    string
	Timestamp  string
	// TemplateOpts are the options a templated spec is rendered with
	// (SPK's spk build -o version=2.4.0), over its own defaults.
	TemplateOpts map[string]string
}

// Importer reads recipes of one kind: each path is a recipe file, a
// package directory or a tree of them.
type Importer func(paths []string, o Options) (*Import, error)

var kinds = map[string]Importer{}

// Register makes an importer available by name (its package's init).
func Register(name string, f Importer) { kinds[name] = f }

// Kinds lists the registered importers.
func Kinds() []string {
	var out []string
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Lookup finds the importer named kind.
func Lookup(kind string) (Importer, error) {
	f, ok := kinds[kind]
	if !ok {
		return nil, fmt.Errorf("no importer %q (importers: %s)", kind, strings.Join(Kinds(), ", "))
	}
	return f, nil
}

// RelTo makes path relative to the working directory when it is under
// it, so reports name files as the user gave them.
func RelTo(path string) string {
	if !filepath.IsAbs(path) {
		return filepath.ToSlash(filepath.Clean(path))
	}
	return filepath.ToSlash(path)
}

// LineOf is the line of the first occurrence of needle in data at or
// after line from (1-based; 0 or 1 for the whole text), 0 when absent:
// formats whose parsers keep no positions are reported at the line their
// field's name is on.
func LineOf(data []byte, needle string, from int) int {
	lines := strings.Split(string(data), "\n")
	for i := max(from-1, 0); i < len(lines); i++ {
		if strings.Contains(lines[i], needle) {
			return i + 1
		}
	}
	return 0
}
