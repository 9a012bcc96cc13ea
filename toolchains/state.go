package toolchains

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// BuildPlatform is where toolchains run: cross compilers on amd64.
var BuildPlatform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// Options are the machine-level settings a toolchain image depends on.
type Options struct {
	// BaseImage replaces the target's image (e.g. a local registry copy).
	BaseImage string
	// AptMirror is the Debian mirror URL apt uses while installing packages.
	AptMirror string
	// Images, when set, replaces base images by states the client named
	// (buildx --build-context NAME=...).
	Images *Images
	// Fetch are the proxies and registries fixed-output sources fetch
	// through, and the images they fetch in.
	Fetch Fetch
	// Pins, when set, are the digests base images resolved to: they are
	// pulled by digest, and the SBOMs record it.
	Pins *Pins
}

// Images are base images replaced by other states, by reference, with
// the digest of each replacement that is an image itself.
type Images struct {
	byRef   map[string]llb.State
	digests map[string]string
}

// ReplaceImage is Replace by an image whose digest is known (a named
// context docker-image://REF, resolved by the client): the SBOMs record
// that digest, as for a pinned image.
func (i *Images) ReplaceImage(ref string, st llb.State, digest string) {
	i.Replace(ref, st)
	if i.digests == nil {
		i.digests = map[string]string{}
	}
	i.digests[ref] = digest
}

// Replace makes toolchains start from st wherever they would pull ref.
func (i *Images) Replace(ref string, st llb.State) {
	if i.byRef == nil {
		i.byRef = map[string]llb.State{}
	}
	i.byRef[ref] = st
}

// image is the state a toolchain starts from for ref.
func (o Options) image(ref string) llb.State {
	if o.Replaced(ref) {
		return o.Images.byRef[ref]
	}
	return llb.Image(o.pinned(ref), llb.Platform(BuildPlatform))
}

