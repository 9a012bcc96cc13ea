package llb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/feeds"
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
	// Name is the package's name; Depends the relations its control file
	// has (Debian syntax: "libfoo (>= 1.2)", "a | b"), which are installed
	// into $SYSROOT and test roots with it (a -dev package brings its
	// library, a feed's package what it depends on).
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
// would install them, the packages they depend on (see closure).
func (c *compiler) sysrootPackages() ([]HostPackage, error) {
	var direct []HostPackage
	for _, d := range c.host {
		hp, err := c.o.Host(d.Dep)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.from, err)
		}
		direct = append(direct, hp)
	}
	return c.closure(direct)
}

// closure is pkgs and, transitively, the packages their Depends name,
// each once, in the order met. A dependency is met by a package of the
// build, else by the target's system_packages (nothing to install), else
// by a feed serving the target; with no feed serving it, the device's
// feed is left to provide it. One that nothing meets fails, naming the
// package that depends on it.
func (c *compiler) closure(pkgs []HostPackage) ([]HostPackage, error) {
	var out []HostPackage
	seen := map[string]bool{}
	key := func(hp HostPackage) string {
		if hp.Name != "" {
			return hp.Name
		}
		return hp.File
	}
	for _, hp := range pkgs {
		if !seen[key(hp)] {
			seen[key(hp)] = true
			out = append(out, hp)
		}
	}
	for i := 0; i < len(out); i++ {
		for _, rel := range out[i].Depends {
			hp, ok, err := c.dependency(rel, out[i], seen)
			if err != nil {
				return nil, err
			}
			if ok && !seen[key(hp)] {
				seen[key(hp)] = true
				out = append(out, hp)
			}
		}
	}
	return out, nil
}

// dependency resolves relation rel of package of (one of its Depends):
// the first alternative met wins; ok is false when nothing is to be
// installed for it (already in, the system's, or left to the device).
func (c *compiler) dependency(rel string, of HostPackage, have map[string]bool) (HostPackage, bool, error) {
	alts, err := feeds.Relation(rel)
	if err != nil {
		return HostPackage{}, false, fmt.Errorf("package %s depends on %q: %w", of.Name, rel, err)
	}
	var why []string
	for _, d := range alts {
		if have[d.Name] {
			return HostPackage{}, false, nil
		}
		if v, ok := c.o.Target.SystemPackages[d.Name]; ok {
			if err := d.Meets(v); err != nil {
				why = append(why, fmt.Sprintf("target %s's system has %s %s", c.o.Target.Name, d.Name, v))
				continue
			}
			return HostPackage{}, false, nil
		}
		if c.o.Host == nil {
			return HostPackage{}, false, nil
		}
		hp, err := c.o.Host(d)
		if errors.Is(err, ErrNotInRepository) {
			return HostPackage{}, false, nil // no feed serves the target: the device's feed has it
		}
		if err == nil {
			return hp, true, nil
		}
		why = append(why, err.Error())
	}
	from := ""
	if of.Feed {
		from = " (from a feed)"
	}
	return HostPackage{}, false, fmt.Errorf("package %s%s depends on %s, which neither the build, the system of target %s nor a feed meets: %s",
		of.Name, from, rel, c.o.Target.Name, strings.Join(why, "; "))
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
