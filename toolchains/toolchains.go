// Package toolchains owns kiln's build targets: one .cue file per target
// (base image, Debian cross packages, triplet, environment, architecture
// names per format) and the LLB state of each target's toolchain image.
package toolchains

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
)

//go:embed *.cue
var files embed.FS

// Target is one entry of toolchains/*.cue.
type Target struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Suite       string            `json:"suite"`
	Image       string            `json:"image"`
	DebianArch  string            `json:"debian_arch"`
	Triplet     string            `json:"triplet"`
	Platform    string            `json:"platform"`
	Packages    []string          `json:"packages"`
	Env         map[string]string `json:"env"`
	Qemu        string            `json:"qemu"`
	// Libc is the C library the target's packages must run on (nil for
	// noarch): its ELF files may need no newer symbol version.
	Libc *Libc `json:"libc,omitempty"`
	// Formats maps a package format (ipk, spk, syspkg) to how it names
	// the target's architecture.
	Formats map[string]struct {
		Arch string `json:"arch"`
	} `json:"formats"`
}

// Libc names a C library and the oldest version of it a target runs on.
type Libc struct {
	Name    string `json:"name"`    // glibc, musl, uclibc
	Version string `json:"version"` // e.g. 2.36
}

var (
	loadOnce sync.Once
	targets  map[string]*Target
	loadErr  error
)

func load() (map[string]*Target, error) {
	loadOnce.Do(func() { targets, loadErr = decode() })
	return targets, loadErr
}

// decode builds the embedded files as one CUE package and decodes targets.
func decode() (map[string]*Target, error) {
	inst := build.NewContext().NewInstance("toolchains", nil)
	names, err := fs.Glob(files, "*.cue")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		src, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile("toolchains/"+n, src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("toolchains: %w", err)
		}
		if err := inst.AddSyntax(f); err != nil {
			return nil, fmt.Errorf("toolchains: %w", err)
		}
	}
	v := cuecontext.New().BuildInstance(inst)
	if err := v.Validate(cue.Concrete(true)); err != nil {
		return nil, fmt.Errorf("toolchains: %w", err)
	}
	var out struct {
		Targets map[string]*Target `json:"targets"`
	}
	if err := v.Decode(&out); err != nil {
		return nil, fmt.Errorf("toolchains: %w", err)
	}
	return out.Targets, nil
}

// Lookup returns the target called name.
func Lookup(name string) (*Target, error) {
	ts, err := load()
	if err != nil {
		return nil, err
	}
	t, ok := ts[name]
	if !ok {
		return nil, fmt.Errorf("unknown target %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return t, nil
}

// Names lists all targets, sorted.
func Names() []string {
	ts, _ := load()
	n := make([]string, 0, len(ts))
	for k := range ts {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}
