package llb

import (
	"github.com/moby/buildkit/client/llb"
)

// script runs a recipe script with bash, stopping at the first error.
func script(s string) llb.RunOption {
	return llb.Args([]string{"/bin/bash", "-e", "-o", "pipefail", "-c", s})
}

// stage runs one of prepare/build in $srcdir and returns the changed
// sources; an empty script adds no vertex. Builds never reach the network.
func (c *compiler) stage(stage, body string, src llb.State) llb.State {
	if body == "" {
		return src
	}
	opts := append(c.env(),
		script(body),
		llb.Dir(SrcDir),
		llb.Network(llb.NetModeNone),
		c.name("%s", stage),
	)
	return c.tc.Run(opts...).AddMount(SrcDir, src)
}

// packageStage runs the package script with an empty $pkgdir and returns
// what it installed there. $srcdir is writable (install rules often touch
// build files) but those changes are dropped.
func (c *compiler) packageStage(src llb.State) llb.State {
	opts := append(c.env(),
		script(c.r.Package),
		llb.Dir(SrcDir),
		llb.Network(llb.NetModeNone),
		llb.AddMount(SrcDir, src),
		c.name("package"),
	)
	if c.r.Package == "" {
		// Nothing to install: the package is empty but still well-formed.
		return llb.Scratch()
	}
	return c.tc.Run(opts...).AddMount(PkgDir, llb.Scratch())
}
