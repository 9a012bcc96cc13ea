package lock

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kiln-build/kiln/schema"
)

// Open lists the digests the file's recipes, evaluated, leave open: every
// fixed-output source without digest, whether the file spells it out or
// CUE computes it (or a repository's defaults give it). Commits and
// sha256s are not listed: a recipe missing one does not evaluate.
func Open(filename string, data []byte) ([]*Pin, error) {
	rs, err := schema.ParseRepo(filename, data)
	if err != nil {
		return nil, err
	}
	repo, err := isRepo(filename, data)
	if err != nil {
		return nil, err
	}
	var out []*Pin
	for _, r := range rs {
		at := recipeAt{}
		if repo {
			at = repoRecipe(r.Name)
		}
		add := func(list string, ss []schema.Source) {
			for i, s := range ss {
				if s.FixedOutput() && s.Digest == "" {
					src := at.source(list, i)
					out = append(out, &Pin{Field: src.field, Kind: Digest, Recipe: src.recipe, Source: src.local})
				}
			}
		}
		add("sources", r.Sources)
		for _, t := range slices.Sorted(maps.Keys(r.PerTarget)) {
			add("per_target."+t+".sources", r.PerTarget[t].Sources)
		}
	}
	return out, nil
}

// Computed splits the digest pins open lists into those of literal,
// found in the file (Find), and the others: sources the file does not
// spell out, where Apply cannot write. A literal digest pin open does
// not list (the evaluation gives the digest) is in neither.
func Computed(open, literal []*Pin) (written, computed []*Pin) {
	key := func(p *Pin) string { return p.Recipe + "\x00" + p.Source }
	lit := map[string]*Pin{}
	for _, p := range literal {
		if p.Kind == Digest {
			lit[key(p)] = p
		}
	}
	for _, p := range open {
		if l := lit[key(p)]; l != nil {
			written = append(written, l)
		} else {
			computed = append(computed, p)
		}
	}
	return written, computed
}

// isRepo reports whether the file is a repository file (top-level
// recipes), as Find reads it.
func isRepo(filename string, data []byte) (bool, error) {
	if strings.ToLower(filepath.Ext(filename)) == ".cue" {
		f, err := parseCUE(filename, data)
		if err != nil {
			return false, err
		}
		return len(fields(f.Decls, "recipes")) > 0, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return false, fmt.Errorf("%s: %w", filename, err)
	}
	return len(doc.Content) > 0 && value(doc.Content[0], "recipes") != nil, nil
}
