package llb

import (
	"encoding/json"
	"sort"

	"github.com/kiln-build/kiln/split"
	"github.com/moby/buildkit/client/llb"
)

// packageNames are the recipe's output packages, sorted; one named after
// the recipe when it declares none.
func (c *compiler) packageNames() []string {
	if len(c.r.Packages) == 0 {
		return []string{c.r.Name}
	}
	names := make([]string, 0, len(c.r.Packages))
	for n := range c.r.Packages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// splitSpec selects each package's files; the default package takes all.
func (c *compiler) splitSpec() split.Spec {
	spec := split.Spec{Allow: map[string]bool{}}
	for _, n := range c.packageNames() {
		files := []string{"**"}
		if p := c.r.Packages[n]; p != nil {
			files = p.Files
		}
		spec.Packages = append(spec.Packages, split.Package{Name: n, Files: files})
	}
	nostrip := false
	for _, f := range c.r.Flags {
		nostrip = nostrip || f == "nostrip"
	}
	if !nostrip {
		spec.Strip = c.o.Target.Env["STRIP"]
	}
	for _, v := range c.r.Validation {
		if v.Allow != "" {
			spec.Allow[v.Allow] = true
		}
	}
	return spec
}

// split divides $pkgdir into one directory per output package, stripping
// binaries with the target's strip: kiln's own binary inside the toolchain.
func (c *compiler) split(pkgdir llb.State, ran bool) llb.State {
	if !ran {
		return llb.Scratch()
	}
	spec, _ := json.MarshalIndent(c.splitSpec(), "", "  ") // plain values: cannot fail
	opts := append(c.env(),
		llb.Args([]string{"/kiln/bin" + c.o.Packer.Path, "split", "--spec", "/kiln/meta/split.json",
			"--root", PkgDir, "--out", "/kiln/split"}),
		llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly),
		c.metaMount("split", "split.json", spec),
		llb.AddMount(PkgDir, pkgdir, llb.Readonly),
		llb.Network(llb.NetModeNone),
		c.name("split and strip %d package(s)", len(c.packageNames())),
	)
	return c.tc.Run(opts...).AddMount("/kiln/split", llb.Scratch())
}
