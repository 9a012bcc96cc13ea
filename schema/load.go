package schema

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// RecipeFiles are the names Load looks for in a directory, in this order.
var RecipeFiles = []string{"kiln.cue", "kiln.yaml", "kiln.yml", "kiln.json"}

// MaxSize bounds a recipe file. Recipes are a few kilobytes; the bound keeps
// a stray large file from stalling the evaluator.
const MaxSize = 4 << 20

// Load loads the recipe at path: a recipe file, or a directory holding
// exactly one of RecipeFiles. A repository file (many recipes) is an
// error here; LoadRepo loads those.
func Load(path string) (*Recipe, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("loading recipe: %w", err)
	}
	if !fi.IsDir() {
		return LoadFile(path)
	}
	file, err := recipeFile(path)
	if err != nil {
		return nil, err
	}
	if file == "" {
		return nil, fmt.Errorf("%s: no recipe found (want one of %s)", path, strings.Join(RecipeFiles, ", "))
	}
	return LoadFile(file)
}

// recipeFile returns the recipe file of dir, or "" if it has none.
func recipeFile(dir string) (string, error) {
	var found []string
	for _, name := range RecipeFiles {
		ok, err := fileAt(dir, name)
		if err != nil {
			return "", err
		}
		if ok {
			found = append(found, name)
		}
	}
	return pickRecipe(dir, found)
}

// fileAt: dir/name is a file, or a link to one.
func fileAt(dir, name string) (bool, error) {
	fi, err := os.Stat(filepath.Join(dir, name))
	switch {
	case err == nil:
		return !fi.IsDir(), nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("loading recipe: %w", err)
	}
}

// recipeAmong is recipeFile for a directory already read: its entries.
func recipeAmong(dir string, entries []fs.DirEntry) (string, error) {
	var found []string
	for _, name := range RecipeFiles {
		i, listed := slices.BinarySearchFunc(entries, name, func(e fs.DirEntry, n string) int { return strings.Compare(e.Name(), n) })
		if !listed {
			continue
		}
		ok := !entries[i].IsDir()
		if entries[i].Type()&fs.ModeSymlink != 0 {
			// A link counts when it leads to a file, as for recipeFile.
			var err error
			if ok, err = fileAt(dir, name); err != nil {
				return "", err
			}
		}
		if ok {
			found = append(found, name)
		}
	}
	return pickRecipe(dir, found)
}

// pickRecipe is the one recipe file of dir among found.
func pickRecipe(dir string, found []string) (string, error) {
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return filepath.Join(dir, found[0]), nil
	default:
		return "", fmt.Errorf("%s: several recipes found (%s); keep exactly one", dir, strings.Join(found, ", "))
	}
}

// LoadFile reads and parses one recipe file. Recipe.File is path as given
// and Recipe.Dir its directory, against which local sources resolve.
func LoadFile(path string) (*Recipe, error) {
	data, err := readRecipe(path)
	if err != nil {
		return nil, err
	}
	r, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	r.File = path
	r.Dir = filepath.Dir(path)
	return r, nil
}

func readRecipe(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading recipe: %w", err)
	}
	defer f.Close()
	// One byte over MaxSize is enough for parse to reject the file.
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading recipe: %w", err)
	}
	return data, nil
}

// Parse validates a recipe held in memory. The format follows filename's
// extension (.cue, .yaml, .yml, .json); filename also names the file in
// positions. Any problem with the content is reported as Errors; a
// repository file is one (ParseRepo reads those).
func Parse(filename string, data []byte) (*Recipe, error) {
	d, rs, err := parse(filename, data, false)
	if err != nil {
		return nil, err
	}
	if d.repo {
		return nil, Errors{{File: filename, Msg: `a repository file (top-level "recipes") holds many recipes; load it with LoadRepo`}}
	}
	return rs[0], nil
}

// ParseRepo validates a recipe file or a repository file held in memory
// and returns its recipes: one for a recipe file, one per key of recipes
// (in the file's order) for a repository file.
func ParseRepo(filename string, data []byte) ([]*Recipe, error) {
	_, rs, err := parse(filename, data, true)
	return rs, err
}

// parse decodes and evaluates data; a repository file is only evaluated
// when repo allows it.
func parse(filename string, data []byte, repo bool) (d *document, rs []*Recipe, err error) {
	// A panic in a decoder or the evaluator must not take down a CLI run
	// or a BuildKit frontend; report it against the file instead.
	defer func() {
		if p := recover(); p != nil {
			d, rs, err = nil, nil, Errors{{File: filename, Msg: fmt.Sprintf("internal error while loading recipe: %v", p)}}
		}
	}()
	d, errs := decode(filename, data)
	if errs != nil {
		return nil, nil, errs.normalize()
	}
	if d.repo && !repo {
		return d, nil, nil
	}
	rs, err = bounded(filename, func() ([]*Recipe, error) { return evaluate(d) })
	return d, rs, err
}

// RecipeFile is the recipe file path names: path itself, or the recipe
// file of a directory.
func RecipeFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return path, nil
	}
	file, err := recipeFile(path)
	if err == nil && file == "" {
		err = fmt.Errorf("%s: no recipe found (want one of %s)", path, strings.Join(RecipeFiles, ", "))
	}
	return file, err
}
