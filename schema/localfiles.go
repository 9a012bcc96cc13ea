package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Local files a recipe names (path sources, patches) are looked up in its
// directory when it is loaded from disk, so a missing one fails at
// validation, not in the middle of a build. This runs after the recipe
// cache: the files may change while the recipe does not.

// localFile is one file a recipe names, at a path relative to the recipe.
type localFile struct {
	field, name string
}

// localFiles lists the path sources and patches of r, per_target's
// included, and a relative spk icon or wizard directory.
func localFiles(r *Recipe) []localFile {
	var out []localFile
	add := func(at string, sources []Source, patches []string) {
		for i, s := range sources {
			if s.Path != "" {
				out = append(out, localFile{join(at, "sources", strconv.Itoa(i), "path"), s.Path})
			}
		}
		for i, p := range patches {
			out = append(out, localFile{join(at, "patches", strconv.Itoa(i)), p})
		}
	}
	add("", r.Sources, r.Patches)
	// An spk icon given relative to the recipe is one of its files too
	// (an absolute one is a file of the pack step).
	for _, k := range []string{"icon", "icon_256", "wizard"} {
		if p, ok := r.Formats["spk"][k].(string); ok && p != "" && !filepath.IsAbs(p) && p[0] != '/' {
			out = append(out, localFile{join("formats", "spk", k), p})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.PerTarget)) {
		if t := r.PerTarget[name]; t != nil {
			add(join("per_target", selector(name)), t.Sources, t.Patches)
		}
	}
	return out
}

// checkLocalFiles reports the files rs (all from the file path, which
// data holds) name that are missing from their recipe's directory,
// positioned at the field naming them.
func checkLocalFiles(path string, data []byte, rs []*Recipe) error {
	var d *document
	var errs Errors
	for _, r := range rs {
		for _, f := range localFiles(r) {
			msg := ""
			switch fi, err := os.Stat(filepath.Join(r.Dir, filepath.FromSlash(f.name))); {
			case errors.Is(err, fs.ErrNotExist):
				msg = fmt.Sprintf("%s does not exist (paths are relative to the recipe's directory, %s)", strconv.Quote(f.name), r.Dir)
			case err != nil:
				msg = err.Error()
			case !fi.IsDir() && !fi.Mode().IsRegular():
				msg = fmt.Sprintf("%s is not a file or directory", strconv.Quote(f.name))
			case strings.HasSuffix(f.field, ".wizard"):
				if !fi.IsDir() {
					msg = fmt.Sprintf("%s is not a directory (of wizard files)", strconv.Quote(f.name))
				} else {
					continue
				}
			case fi.IsDir() && strings.HasPrefix(f.field, "formats."):
				msg = fmt.Sprintf("%s is a directory, not a file", strconv.Quote(f.name))
			case fi.IsDir() && f.field != "" && !isSourcePath(f.field):
				msg = fmt.Sprintf("%s is a directory, not a patch file", strconv.Quote(f.name))
			default:
				continue
			}
			if d == nil {
				d = decodeForPositions(path, data)
			}
			errs = append(errs, d.recipeError(r, f.field, msg))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs.normalize()
}

// isSourcePath reports whether field is a source's path (a directory is
// fine there), not a patch.
func isSourcePath(field string) bool {
	_, last := splitLast(field)
	return last == "path"
}

// decodeForPositions decodes data (a valid recipe or repository file) for
// the positions of its fields only.
func decodeForPositions(path string, data []byte) *document {
	d, _ := decode(path, data)
	if d == nil {
		d = &document{file: path}
	}
	return d
}

// recipeError positions msg at field of r (a recipe path), which d holds:
// where the user wrote the field, else its nearest written ancestor.
func (d *document) recipeError(r *Recipe, field, msg string) *Error {
	if d.repo {
		field = join(repoField, selector(r.Name), field)
	}
	x := &explainer{d: d}
	p, _ := x.ancestorPos(field)
	return &Error{File: d.file, Line: p.line, Col: p.col, Field: field, Msg: msg}
}

// ErrorAt positions msg at field (a recipe path, e.g. "formats.spk") of r,
// re-reading its file for positions: for checks made after loading, such
// as a compile. Without a file (a recipe parsed from memory) the error
// names the field only.
func ErrorAt(r *Recipe, field, msg string) *Error {
	if r.File == "" {
		return &Error{Field: field, Msg: msg}
	}
	data, err := readRecipe(r.File)
	if err != nil {
		return &Error{File: r.File, Field: field, Msg: msg}
	}
	return decodeForPositions(r.File, data).recipeError(r, field, msg)
}

// LocalPaths are the files and directories r names in its directory (path
// sources, patches, spk icon and wizard), joined to r.Dir: what loading r
// checks are there.
func LocalPaths(r *Recipe) []string {
	var out []string
	for _, f := range localFiles(r) {
		out = append(out, filepath.Join(r.Dir, filepath.FromSlash(f.name)))
	}
	return out
}
