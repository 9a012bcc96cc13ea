package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Files lists the inputs under paths: a path naming a file is taken as
// it is; a directory is walked for the files match accepts (hidden
// directories skipped), sorted. Each file is listed once.
func Files(paths []string, match func(name string) bool) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && path != p && strings.HasPrefix(d.Name(), "."):
				return filepath.SkipDir
			case !d.IsDir() && match(d.Name()):
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no recipe of this kind in the directory", p)
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	var uniq []string
	for _, f := range out {
		if !slices.Contains(uniq, f) {
			uniq = append(uniq, f)
		}
	}
	return uniq, nil
}

// Each reads every input with read and gathers the recipes; the errors of
// all inputs are returned together, each naming its input.
func Each(inputs []string, read func(input string) ([]*Recipe, error)) (*Import, error) {
	im := &Import{}
	var errs []error
	for _, in := range inputs {
		rs, err := read(in)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", RelTo(in), err))
			continue
		}
		im.Recipes = append(im.Recipes, rs...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return im, nil
}
