package schema

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
)

// CheckTargets reports every target name a recipe of rs lists that is
// not one of known (the build's targets: kiln's own and the repository's,
// see toolchains), positioned at the name in the recipe's file. The schema
// only checks that a name is well formed: which targets exist depends on
// the repository, not on the recipe file alone (and the recipe cache keys
// by the file). Loading keeps no positions, so a file with such a problem
// is read again, by read (nil: from disk).
func CheckTargets(rs []*Recipe, known []string, read func(file string) ([]byte, error)) error {
	if read == nil {
		read = os.ReadFile
	}
	type bad struct {
		r     *Recipe
		index int
	}
	var files []string
	byFile := map[string][]bad{}
	for _, r := range rs {
		for i, t := range r.Targets {
			if slices.Contains(known, t) {
				continue
			}
			if byFile[r.File] == nil {
				files = append(files, r.File)
			}
			byFile[r.File] = append(byFile[r.File], bad{r, i})
		}
	}
	var all []error
	for _, file := range files {
		var d *document
		var data cue.Value
		if src, err := read(file); err == nil {
			if d, _ = decode(file, src); d != nil && d.cue != nil {
				data = cuecontext.New().BuildFile(d.cue)
			} else if d != nil {
				data = cuecontext.New().BuildExpr(d.expr)
			}
		}
		var errs Errors
		for _, b := range byFile[file] {
			path := join("targets", strconv.Itoa(b.index))
			if d != nil && d.repo {
				path = join(repoField, selector(b.r.Name), path)
			}
			msg := fmt.Sprintf("%s is not a known target (known: %s)", strconv.Quote(b.r.Targets[b.index]), strings.Join(known, ", "))
			if d == nil {
				errs = append(errs, &Error{File: file, Field: path, Msg: msg})
				continue
			}
			errs = append(errs, d.errorAt(data, path, msg))
		}
		if d != nil {
			errs = d.attribute(errs)
		}
		all = append(all, errs.normalize())
	}
	return errors.Join(all...)
}
