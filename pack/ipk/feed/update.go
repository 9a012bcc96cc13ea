package feed

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/kiln-build/kiln/version"
)

// Update makes each directory that received built .ipk files (among
// paths) a feed of everything it holds: the index is rewritten over the
// packages that were there before and the new ones. With prune, a
// package file older than one just built (same package and architecture,
// a lower version) is removed first; without it, older versions stay in
// the feed, as opkg feeds keep them for downgrades. It returns the files
// removed.
func Update(paths []string, prune bool) ([]string, error) {
	byDir := map[string][]string{}
	for _, p := range paths {
		if filepath.Ext(p) == ".ipk" {
			byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], p)
		}
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	var removed []string
	for _, dir := range dirs {
		if prune {
			gone, err := pruneDir(dir, byDir[dir])
			removed = append(removed, gone...)
			if err != nil {
				return removed, err
			}
		}
		if _, err := WriteDir(dir); err != nil {
			return removed, fmt.Errorf("indexing %s: %w", dir, err)
		}
	}
	return removed, nil
}

// pruneDir removes the packages of dir older than one of built.
func pruneDir(dir string, built []string) ([]string, error) {
	newest := map[string]version.Version{} // package/arch -> version built
	isBuilt := map[string]bool{}
	for _, p := range built {
		e, err := Read(p, filepath.Base(p))
		if err != nil {
			return nil, err
		}
		v, err := version.Parse(e.Version)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		k := e.Package + "/" + e.Arch
		if old, ok := newest[k]; !ok || version.Compare(v, old) > 0 {
			newest[k] = v
		}
		isBuilt[filepath.Base(p)] = true
	}
	all, err := filepath.Glob(filepath.Join(dir, "*.ipk"))
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, p := range all {
		if isBuilt[filepath.Base(p)] {
			continue
		}
		e, err := Read(p, filepath.Base(p))
		if err != nil {
			return removed, err
		}
		built, ok := newest[e.Package+"/"+e.Arch]
		if v, err := version.Parse(e.Version); !ok || err != nil || version.Compare(v, built) >= 0 {
			continue // another package, a newer one, or one kiln cannot order
		}
		if err := os.Remove(p); err != nil {
			return removed, err
		}
		removed = append(removed, p)
	}
	return removed, nil
}
