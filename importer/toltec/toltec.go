// Package toltec imports Toltec recipes (bash files named package, one
// per directory) into kiln recipes. A recipe is read the way Toltec reads
// it, by sourcing it with bash (in a sandbox, bash.go); its variables
// become recipe fields, its functions scripts (scripts.go). A split
// package becomes a recipe of its own, since each may have its own
// version, which kiln's split packages share.
package toltec

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/importer"
)

//go:embed targets.yaml
var targetsFile []byte

// TargetsFile is where the Toltec architectures are written as targets,
// relative to the output directory.
const TargetsFile = "targets/toltec.yaml"

func init() { importer.Register("toltec", Import) }

// Import reads every Toltec recipe in paths: a recipe file, a package
// directory (holding a file named package) or a tree of them.
func Import(paths []string, o importer.Options) (*importer.Import, error) {
	files, err := importer.Files(paths, func(name string) bool { return name == "package" })
	if err != nil {
		return nil, err
	}
	im, err := importer.Each(files, readRecipe)
	if err != nil {
		return nil, err
	}
	targets, err := targetsYAML()
	if err != nil {
		return nil, err
	}
	shared, err := libRecipe()
	if err != nil {
		return nil, err
	}
	shared[TargetsFile] = targets
	im.Shared = shared
	return im, nil
}

// readRecipe imports one recipe file: one kiln recipe per package it names.
func readRecipe(file string) ([]*importer.Recipe, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	top, split, ds, err := source(file)
	if err != nil {
		return nil, err
	}
	names := top.arrays["pkgnames"]
	if len(names) == 0 {
		return nil, fmt.Errorf("pkgnames: required (the names of the packages the recipe builds)")
	}
	rd := &recipeData{
		file:  file,
		rel:   importer.RelTo(file),
		dir:   filepath.Dir(file),
		lines: strings.Split(string(data), "\n"),
		top:   top,
		split: len(names) > 1,
	}
	var out []*importer.Recipe
	for _, name := range names {
		v := top
		if sv, ok := split[name]; ok {
			v = sv
		}
		r, err := rd.convert(name, v)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", name, err)
		}
		for _, d := range ds {
			r.Note(rd.rel, d.line, "(recipe)", importer.Dropped, "sourcing the recipe: %s", d.msg)
		}
		r.SortNotes()
		out = append(out, r)
	}
	return out, nil
}

// recipeData is what every package of one recipe file shares.
type recipeData struct {
	file, rel, dir string
	lines          []string
	top            *view
	split          bool
}

// line finds where name is assigned in the recipe: the first assignment
// at or after line from (a split package's function), else the first
// anywhere; 0 when none is found (set by a loop or eval).
func (rd *recipeData) line(name string, from int) int {
	first := 0
	for i, l := range rd.lines {
		t := strings.TrimLeft(l, " \t")
		t = strings.TrimPrefix(t, "local ")
		for _, p := range []string{"declare -a ", "declare "} {
			t = strings.TrimPrefix(t, p)
		}
		if strings.HasPrefix(t, name+"=") || strings.HasPrefix(t, name+"+=") {
			if i+1 >= from && from > 0 {
				return i + 1
			}
			if first == 0 {
				first = i + 1
			}
		}
	}
	return first
}
