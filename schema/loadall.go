package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// LoadRepo loads every recipe at path, which is
//
//   - a recipe file or a repository file (see repofile.go);
//   - a directory with a recipe file of its own (one of RecipeFiles):
//     that file, again a single recipe or a repository;
//   - any other directory: every directory below it, at any depth, that
//     holds a recipe file, sorted by path. Hidden directories (.git, ...)
//     are skipped.
//
// Every recipe keeps the File and Dir it came from. Recipe names are
// unique across the repository; a name defined twice is an error naming
// both files. All problems are reported at once.
func LoadRepo(path string) ([]*Recipe, error) {
	return loadRepo(path, nil)
}

func loadRepo(path string, c *Cache) ([]*Recipe, error) {
	files, err := repoFiles(path)
	if err != nil {
		return nil, err
	}
	return loadFiles(files, c)
}

// LoadAll loads every path as LoadRepo does, in parallel, keeping the
// order of paths. Each path is a repository of its own: the same recipe
// may be named twice (kiln validate a.cue a.yaml checks both files), and
// the caller decides what several recipes of one name mean. It reports
// the problems of all paths at once.
func LoadAll(paths []string) ([]*Recipe, error) {
	return LoadAllCached(paths, nil)
}

// LoadAllCached is LoadAll with recipes that loaded cleanly before taken
// from c (nil: no cache).
func LoadAllCached(paths []string, c *Cache) ([]*Recipe, error) {
	rs := make([][]*Recipe, len(paths))
	errs := make([]error, len(paths))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rs[i], errs[i] = loadRepo(p, c)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(rs...), nil
}

// FindRecipes lists the recipe and repository files LoadRepo would read
// at path, without reading them.
func FindRecipes(path string) ([]string, error) { return repoFiles(path) }

// IsRecipeDir reports whether dir holds a recipe file of its own (one of
// RecipeFiles).
func IsRecipeDir(dir string) bool {
	f, err := recipeFile(dir)
	return err != nil || f != ""
}

// repoFiles lists the recipe files path stands for (see LoadRepo).
func repoFiles(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("loading recipe: %w", err)
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	if f, err := recipeFile(path); err != nil || f != "" {
		return []string{f}, err
	}
	// Each directory is read once, and its recipe file found among its
	// entries: a feed has thousands of them.
	var files []string
	var walk func(dir string, entries []fs.DirEntry) error
	walk = func(dir string, entries []fs.DirEntry) error {
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			sub := filepath.Join(dir, e.Name())
			below, err := os.ReadDir(sub)
			if err != nil {
				return err
			}
			f, err := recipeAmong(sub, below)
			if err != nil {
				return err
			}
			if f != "" {
				files = append(files, f)
			}
			if err := walk(sub, below); err != nil {
				return err
			}
		}
		return nil
	}
	entries, err := os.ReadDir(path)
	if err == nil {
		err = walk(path, entries)
	}
	if err != nil {
		return nil, fmt.Errorf("loading recipes: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no recipe found (want one of %s, in it or in a directory below it)", path, strings.Join(RecipeFiles, ", "))
	}
	slices.Sort(files)
	return files, nil
}

// loaded is the outcome of loading one file.
type loaded struct {
	d   *document
	rs  []*Recipe
	err error
}

// loadFiles loads files in parallel (each a recipe or repository file),
// keeping their order, and checks that recipe names are unique.
func loadFiles(files []string, c *Cache) ([]*Recipe, error) {
	out := make([]loaded, len(files))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = loadRepoFile(f, c)
		}()
	}
	wg.Wait()

	var rs []*Recipe
	var errs []error
	var dups Errors
	first := map[string]*Recipe{}
	for i, l := range out {
		if l.err != nil {
			errs = append(errs, l.err)
			continue
		}
		for _, r := range l.rs {
			if prev := first[r.Name]; prev != nil {
				if l.d == nil { // from the cache: parse again for positions
					l = loadRepoFile(files[i], nil)
				}
				dups = append(dups, l.d.duplicate(r, prev))
				continue
			}
			first[r.Name] = r
			rs = append(rs, r)
		}
	}
	if len(dups) > 0 {
		errs = append(errs, dups.normalize())
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return rs, nil
}

func loadRepoFile(path string, c *Cache) loaded {
	data, err := readRecipe(path)
	if err != nil {
		return loaded{err: err}
	}
	if rs, ok := c.get(path, data); ok {
		for _, r := range rs {
			r.File, r.Dir = path, filepath.Dir(path)
		}
		if err := checkLocalFiles(path, data, rs); err != nil {
			return loaded{err: err}
		}
		return loaded{rs: rs}
	}
	d, rs, err := parse(path, data, true)
	if err == nil {
		c.put(path, data, rs)
	}
	for _, r := range rs {
		r.File, r.Dir = path, filepath.Dir(path)
	}
	if err == nil {
		if err := checkLocalFiles(path, data, rs); err != nil {
			return loaded{d: d, err: err}
		}
	}
	return loaded{d: d, rs: rs, err: err}
}

// duplicate reports r, from the file of d, as a second definition of the
// recipe prev, at r's name (or key, in a repository file).
func (d *document) duplicate(r, prev *Recipe) *Error {
	field := "name"
	if d.repo {
		field = join(repoField, selector(r.Name))
	}
	x := &explainer{d: d}
	p, _ := x.ancestorPos(field)
	where := prev.File
	if prev.File == r.File {
		where = "this file"
	}
	return &Error{File: d.file, Line: p.line, Col: p.col, Field: field, Msg: fmt.Sprintf("recipe %q is defined twice (also in %s)", r.Name, where)}
}
