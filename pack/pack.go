// Package pack defines what every package format kiln writes has in common:
// the package metadata handed to the in-graph pack step, and the small
// interface each format (pack/ipk, ...) implements and registers.
package pack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Package is the metadata of one output package. It travels into the build
// graph as JSON, so it holds only plain values.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Arch is the package's architecture as its format names it.
	Arch string `json:"arch"`
	// Target is the build target the package was built for ("" when not
	// built by a recipe); install hooks see it and Arch (HookEnv).
	Target      string   `json:"target,omitempty"`
	Maintainer  string   `json:"maintainer"`
	Summary     string   `json:"summary"`
	Description string   `json:"description,omitempty"`
	Section     string   `json:"section,omitempty"`
	License     string   `json:"license,omitempty"`
	Homepage    string   `json:"homepage,omitempty"`
	Depends     []string `json:"depends,omitempty"`
	Conflicts   []string `json:"conflicts,omitempty"`
	Replaces    []string `json:"replaces,omitempty"`
	Provides    []string `json:"provides,omitempty"`
	// Sonames are the sonames the package's shared libraries provide,
	// found in the graph (package shlibs); ipk records them as Provides
	// entries, so a later build or a feed reader finds the package by
	// what its libraries are called.
	Sonames []string `json:"sonames,omitempty"`
	// Hooks are the recipe's install scripts (Toltec's functions); each
	// format maps them onto its own maintainer scripts.
	Hooks Hooks `json:"hooks,omitzero"`
	// Scripts are install scripts keyed by the name the format stores them
	// under (for ipk: preinst, postinst, prerm, postrm), used as they are.
	// Optional; a script may come from Hooks or Scripts, not both.
	Scripts map[string]string `json:"scripts,omitempty"`
	// Conffiles are absolute paths (as installed) of configuration files the
	// package manager must not overwrite on upgrade. Optional.
	Conffiles []string `json:"conffiles,omitempty"`
	// Epoch is SOURCE_DATE_EPOCH: every mtime in the package is clamped to it.
	Epoch int64 `json:"epoch"`
	// Options is the recipe's formats.<format> object for the format being
	// packed, as JSON; each format decodes (and rejects unknown keys of) its own.
	Options json.RawMessage `json:"options,omitempty"`
	// RecipeFiles are the recipe's own files the options name (an spk
	// icon beside the recipe), which the build mounts into the pack step;
	// not part of the metadata.
	RecipeFiles []string `json:"-"`
}

// Derive adds the runtime dependencies found in the package's ELF files
// (Debian syntax, "libgreet (>= 1.2.0-1)") and the sonames it provides.
// A dependency on a package the recipe already depends on is left out:
// the recipe's own constraint stands.
func (p *Package) Derive(depends, sonames []string) {
	have := map[string]bool{}
	for _, d := range p.Depends {
		have[relationName(d)] = true
	}
	for _, d := range depends {
		if n := relationName(d); !have[n] {
			have[n] = true
			p.Depends = append(p.Depends, d)
		}
	}
	p.Sonames = sonames
}

// relationName is the package a relation ("name (>= 1.0)") names.
func relationName(rel string) string {
	f := strings.Fields(rel)
	if len(f) == 0 {
		return ""
	}
	name, _, _ := strings.Cut(f[0], "(")
	return name
}

// Hooks are shell fragments run on the device around install, upgrade and
// removal, with Toltec's semantics (see toltec-recipe "Install Section").
type Hooks struct {
	Preinstall  string `json:"preinstall,omitempty"`
	Configure   string `json:"configure,omitempty"`
	Preremove   string `json:"preremove,omitempty"`
	Postremove  string `json:"postremove,omitempty"`
	Preupgrade  string `json:"preupgrade,omitempty"`
	Postupgrade string `json:"postupgrade,omitempty"`
}

// HookEnv is what every install script made from p's hooks starts with
// when p was built for a target: $KILN_TARGET and $KILN_ARCH (p's
// architecture as its format names it: rm2 for an .ipk, armv7 for an .spk
// of the same build) as plain values, since hooks run on the device,
// where the build is gone. "" without a target.
func (p *Package) HookEnv() string {
	if p.Target == "" {
		return ""
	}
	return "export KILN_TARGET=" + ShellQuote(p.Target) + " KILN_ARCH=" + ShellQuote(p.Arch) + "\n"
}

// ShellQuote quotes s for POSIX shells: single quotes, a single quote
// inside written as '\”.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Format writes packages of one kind.
type Format interface {
	// Name is the format's name in recipes and on the command line ("ipk").
	Name() string
	// FileName is the conventional file name of p in this format.
	FileName(p *Package) string
	// Pack writes the package whose installed files are the tree at root.
	// Output depends only on p and the tree's names, modes and contents.
	Pack(p *Package, root string, w io.Writer) error
}

// Checker is implemented by formats that can tell before any build starts
// whether they will be able to pack p (names, versions, options), so bad
// input fails in seconds rather than after the build.
type Checker interface {
	Check(p *Package) error
}

// Check runs f's Checker, if it has one.
func Check(f Format, p *Package) error {
	if c, ok := f.(Checker); ok {
		return c.Check(p)
	}
	return nil
}

var (
	mu      sync.RWMutex
	formats = map[string]Format{}
)

// Register makes a format available by name; formats call it from init.
func Register(f Format) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := formats[f.Name()]; dup {
		panic(fmt.Sprintf("pack: format %q registered twice", f.Name()))
	}
	formats[f.Name()] = f
}

// Lookup returns the format registered under name.
func Lookup(name string) (Format, error) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := formats[name]
	if !ok {
		return nil, fmt.Errorf("unknown package format %q (known: %v)", name, namesLocked())
	}
	return f, nil
}

// Names lists the registered formats, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	var n []string
	for k := range formats {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// DecodeOptions decodes a recipe's formats.<format> object (raw JSON) into
// v, over what v already holds. Empty input or null leaves v as it is.
// Unknown keys are an error naming the options v has: a misspelt key
// would otherwise be dropped without a word.
func DecodeOptions(format string, raw []byte, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if key, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
			key = strings.TrimSuffix(key, `"`)
			return fmt.Errorf("formats.%s: unknown option %q (%s)", format, key, suggest(format, key, knownOptions(v)))
		}
		return fmt.Errorf("formats.%s options: %s", format, strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("formats.%s options: unexpected data after the JSON object", format)
	}
	return nil
}

// knownOptions lists the JSON names of v's fields.
func knownOptions(v any) []string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	if t != nil && t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// suggest says what the user may have meant by key: the known option one
// or two edits away, or the short list of options, or where they are.
func suggest(format, key string, known []string) string {
	for _, k := range known {
		if distance(key, k) <= 2 {
			return fmt.Sprintf("did you mean %q?", k)
		}
	}
	switch {
	case len(known) == 0:
		return "formats." + format + " takes no options"
	case len(known) <= 12:
		return "known: " + strings.Join(known, ", ")
	}
	return "see formats." + format + " in the README"
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
