package scaffold

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// RecipeFile is the recipe's file name in its directory for format.
func RecipeFile(format string) string { return "kiln." + format }

// Files returns every file of the new recipe directory, by path relative
// to it: the recipe and the program's sources.
func Files(o Options) (map[string][]byte, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	r, src := recipe(o)
	var data []byte
	var err error
	if o.Format == "cue" {
		data, err = renderCUE(r)
	} else {
		data, err = renderYAML(r, o.SchemaRef)
	}
	if err != nil {
		return nil, fmt.Errorf("writing the recipe: %w", err)
	}
	files := map[string][]byte{RecipeFile(o.Format): data}
	for p, s := range src {
		files[p] = []byte(s)
	}
	return files, nil
}

// Write makes dir with the files of o: in a temporary directory beside it
// first, renamed into place once whole, so dir is complete or absent.
// An existing dir is an error.
func Write(dir string, o Options) error {
	files, err := Files(o)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("%s already exists", dir)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // after the rename, nothing is left there
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		full := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if filepath.Ext(p) == ".sh" || filepath.Ext(p) == ".py" {
			mode = 0o755
		}
		if err := os.WriteFile(full, files[p], mode); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return nil
}
