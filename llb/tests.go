package llb

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/kiln-build/kiln/check"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/shlibs"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/moby/buildkit/client/llb"
)

// InstallRoot is where install tests find the packages' files: the test
// container's own root, with target binaries run through qemu-user.
const InstallRoot = "/"

// testsFor returns the recipe's tests of stage that apply to this variant.
func (c *compiler) testsFor(stage string) []int {
	var out []int
	for i, t := range c.r.Tests {
		if t.Stage == stage && selected(t.Selectors, c.o.Variant) {
			out = append(out, i)
		}
	}
	return out
}

// selected: no selectors, or one whose every pair matches the variant.
func selected(selectors []map[string]string, variant map[string]string) bool {
	if len(selectors) == 0 {
		return true
	}
	for _, s := range selectors {
		ok := true
		for k, v := range s {
			ok = ok && variant[k] == v
		}
		if ok {
			return true
		}
	}
	return false
}

// runTests runs the tests of one stage on root with the given mounts; the
// returned states (empty directories) must be part of the job's output so
// that BuildKit runs them and a failing test fails the build.
func (c *compiler) runTests(stage string, root llb.State, mounts []llb.RunOption) []llb.State {
	var done []llb.State
	for _, i := range c.testsFor(stage) {
		t := c.r.Tests[i]
		body := t.Script
		opts := append(c.env(), mounts...) // a copy: each test mounts only its own checks
		if len(t.Checks) > 0 {
			spec, _ := json.Marshal(toChecks(t.Checks)) // plain values: cannot fail
			meta := llb.Scratch().File(llb.Mkfile("/checks.json", 0o644, spec), c.name("test %d checks", i))
			opts = append(opts, llb.AddMount("/kiln/checks", meta, llb.Readonly))
			body = strings.TrimSpace(body + "\n" + "/kiln/bin" + c.o.Packer.Path + " check --spec /kiln/checks/checks.json")
		}
		opts = append(opts,
			script(body),
			llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly),
			llb.Network(llb.NetModeNone),
			c.name("test %d (%s)", i, stage),
		)
		if _, own := c.o.Target.Env["QEMU_LD_PREFIX"]; stage == "install" && c.o.Target.Qemu != "" && !own && c.o.Target.Kind != toolchains.KindEmulated {
			// binfmt runs target binaries under qemu-user; it finds the
			// target's C library in the cross toolchain (where Debian's
			// cross packages put it, unless the target's env says).
			opts = append(opts, llb.AddEnv("QEMU_LD_PREFIX", path.Join("/usr", c.o.Target.Triplet)))
		}
		done = append(done, root.Run(opts...).AddMount("/kiln/test-done", llb.Scratch()))
	}
	return done
}

func toChecks(cs []schema.Check) []check.Check {
	out := make([]check.Check, len(cs))
	for i, c := range cs {
		out[i] = check.Check(c)
	}
	return out
}

// installRoot is the toolchain with every package of the job and the
// tests' extra requirements unpacked into / (files only, as an offline
// install), for install tests.
func (c *compiler) installRoot(pkgs []HostPackage, extra []string) (llb.State, error) {
	root := c.o.Target.For(c.o.Toolchain, c.r.Image, extra)
	pkgs, err := c.closure(pkgs)
	if err != nil {
		return llb.State{}, err
	}
	mounts, body := unpackBody(c, pkgs, "/kiln/install", InstallRoot, "")
	if c.shlibs != nil && len(c.sysroot) > 0 {
		// The $SYSROOT packages the shared-library resolution made
		// dependencies of the job's packages.
		more, guarded := unpackBody(c, c.sysroot, "/kiln/linked", InstallRoot, "/kiln/shlibs/"+shlibs.NeededFile)
		mounts = append(append(mounts, more...), llb.AddMount("/kiln/shlibs", *c.shlibs, llb.Readonly))
		body += guarded
	}
	opts := append(append(c.env(), mounts...), script(body), llb.Network(llb.NetModeNone),
		c.name("install %d package(s) for tests", len(pkgs)))
	return root.Run(opts...).Root(), nil
}

// installRequires are what install tests ask for besides the job's own
// packages, written like makedepends: build:NAME[:target] are Debian
// packages for the test root, host:NAME (or a bare NAME) packages that
// sibling recipes of the repository build.
func (c *compiler) installRequires() (debian []string, siblings []HostPackage, err error) {
	for _, i := range c.testsFor("install") {
		build, host, err := makedepends("requires", c.r.Tests[i].Requires, c.o.Target.DebianArch)
		if err != nil {
			return nil, nil, fmt.Errorf("test %d: %w", i, err)
		}
		debian = append(debian, build...)
		for _, d := range host {
			if c.o.Host == nil {
				return nil, nil, fmt.Errorf("test %d: %s: %w", i, d.from, ErrNotInRepository)
			}
			hp, err := c.o.Host(d.Dep)
			if err != nil {
				return nil, nil, fmt.Errorf("test %d: %s: %w", i, d.from, err)
			}
			siblings = append(siblings, hp)
		}
	}
	return debian, siblings, nil
}
