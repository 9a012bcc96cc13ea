package llb

import (
	"encoding/json"

	"github.com/kiln-build/kiln/elfcheck"
	"github.com/moby/buildkit/client/llb"
)

// elfSpec is what the target asks of the split packages' ELF files: its
// platform's machine (none for noarch, whose Debian architecture is
// "all") and its C library floor, unless the recipe allows newer.
func (c *compiler) elfSpec() elfcheck.Spec {
	t := c.o.Target
	s := elfcheck.Spec{Target: t.Name, Packages: c.packageNames()}
	if t.DebianArch != "all" {
		s.Platform = t.Platform
		if t.Libc != nil {
			s.Libc = &elfcheck.Libc{Name: t.Libc.Name, Version: t.Libc.Version}
		}
	}
	for _, v := range c.r.Validation {
		s.AllowNewerLibc = s.AllowNewerLibc || v.Allow == elfcheck.AllowNewerLibc
	}
	return s
}

// checkELF runs kiln's own binary over the split packages (one directory
// each): an ELF file of another machine, or needing a newer glibc than the
// target's, fails the build. The packages pass through the step's
// /kiln/split mount unchanged, so every pack step comes after it.
func (c *compiler) checkELF(split llb.State) (llb.State, error) {
	spec := c.elfSpec()
	if _, err := spec.Expect(); err != nil {
		return llb.State{}, err
	}
	data, _ := json.MarshalIndent(spec, "", "  ") // plain values: cannot fail
	run := llb.Scratch().Run(
		llb.Args([]string{"/kiln/bin" + c.o.Packer.Path, "elfcheck", "--spec", "/kiln/meta/elfcheck.json",
			"--root", "/kiln/split"}),
		llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly),
		c.metaMount("elfcheck", "elfcheck.json", data),
		llb.Network(llb.NetModeNone),
		c.name("check ELF files (%s)", spec.Label()),
	)
	return run.AddMount("/kiln/split", split), nil
}
