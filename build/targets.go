package build

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	"golang.org/x/sync/errgroup"
)

// LoadTargets returns the targets the recipes at paths may use: kiln's own
// and those their repositories define (toolchains.Load), which are
//
//   - every *.cue, *.yaml, *.yml and *.json file of a targets directory
//     (toolchains.TargetsDir): the one in each directory given, and, for
//     a recipe (a recipe file, or a directory holding one), the ones in
//     the recipe's directory and in its parent, so `kiln build repo/hello`
//     sees repo/targets. A path that is itself a targets directory without
//     a recipe file (repo/targets, as `kiln build repo/*` gives it) holds
//     targets only;
//   - the top-level targets of every repository file at paths.
//
// Without paths, the current directory's are read, if it has any.
func LoadTargets(paths []string) (*toolchains.Set, error) {
	srcs, _, err := targetSources(paths, len(paths) == 0)
	if err != nil {
		return nil, err
	}
	set, err := toolchains.Load(srcs...)
	if err != nil {
		return nil, &RecipeError{err}
	}
	return set, nil
}

// targetSources reads the files that may define targets for paths (see
// LoadTargets), and returns the paths that name recipes. Lenient leaves
// paths that are missing or hold no recipe to others to report.
func targetSources(paths []string, lenient bool) (srcs []toolchains.Source, recipePaths []string, err error) {
	srcs, recipePaths, _, err = findSources(paths, lenient, nil)
	return srcs, recipePaths, err
}

// findSources is targetSources also returning the recipe files found, in
// order, with what was read of them in read (when not nil).
func findSources(paths []string, lenient bool, read map[string][]byte) (srcs []toolchains.Source, recipePaths, files []string, err error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var dirs []string
	seen := map[string]bool{}
	addDir := func(d string) {
		if abs, err := filepath.Abs(d); err == nil && !seen[abs] {
			seen[abs] = true
			dirs = append(dirs, d)
		}
	}
	var errs []error
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			if !lenient {
				errs = append(errs, fmt.Errorf("loading recipe: %w", err))
			}
			recipePaths = append(recipePaths, p)
			continue
		}
		switch {
		case isTargetsDir(p, fi):
			addDir(p)
			continue
		case fi.IsDir() && schema.IsRecipeDir(p):
			addDir(filepath.Join(p, toolchains.TargetsDir))
			addDir(filepath.Join(p, "..", toolchains.TargetsDir))
		case fi.IsDir():
			addDir(filepath.Join(p, toolchains.TargetsDir))
		default:
			addDir(filepath.Join(filepath.Dir(p), toolchains.TargetsDir))
			addDir(filepath.Join(filepath.Dir(p), "..", toolchains.TargetsDir))
		}
		recipePaths = append(recipePaths, p)
		found, err := schema.FindRecipes(p)
		switch {
		case err != nil && !lenient:
			errs = append(errs, err)
		case err == nil:
			files = append(files, found...)
		}
	}
	srcs, err = readTargetDirs(dirs)
	errs = append(errs, err)
	return append(srcs, repoFileSources(files, seen, read)...), recipePaths, files, errors.Join(errs...)
}

// readTargetDirs reads the target files of dirs; a missing dir has none.
func readTargetDirs(dirs []string) (srcs []toolchains.Source, err error) {
	var errs []error
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("reading targets: %w", err))
			continue
		}
		for _, e := range entries {
			if e.IsDir() || !toolchains.IsTargetsFile(e.Name()) {
				continue
			}
			f := filepath.Join(d, e.Name())
			data, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, fmt.Errorf("reading targets: %w", err))
				continue
			}
			srcs = append(srcs, toolchains.Source{File: f, Data: data})
		}
	}
	return srcs, errors.Join(errs...)
}

// repoFileSources are the recipe files among files that may be repository
// files defining targets, each read once (seen holds absolute paths read).
func repoFileSources(files []string, seen map[string]bool, read map[string][]byte) (srcs []toolchains.Source) {
	var once []string
	for _, f := range files {
		if abs, err := filepath.Abs(f); err == nil {
			if seen[abs] {
				continue // named twice (repo and repo/many): read once
			}
			seen[abs] = true
		}
		once = append(once, f)
	}
	// Read side by side (a feed has thousands), used in order.
	data := make([][]byte, len(once))
	var g errgroup.Group
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	for i, f := range once {
		g.Go(func() error {
			data[i], _ = os.ReadFile(f) // the recipe loader reports a failure
			return nil
		})
	}
	_ = g.Wait()
	for i, f := range once {
		if data[i] == nil {
			continue
		}
		if read != nil {
			read[f] = data[i]
		}
		// Only a repository file (top-level recipes) defines targets;
		// toolchains.Load tells, this only saves parsing most recipes twice.
		if bytes.Contains(data[i], []byte("recipes")) && bytes.Contains(data[i], []byte("targets")) {
			srcs = append(srcs, toolchains.Source{File: f, Data: data[i], Recipes: true})
		}
	}
	return srcs
}

// isTargetsDir tells a targets/ directory given as a path (as `repo/*`
// gives it) from a recipe directory.
func isTargetsDir(p string, fi os.FileInfo) bool {
	return fi.IsDir() && filepath.Base(filepath.Clean(p)) == toolchains.TargetsDir && !schema.IsRecipeDir(p)
}
