package llb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/version"
	"github.com/moby/buildkit/client/llb"
)

// makedepends splits a recipe's makedepends as Toltec does: build:NAME are
// Debian packages installed into the toolchain root (build:NAME:target
// installs the target architecture's package, e.g. a -dev library for the
// cross compiler); host:NAME (the default) are packages of the same
// repository installed into $SYSROOT.
func makedepends(specs []string, debArch string) (build []string, host []version.Dep, err error) {
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
			return nil, nil, fmt.Errorf("makedepends: %w", err)
		}
		if kind == "build" {
			// apt takes name=version, not ranges: pin only exact versions.
			pkg := d.Name + arch
			if d.Op == "=" {
				pkg += "=" + d.Version
			} else if d.Op != "" {
				return nil, nil, fmt.Errorf("makedepends: %q: Debian build dependencies take no range, only =VERSION", s)
			}
			build = append(build, pkg)
			continue
		}
		host = append(host, d)
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
		return llb.State{}, fmt.Errorf("makedepends: host dependencies %v need the repository's recipes", c.host)
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
	mounts, run := unpack(pkgs, "/kiln/host", `"$SYSROOT"`, "")
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
	var add func(d version.Dep, direct bool) error
	add = func(d version.Dep, direct bool) error {
		hp, err := c.o.Host(d)
		if !direct && (errors.Is(err, ErrNotInRepository) || err == nil && hp.Feed) {
			return nil // the device's feed has it; nothing to link against here
		}
		if err != nil {
			return fmt.Errorf("makedepends: %w", err)
		}
		if seen[hp.File] {
			return nil
		}
		seen[hp.File] = true
		pkgs = append(pkgs, hp)
		for _, dep := range hp.Depends {
			if err := add(version.Dep{Name: dep}, false); err != nil {
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
// script that unpacks their files into dest, as an offline install (no
// maintainer scripts). $AR reads any ar archive; the target's is the one
// every toolchain has. tarFlags are added to every tar.
func unpack(pkgs []HostPackage, base, dest, tarFlags string) ([]llb.RunOption, llb.RunOption) {
	mounts, body := unpackBody(pkgs, base, dest, tarFlags, "")
	return mounts, script(body)
}

// unpackBody is unpack's mounts and script; with only set, a package is
// unpacked only if its name is a line of that file.
func unpackBody(pkgs []HostPackage, base, dest, tarFlags, only string) ([]llb.RunOption, string) {
	var mounts []llb.RunOption
	var body strings.Builder
	for i, p := range pkgs {
		dir := fmt.Sprintf("%s/%d", base, i)
		mounts = append(mounts, llb.AddMount(dir, p.State, llb.Readonly))
		line := fmt.Sprintf("\"$AR\" p %s/%s data.tar.gz | tar -xzf - -C %s --no-same-owner%s", dir, p.File, dest, tarFlags)
		if only != "" {
			line = fmt.Sprintf("if grep -qxF %s %s; then %s; fi", p.Name, only, line)
		}
		body.WriteString(line + "\n")
	}
	return mounts, body.String()
}
