package llb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/version"
	"github.com/moby/buildkit/client/llb"
)

// hostDep is a package of the repository a build needs, with what the
// recipe wrote to ask for it (`makedepends "gcc"`, `option cc (package
// gcc)`): errors name that, not kiln's reading of it.
type hostDep struct {
	version.Dep
	from string
}

// makedepends splits a recipe's makedepends as Toltec does: build:NAME are
// Debian packages installed into the toolchain root (build:NAME:target
// installs the target architecture's package, e.g. a -dev library for the
// cross compiler); host:NAME (the default) are packages of the same
// repository installed into $SYSROOT. field names the list in errors.
func makedepends(field string, specs []string, debArch string) (build []string, host []hostDep, err error) {
	for _, s := range specs {
		kind, rest := "host", s
		if k, r, ok := strings.Cut(s, ":"); ok && (k == "build" || k == "host") {
			kind, rest = k, r
		}
		arch := ""
		if kind == "build" && strings.HasSuffix(rest, ":target") {
			rest, arch = strings.TrimSuffix(rest, ":target"), ":"+debArch
		}
		d, err := version.ParseDep(rest)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %q: %w", field, s, err)
		}
		if kind == "build" {
			// apt takes name=version, not ranges: pin only exact versions.
			pkg := d.Name + arch
			if d.Op == "=" {
				pkg += "=" + d.Version
			} else if d.Op != "" {
				return nil, nil, fmt.Errorf("%s %q: Debian build dependencies take no range, only =VERSION", field, s)
			}
			build = append(build, pkg)
			continue
		}
		host = append(host, hostDep{d, fmt.Sprintf("%s %q", field, s)})
	}
	return build, host, nil
}

// ErrNotInRepository is what Options.Host answers for a package no recipe
// of the build produces.
var ErrNotInRepository = errors.New("no recipe in this build produces it")

// HostPackage is a package built by another recipe of the repository: the
// state holding its file, and the file's name there.
type HostPackage struct {
	State llb.State
	File  string
	// Name is the package's name; Depends the packages its recipe says it
	// depends on, which are installed into $SYSROOT with it when the build
	// produces them (a -dev package brings its library).
	Name    string
	Depends []string
	// Feed: the package comes from a feed (FeedPackage), not the build.
	Feed bool
}

// withSysroot offline-installs the host: dependencies into $SYSROOT of the
// toolchain root, as Toltec does before build(): files only, no scripts.
func (c *compiler) withSysroot(tc llb.State) (llb.State, error) {
	if len(c.host) == 0 {
		return tc, nil
	}
	if c.o.Host == nil {
		return llb.State{}, fmt.Errorf("%s: %w", c.host[0].from, ErrNotInRepository)
	}
	pkgs, err := c.sysrootPackages()
	if err != nil {
		return llb.State{}, err
	}
	c.sysroot = pkgs
	var names []string
	for _, hp := range pkgs {
		names = append(names, strings.TrimSuffix(hp.File, ".ipk"))
	}
	mounts, run := unpack(c, pkgs, "/kiln/host", `"$SYSROOT"`)
	opts := append(append(c.env(), llb.Network(llb.NetModeNone)), mounts...)
	opts = append(opts, run, c.name("install %s into $SYSROOT", strings.Join(names, ", ")))
	return tc.Run(opts...).Root(), nil
}

// sysrootPackages are the host: dependencies and, as a package manager
// would install them, the packages of the build they depend on, each once,
// in the order met.
func (c *compiler) sysrootPackages() ([]HostPackage, error) {
	var pkgs []HostPackage
	seen := map[string]bool{}
	var add func(d hostDep, direct bool) error
	add = func(d hostDep, direct bool) error {
		hp, err := c.o.Host(d.Dep)
		if !direct && (errors.Is(err, ErrNotInRepository) || err == nil && hp.Feed) {
			return nil // the device's feed has it; nothing to link against here
		}
		if err != nil {
			return fmt.Errorf("%s: %w", d.from, err)
		}
		if seen[hp.File] {
			return nil
		}
		seen[hp.File] = true
		pkgs = append(pkgs, hp)
		for _, dep := range hp.Depends {
			if err := add(hostDep{Dep: version.Dep{Name: dep}, from: fmt.Sprintf("package %s depends on %q", hp.Name, dep)}, false); err != nil {
				return err
			}
		}
		return nil
	}
	for _, d := range c.host {
		if err := add(d, true); err != nil {
			return nil, err
		}
	}
	return pkgs, nil
}

// unpack mounts each package at base/N and returns the mounts with the
// step that installs their files into dest (shell text: "$SYSROOT") in
// order, as an offline install (no maintainer scripts). kiln's unpack
// resolves every path and link inside dest, so a link one package ships
// cannot send a later package's files elsewhere (see package unpack).
func unpack(c *compiler, pkgs []HostPackage, base, dest string) ([]llb.RunOption, llb.RunOption) {
	mounts, body := unpackBody(c, pkgs, base, dest, "")
	return mounts, script(body)
}

// unpackBody is unpack's mounts and script; with only set, a package is
// installed only if its name is a line of that file (another step decides
// which), each by its own kiln unpack.
func unpackBody(c *compiler, pkgs []HostPackage, base, dest, only string) ([]llb.RunOption, string) {
	mounts := []llb.RunOption{llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly)}
	cmd := []string{shellQuote("/kiln/bin" + c.o.Packer.Path), "unpack", "--root", dest}
	var guarded strings.Builder
	for i, p := range pkgs {
		dir := fmt.Sprintf("%s/%d", base, i)
		mounts = append(mounts, llb.AddMount(dir, p.State, llb.Readonly))
		file := shellQuote(dir + "/" + p.File)
		if only == "" {
			cmd = append(cmd, file)
			continue
		}
		fmt.Fprintf(&guarded, "if grep -qxF %s %s; then %s %s; fi\n", shellQuote(p.Name), shellQuote(only), strings.Join(cmd, " "), file)
	}
	if only != "" {
		return mounts, guarded.String()
	}
	return mounts, strings.Join(cmd, " ") + "\n"
}
