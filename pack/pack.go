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
// Unknown keys are an error: a misspelt key would otherwise be dropped
// without a word.
func DecodeOptions(format string, raw []byte, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("formats.%s options: %w", format, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("formats.%s options: unexpected data after the JSON object", format)
	}
	return nil
}
