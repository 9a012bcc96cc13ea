// Package toolchains owns kiln's build targets: one .cue file per target
// (base image, Debian cross packages, triplet, environment, architecture
// names per format), the targets a repository defines itself (user.go),
// and the LLB state of each target's toolchain image.
package toolchains

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
)

//go:embed *.cue
var files embed.FS

// Target is one entry of toolchains/*.cue, or a target a repository
// defines.
type Target struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Kind is what the toolchain is: Debian's cross packages, a
	// toolchain image or a toolchain archive.
	Kind       Kind     `json:"toolchain"`
	Suite      string   `json:"suite"`
	Image      string   `json:"image"`
	DebianArch string   `json:"debian_arch"`
	Triplet    string   `json:"triplet"`
	Platform   string   `json:"platform"`
	Packages   []string `json:"packages"`
	// Archive is the toolchain archive of an Archive toolchain.
	Archive *Archive          `json:"archive,omitempty"`
	Env     map[string]string `json:"env"`
	Qemu    string            `json:"qemu"`
	// Libc is the C library the target's packages must run on (nil for
	// noarch): its ELF files may need no newer symbol version.
	Libc *Libc `json:"libc,omitempty"`
	// SystemLibs are the sonames (or shell patterns of them) the target's
	// base system always has, which meet a NEEDED entry no package
	// provides.
	SystemLibs []string `json:"system_libs,omitempty"`
	// SystemPackages are the packages (name: version) every device of
	// the target has.
	SystemPackages map[string]string `json:"system_packages,omitempty"`
	// Formats maps a package format (ipk, spk, syspkg) to how it names
	// the target's architecture.
	Formats map[string]struct {
		Arch string `json:"arch"`
	} `json:"formats"`
	// Families are targets whose packages the target's devices install
	// too (Toltec's rmall for rm1 and rm2; see Serving).
	Families []string `json:"families,omitempty"`

	// toolchainOf is the target whose toolchain this one shares (see
	// Toolchain), "" for its own.
	toolchainOf string
}

// Kind is what a target's toolchain is.
type Kind string

// The toolchain kinds.
const (
	// KindDebian toolchains are Debian's cross packages of a suite, installed
	// on a Debian base image.
	KindDebian Kind = "debian"
	// KindImage toolchains are an image that has its own cross compiler (as
	// Toltec ships them), used as it is.
	KindImage Kind = "image"
	// KindArchive toolchains are a toolchain archive (as Synology publishes
	// one per DSM platform) unpacked into a Debian base image.
	KindArchive Kind = "archive"
	// KindEmulated toolchains are the target architecture's own Debian
	// image with Debian's native compiler: builds run under qemu-user.
	KindEmulated Kind = "emulated"
)

// Archive is a toolchain archive: fetched from URL and checked against
// SHA256, unpacked into Dest dropping Strip leading path components.
type Archive struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Strip  int    `json:"strip"`
	Dest   string `json:"dest"`
	// MaxUnpacked bounds the bytes the archive may unpack to (0: the
	// default, DefaultUnpackLimit).
	MaxUnpacked int64 `json:"max_unpacked,omitempty"`
}

// Libc names a C library and the oldest version of it a target runs on.
type Libc struct {
	Name    string `json:"name"`    // glibc, musl, uclibc
	Version string `json:"version"` // e.g. 2.36
}

// builtin is kiln's own targets, decoded once.
var builtin = sync.OnceValues(func() (*Set, error) {
	v, err := instance(cuecontext.New())
	if err != nil {
		return nil, err
	}
	if err := v.Validate(cue.Concrete(true)); err != nil {
		return nil, fmt.Errorf("toolchains: %w", err)
	}
	var out struct {
		Targets map[string]*Target `json:"targets"`
	}
	if err := v.Decode(&out); err != nil {
		return nil, fmt.Errorf("toolchains: %w", err)
	}
	s := &Set{targets: out.Targets, origins: map[string]Origin{}}
	for n := range s.targets {
		s.origins[n] = Origin{}
	}
	return s, nil
})

// instance builds the embedded files as one CUE package in ctx: the
// schema (#Target, #File) and kiln's own targets.
func instance(ctx *cue.Context) (cue.Value, error) {
	inst := build.NewContext().NewInstance("toolchains", nil)
	names, err := fs.Glob(files, "*.cue")
	if err != nil {
		return cue.Value{}, err
	}
	for _, n := range names {
		src, err := files.ReadFile(n)
		if err != nil {
			return cue.Value{}, err
		}
		f, err := parser.ParseFile("toolchains/"+n, src, parser.ParseComments)
		if err != nil {
			return cue.Value{}, fmt.Errorf("toolchains: %w", err)
		}
		if err := inst.AddSyntax(f); err != nil {
			return cue.Value{}, fmt.Errorf("toolchains: %w", err)
		}
	}
	v := ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		return cue.Value{}, fmt.Errorf("toolchains: %w", err)
	}
	return v, nil
}

// Set is the targets one build knows: kiln's own, extended and added to
// by the repository's (see Load). A nil *Set is kiln's own targets.
type Set struct {
	targets map[string]*Target
	origins map[string]Origin
}

// Origin is where a target was defined: kiln's own toolchains/*.cue (File
// is empty) or a file of the user's, at the target's name.
type Origin struct {
	File      string
	Line, Col int
	// Extends is the target this one started from: the one it named with
	// extends:, or kiln's own target of the same name ("" if none).
	Extends string
}

// String is "built-in" or "file:line".
func (o Origin) String() string {
	if o.File == "" {
		return "built-in"
	}
	return fmt.Sprintf("%s:%d", o.File, o.Line)
}

// Builtin is the set of kiln's own targets.
func Builtin() (*Set, error) { return builtin() }

func (s *Set) get() (*Set, error) {
	if s != nil {
		return s, nil
	}
	return builtin()
}

// Lookup returns the target called name.
func (s *Set) Lookup(name string) (*Target, error) {
	s, err := s.get()
	if err != nil {
		return nil, err
	}
	t, ok := s.targets[name]
	if !ok {
		return nil, fmt.Errorf("unknown target %q (known: %s)", name, strings.Join(s.Names(), ", "))
	}
	return t, nil
}

// Names lists all targets, sorted.
func (s *Set) Names() []string {
	s, err := s.get()
	if err != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(s.targets))
}

// Origin is where the target called name was defined.
func (s *Set) Origin(name string) Origin {
	s, err := s.get()
	if err != nil {
		return Origin{}
	}
	return s.origins[name]
}

// Lookup returns kiln's own target called name (Set.Lookup knows a
// repository's targets too).
func Lookup(name string) (*Target, error) { return (*Set)(nil).Lookup(name) }