// BaseImages lists the images toolchains for targets (of s) start from,
// with recipes' own images, for a client that may replace them.
func (s *Set) BaseImages(o Options, targets []string, recipeImages []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(ref string) {
		if ref != "" && !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	add(o.BaseImage)
	add(unpackerImage)
	for _, n := range targets {
		// --base-image replaces Debian bases, never a toolchain image.
		if t, err := s.Lookup(n); err == nil && (o.BaseImage == "" || t.kind() == KindImage) {
			add(t.Image)
		}
	}
	for _, ref := range recipeImages {
		add(ref)
	}
	sort.Strings(out)
	return out
}

// Validate reports settings without which no toolchain can be built.
func (o Options) Validate() error {
	if o.AptMirror == "" {
		return fmt.Errorf("no Debian mirror set: pass --apt-mirror URL or set KILN_APT_MIRROR")
	}
	return nil
}

// states memoizes toolchain states: llb.State values are immutable, and a
// repository of many recipes asks for the same few toolchains many times.
var states sync.Map // stateKey -> llb.State

type stateKey struct {
	// toolchain is what the toolchain depends on, not the target's name:
	// a repository may define its own armv7 (another suite), and a
	// long-running frontend sees both. label names the vertices.
	toolchain toolchain
	label     string
	opts      Options
	image     string // a recipe's own base image
	extra     string // a recipe's build: packages, sorted and joined
}

// toolchain is what a target's toolchain image depends on. Targets that
// agree on it (rmall, rm1 and rm2 extending armv7 with their own ipk
// architecture names) get the same LLB, so one vertex, built and cached
// once, whatever else tells them apart: description, env, formats, libc.
type toolchain struct {
	kind                     Kind
	image, suite, debianArch string
	packages                 string  // sorted, space-joined
	archive                  Archive // of an archive toolchain
}

// toolchain is t's toolchain key.
func (t *Target) toolchain() toolchain {
	pkgs := slices.Sorted(slices.Values(t.Packages))
	k := toolchain{kind: t.kind(), image: t.Image, suite: t.Suite, debianArch: t.DebianArch, packages: strings.Join(pkgs, " ")}
	if t.Archive != nil {
		k.archive = *t.Archive
	}
	return k
}

// kind is t's toolchain kind; Debian's cross packages unless it says.
func (t *Target) kind() Kind {
	if t.Kind == "" {
		return KindDebian
	}
	return t.Kind
}

// Toolchain names the target whose toolchain t builds in: the target t
// starts from (extends, or kiln's own of its name) when t changes nothing
// its toolchain depends on (kind, image, suite, Debian architecture,
// packages and archive), else t itself. Toolchain vertices are labelled
// with it ("toolchain armv7: install ..."), so every target of a device
// family shows the one toolchain they share.
func (t *Target) Toolchain() string {
	if t.toolchainOf != "" {
		return t.toolchainOf
	}
	return t.Name
}

func memo(k stateKey, make func() llb.State) llb.State {
	if st, ok := states.Load(k); ok {
		return st.(llb.State)
	}
	st, _ := states.LoadOrStore(k, make())
	return st.(llb.State)
}

// State is the toolchain image of t: the base image with the target's
// packages installed (and, for an archive toolchain, its archive
// unpacked), or the toolchain image as it is. Its LLB depends only on
// what t's toolchain depends on and on o, so every recipe for the same
// target, and every target sharing the toolchain, shares one cached
// vertex.
func (t *Target) State(o Options) llb.State {
	return t.For(o, "", nil)
}

// For is the toolchain one recipe builds in: t's toolchain, started from
// image instead of the usual base when the recipe names one (Toltec's
// image), plus the recipe's build: dependencies installed on top as one
// more vertex, so the shared toolchain below stays cached for everyone.
func (t *Target) For(o Options, image string, extra []string) llb.State {
	pkgs := append([]string(nil), extra...)
	sort.Strings(pkgs)
	label := "toolchain " + t.Toolchain()
	k := stateKey{toolchain: t.toolchain(), label: label, opts: o, image: image, extra: strings.Join(pkgs, " ")}
	return memo(k, func() llb.State {
		if len(pkgs) > 0 {
			base := t.For(o, image, nil)
			if t.kind() == KindEmulated {
				// Native: the target's packages are the system's own.
				pkgs = nativePackages(pkgs, t.DebianArch)
			} else {
				base = t.multiarch(base, pkgs, label)
			}
			return aptInstall(base, t.Suite, pkgs, o, label+" + build dependencies")
		}
		base := t.BaseImage(o, image)
		switch t.kind() {
		case KindImage:
			return withSysroot(o.image(base), t.Suite, t.Packages, o, label, base)
		case KindArchive:
			return t.withArchive(withSysroot(o.image(base), t.Suite, t.Packages, o, label, base), o, label)
		case KindEmulated:
			return aptInstall(t.emulatedImage(o, base), t.Suite, t.Packages, o, label, "mkdir -p /sysroot")
		}
		return aptInstall(t.multiarch(o.image(base), t.Packages, label), t.Suite, t.Packages, o, label, "mkdir -p /sysroot")
	})
}

// multiarch is base ready for pkgs: when one is of the target's
// architecture (NAME:armhf, a library for the device, as a target of
// Toltec's qt image lists), dpkg is told that architecture first.
func (t *Target) multiarch(base llb.State, pkgs []string, label string) llb.State {
	if !slices.ContainsFunc(pkgs, func(p string) bool { return strings.Contains(p, ":") }) {
		return base
	}
	return base.Run(llb.Args([]string{"dpkg", "--add-architecture", t.DebianArch}),
		llb.WithCustomName(label+": enable "+t.DebianArch+" packages")).Root()
}

// BaseImage is the image reference t's toolchain starts from for a
// recipe naming image ("" = none): the recipe's, else the --base-image
// setting, else the target's own.
func (t *Target) BaseImage(o Options, image string) string {
	switch {
	case image != "":
		return image
	case o.BaseImage != "" && t.kind() != KindImage:
		// A toolchain image is the compiler, not a Debian base.
		return o.BaseImage
	}
	return t.Image
}

// withSysroot is base (the image called ref) with packages installed and
// /sysroot made, where host: dependencies go unless the target's env
// names another $SYSROOT; without packages, no apt-get runs, so an image
// without it serves too.
func withSysroot(base llb.State, suite string, packages []string, o Options, label, ref string) llb.State {
	if len(packages) > 0 {
		return aptInstall(base, suite, packages, o, label, "mkdir -p /sysroot")
	}
	return base.File(llb.Mkdir("/sysroot", 0o755, llb.WithParents(true)),
		llb.WithCustomName(fmt.Sprintf("%s: %s with /sysroot", label, ref)))
}

// Unpacker is the image that extracts source archives: the base image with
// the archivers, shared by every target so an archive is unpacked once.
func Unpacker(o Options) llb.State {
	return memo(stateKey{opts: o}, func() llb.State { return unpacker(o) })
}

// unpackerImage is where the unpacker starts unless BaseImage is set.
const unpackerImage = "docker.io/library/debian:bookworm"

func unpacker(o Options) llb.State {
	image := unpackerImage
	if o.BaseImage != "" {
		image = o.BaseImage
	}
	return aptInstall(o.image(image), "bookworm", []string{"bzip2", "unzip", "xz-utils"}, o, "unpacker")
}

// emulatedImage is base pulled for the target's own platform, so every
// step on it runs under qemu-user (binfmt on the daemon's host).
func (t *Target) emulatedImage(o Options, ref string) llb.State {
	p, err := platforms.Parse(t.Platform)
	if err != nil {
		// The schema checked the platform; a bad one fails the solve.
		return llb.Scratch().Async(func(context.Context, llb.State, *llb.Constraints) (llb.State, error) {
			return llb.State{}, fmt.Errorf("target %s: platform %q: %w", t.Name, t.Platform, err)
		})
	}
	return llb.Image(o.pinned(ref), llb.Platform(p))
}

// nativePackages drops the target-architecture qualifier (NAME:arm64)
// that build:NAME:target asks for: on an emulated toolchain the target's
// architecture is the native one.
func nativePackages(pkgs []string, arch string) []string {
	out := make([]string, len(pkgs))
	for i, p := range pkgs {
		out[i] = strings.TrimSuffix(p, ":"+arch)
	}
	return out
}
