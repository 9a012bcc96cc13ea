// Package lock finds what a recipe file leaves open (a git source's ref
// without its commit, a url source without sha256, a fixed-output source
// without digest) and writes the resolved values back into the file,
// keeping the rest of it: YAML and JSON by inserting text, CUE through its
// syntax tree (comments and order kept, the file formatted as cue fmt
// does). Resolving is the caller's: kiln asks the BuildKit daemon.
package lock

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Kinds of pins.
const (
	Commit = "commit"
	SHA256 = "sha256"
	Digest = "digest"
)

// Pin is one value a source leaves open.
type Pin struct {
	// Field is the source's path in the file ("sources.1",
	// "per_target.rm2.sources.0", "recipes.app.sources.0" in a
	// repository file); Kind the field to fill.
	Field, Kind string
	// Recipe is the recipe's key in a repository file ("" in a recipe
	// file), Source the source's path in that recipe ("sources.0").
	Recipe, Source string
	// Git and Ref name a commit to resolve (Ref "" = the default branch);
	// URL a file whose sha256 to compute.
	Git, Ref, URL string
	// Value is the resolved value, set by the caller.
	Value string
}

func (p *Pin) String() string { return p.Field + "." + p.Kind + ": " + p.Value }

// source is one source's fields as the document spells them.
type source struct {
	field  string            // the path in the file
	recipe string            // the recipe's key in a repository file
	local  string            // the path in the recipe
	values map[string]string // scalar fields
	at     insertion
}

// recipeAt names the recipe of key in a repository file ("" for the
// file's own recipe) and the prefix of its paths in the file.
type recipeAt struct{ key, prefix string }

// repoRecipe is the recipe of key under a repository file's recipes:.
func repoRecipe(key string) recipeAt { return recipeAt{key: key, prefix: "recipes." + key + "."} }

// source starts the description of source i of a list at path list
// ("sources", "per_target.rm2.sources") in the recipe.
func (r recipeAt) source(list string, i int) source {
	local := list + "." + strconv.Itoa(i)
	return source{field: r.prefix + local, recipe: r.key, local: local, values: map[string]string{}}
}

// pinsOf are the pins of s.
func pinsOf(s source) []*Pin {
	has := func(k string) bool { _, ok := s.values[k]; return ok }
	var out []*Pin
	switch {
	case has("git") && !has("commit"):
		out = append(out, &Pin{Kind: Commit, Git: s.values["git"], Ref: s.values["ref"]})
	case has("url") && !has("sha256"):
		out = append(out, &Pin{Kind: SHA256, URL: s.values["url"]})
	case (has("script") && s.values["network"] == "true") || has("gomod") || has("npm") || has("pip") || has("cargo"):
		if !has("digest") {
			out = append(out, &Pin{Kind: Digest})
		}
	}
	for _, p := range out {
		p.Field, p.Recipe, p.Source = s.field, s.recipe, s.local
	}
	return out
}

// Find lists the pins the recipe file (its name picks the format) leaves
// open, in the file's order: its literal sources and per_target's, in a
// repository file those of each recipe under recipes:.
func Find(filename string, data []byte) ([]*Pin, error) {
	var srcs []source
	var err error
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".cue":
		srcs, err = cueSources(filename, data)
	case ".yaml", ".yml", ".json":
		srcs, err = yamlSources(filename, data)
	default:
		return nil, fmt.Errorf("%s: not a recipe file (.cue, .yaml, .yml, .json)", filename)
	}
	if err != nil {
		return nil, err
	}
	var out []*Pin
	for _, s := range srcs {
		out = append(out, pinsOf(s)...)
	}
	return out, nil
}

// Apply writes the pins that have a value into data.
func Apply(filename string, data []byte, pins []*Pin) ([]byte, error) {
	var set []*Pin
	for _, p := range pins {
		if p.Value != "" {
			set = append(set, p)
		}
	}
	if len(set) == 0 {
		return data, nil
	}
	if strings.ToLower(filepath.Ext(filename)) == ".cue" {
		return cueApply(filename, data, set)
	}
	// Where each source is in data (which may have changed since Find).
	srcs, err := yamlSources(filename, data)
	if err != nil {
		return nil, err
	}
	at := map[string]insertion{}
	for _, s := range srcs {
		at[s.field] = s.at
	}
	for _, p := range set {
		if _, ok := at[p.Field]; !ok {
			return nil, fmt.Errorf("%s: no source %s", filename, p.Field)
		}
	}
	// Insert from the end, so earlier offsets stay right.
	slices.SortStableFunc(set, func(a, b *Pin) int { return at[b.Field].offset - at[a.Field].offset })
	out := data
	for _, p := range set {
		out = at[p.Field].insert(out, p.Kind, p.Value)
	}
	return out, nil
}
