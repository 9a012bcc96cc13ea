package llb

import (
	"strings"

	"github.com/moby/buildkit/client/llb"
)

// shellQuote makes s one word a shell reads literally: single quotes,
// with each ' written as '\”. (Go's %q gives double quotes, inside which
// $(...) and `...` still run.)
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// script runs a recipe script with bash, stopping at the first error.
func script(s string) llb.RunOption {
	return llb.Args([]string{"/bin/bash", "-e", "-o", "pipefail", "-c", jobsLine + s})
}

// jobsLine gives scripts $KILN_JOBS, the daemon's CPU count (make
// -j"$KILN_JOBS"), read where the step runs so the step's cache key is the
// same on every daemon; the packages must not depend on it. It shares the
// script's first line, so bash's line numbers stay the recipe's.
const jobsLine = `export KILN_JOBS="$(nproc)"; `

// stage runs one of prepare/build in $srcdir and returns the changed
// sources; an empty script adds no vertex. Builds never reach the network.
func (c *compiler) stage(stage, body string, src llb.State) llb.State {
	if body == "" {
		return src
	}
	opts := append(c.env(), c.depMounts()...)
	opts = append(opts,
		script(body),
		llb.Dir(SrcDir),
		llb.Network(llb.NetModeNone),
		c.name("%s", stage),
	)
	return c.tc.Run(opts...).AddMount(SrcDir, src)
}

// packageStage runs the package script with an empty $pkgdir and returns
// what it installed there. $srcdir is writable (install rules often touch
// build files) but those changes are dropped. Without a package script the
// package is empty, but prepare and build still run: they may fail.
// ran is false when the recipe has no scripts at all: then nothing needs
// the toolchain and the package is empty.
func (c *compiler) packageStage(src llb.State) (pkgdir llb.State, ran bool) {
	body := c.r.Package
	if body == "" {
		if c.r.Prepare == "" && c.r.Build == "" {
			return llb.Scratch(), false
		}
		body = ":"
	}
	opts := append(c.env(), c.depMounts()...)
	opts = append(opts,
		script(body),
		llb.Dir(SrcDir),
		llb.Network(llb.NetModeNone),
		llb.AddMount(SrcDir, src),
		c.name("package"),
	)
	return c.tc.Run(opts...).AddMount(PkgDir, llb.Scratch()), true
}
