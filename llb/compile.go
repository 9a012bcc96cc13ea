// Package llb compiles one recipe for one target into a BuildKit LLB graph.
// It is pure: a recipe and options in, llb.State out, no I/O. Every stage
// (each source, prepare, build, package, pack) is its own vertex, so
// BuildKit caches and parallelises them.
package llb

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/kiln-build/kiln/version"
	"github.com/moby/buildkit/client/llb"
)

// Paths inside build containers.
const (
	SrcDir  = "/kiln/src"
	PkgDir  = "/kiln/pkg"
	Sysroot = "/sysroot"
)

// LocalContext names the session local that holds a recipe's files.
type LocalContext struct {
	// Name is the local's name in the solve (the CLI's LocalMounts key, or
	// "context" for the frontend).
	Name string
	// Prefix is the recipe's directory inside that local ("" = its root).
	Prefix string
	// Excludes are dockerignore-style patterns (from .gitignore files).
	Excludes []string
	// UniqueID identifies the directory behind the local across builds, so
	// BuildKit syncs incrementally and the graph is the same every time
	// (BuildKit would pick a random one per process).
	UniqueID string
}

// Packer is where the in-graph pack step finds kiln's static binary.
type Packer struct {
	State llb.State
	Path  string // path of the binary inside State
}

// Options are everything besides the recipe that the graph depends on.
type Options struct {
	Target    *toolchains.Target
	Toolchain toolchains.Options
	Context   LocalContext
	Packer    Packer
}

// Job is a compiled recipe for one target.
type Job struct {
	Recipe *schema.Recipe
	Target *toolchains.Target
	// Output holds the package files at its root.
	Output llb.State
	// Files are the names of the package files in Output.
	Files []string
}

// Compile turns r into the LLB graph building its packages for o.Target.
func Compile(r *schema.Recipe, o Options) (*Job, error) {
	if o.Target == nil {
		return nil, fmt.Errorf("recipe %s: no target", r.Name)
	}
	c := &compiler{r: r, o: o, tc: o.Target.State(o.Toolchain)}
	src, err := c.sources()
	if err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	src = c.stage("prepare", r.Prepare, src)
	src = c.stage("build", r.Build, src)
	pkgdir := c.packageStage(src)

	p, err := c.packageMeta()
	if err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	f, err := pack.Lookup("ipk")
	if err != nil {
		return nil, err
	}
	out, err := c.pack(f, p, pkgdir)
	if err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	return &Job{Recipe: r, Target: o.Target, Output: out, Files: []string{f.FileName(p)}}, nil
}

type compiler struct {
	r  *schema.Recipe
	o  Options
	tc llb.State // toolchain root
}

// name labels a vertex so progress output reads like the recipe.
func (c *compiler) name(format string, a ...any) llb.ConstraintsOpt {
	return llb.WithCustomName(fmt.Sprintf("%s [%s] ", c.r.Name, c.o.Target.Name) + fmt.Sprintf(format, a...))
}

// sharedName labels a vertex that is the same for every target (sources),
// which BuildKit runs once however many targets use it.
func (c *compiler) sharedName(format string, a ...any) llb.ConstraintsOpt {
	return llb.WithCustomName(c.r.Name + " " + fmt.Sprintf(format, a...))
}

// env is what every script of the recipe sees, in a fixed order.
func (c *compiler) env() []llb.RunOption {
	vars := map[string]string{
		"PATH":              "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME":              "/root",
		"TZ":                "UTC",
		"LC_ALL":            "C.UTF-8",
		"SOURCE_DATE_EPOCH": strconv.FormatInt(c.r.Epoch, 10),
		"srcdir":            SrcDir,
		"pkgdir":            PkgDir,
		"SYSROOT":           Sysroot,
		"pkgname":           c.r.Name,
		"pkgver":            c.r.Version,
		"KILN_TARGET":       c.o.Target.Name,
	}
	for k, v := range c.o.Target.Env {
		vars[k] = v
	}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	opts := make([]llb.RunOption, 0, len(keys))
	for _, k := range keys {
		opts = append(opts, llb.AddEnv(k, vars[k]))
	}
	return opts
}

func (c *compiler) packageMeta() (*pack.Package, error) {
	r := c.r
	deps, err := version.DebianList(r.Depends)
	if err != nil {
		return nil, fmt.Errorf("depends: %w", err)
	}
	conflicts, err := version.DebianList(r.Conflicts)
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	return &pack.Package{
		Name:        r.Name,
		Version:     r.Version,
		Arch:        c.o.Target.Formats.IPK.Arch,
		Maintainer:  r.Maintainer,
		Summary:     r.Summary,
		Description: r.Description,
		Section:     r.Section,
		License:     r.License,
		Homepage:    r.Homepage,
		Depends:     deps,
		Conflicts:   conflicts,
		Hooks:       pack.Hooks(r.Scripts),
		Conffiles:   r.Conffiles,
		Epoch:       r.Epoch,
	}, nil
}

// pack runs kiln's own binary inside the graph to write the package file.
func (c *compiler) pack(f pack.Format, p *pack.Package, pkgdir llb.State) (llb.State, error) {
	meta, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return llb.State{}, err
	}
	metaSt := llb.Scratch().File(llb.Mkfile("/package.json", 0o644, meta), c.name("%s metadata", f.Name()))
	run := llb.Scratch().Run(
		llb.Args([]string{"/kiln/bin" + c.o.Packer.Path, "pack", "--format", f.Name(),
			"--meta", "/kiln/meta/package.json", "--root", PkgDir, "--out", "/kiln/out"}),
		llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly),
		llb.AddMount("/kiln/meta", metaSt, llb.Readonly),
		llb.AddMount(PkgDir, pkgdir, llb.Readonly),
		llb.Network(llb.NetModeNone),
		c.name("pack %s", f.FileName(p)),
	)
	return run.AddMount("/kiln/out", llb.Scratch()), nil
}
