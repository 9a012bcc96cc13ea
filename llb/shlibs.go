package llb

import (
	"encoding/json"
	"fmt"

	"github.com/kiln-build/kiln/shlibs"
	"github.com/kiln-build/kiln/version"
	"github.com/moby/buildkit/client/llb"
)

// shlibsSpec is what the resolution step looks at: the recipe's packages,
// the packages in $SYSROOT (mounted at /kiln/host/N), the target's system
// libraries, and whether the recipe allows an unresolved soname.
func (c *compiler) shlibsSpec() shlibs.Spec {
	s := shlibs.Spec{Target: c.o.Target.Name, Version: c.r.Version, Packages: c.packageNames(), System: c.o.Target.SystemLibs}
	for i, hp := range c.sysroot {
		s.Host = append(s.Host, fmt.Sprintf("/kiln/host/%d/%s", i, hp.File))
	}
	for _, v := range c.r.Validation {
		s.Allow = s.Allow || v.Allow == shlibs.AllowUnresolved
	}
	if len(c.o.Feeds) > 0 {
		_, s.Feeds = feedMounts(c.o.Feeds)
		s.Archs = c.o.FeedArchs
		s.SystemPackages = c.o.Target.SystemPackages
		s.Check = c.feedRelations()
	}
	return s
}

// feedRelations are the packages' dependencies that no recipe of the
// build produces, which a feed must meet.
func (c *compiler) feedRelations() []shlibs.Relation {
	var out []shlibs.Relation
	for _, name := range c.packageNames() {
		deps := c.r.Depends
		if spec := c.r.Packages[name]; spec != nil && len(spec.Depends) > 0 {
			deps = spec.Depends
		}
		for _, s := range deps {
			d, err := version.ParseDep(s)
			if err != nil || c.o.InBuild != nil && c.o.InBuild(d.Name) {
				continue // the schema checked it; the plan checks the build's
			}
			out = append(out, shlibs.Relation{Package: name, Dep: d})
		}
	}
	return out
}

// resolveShlibs runs kiln's own binary over the split packages: every
// NEEDED soname of their ELF files must be provided by a package of the
// recipe, of $SYSROOT or by the target's system, and the packages found
// become dependencies the pack steps add (one JSON file per package).
// noarch targets hold no ELF files: nil.
func (c *compiler) resolveShlibs(split llb.State) *llb.State {
	if c.o.Target.DebianArch == "all" {
		return nil
	}
	spec := c.shlibsSpec()
	data, _ := json.MarshalIndent(spec, "", "  ") // plain values: cannot fail
	opts := []llb.RunOption{
		llb.Args([]string{"/kiln/bin" + c.o.Packer.Path, "shlibs", "--spec", "/kiln/meta/shlibs.json",
			"--root", "/kiln/split", "--out", "/kiln/shlibs"}),
		llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly),
		c.metaMount("shlibs", "shlibs.json", data),
		llb.AddMount("/kiln/split", split, llb.Readonly),
		llb.Network(llb.NetModeNone),
		c.name("resolve shared libraries%s", sysrootLabel(len(c.sysroot))),
	}
	for i, hp := range c.sysroot {
		opts = append(opts, llb.AddMount(fmt.Sprintf("/kiln/host/%d", i), hp.State, llb.Readonly))
	}
	if len(c.o.Feeds) > 0 {
		mounts, _ := feedMounts(c.o.Feeds)
		opts = append(opts, mounts...)
	}
	out := llb.Scratch().Run(opts...).AddMount("/kiln/shlibs", llb.Scratch())
	return &out
}

func sysrootLabel(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d package(s) in $SYSROOT)", n)
}
