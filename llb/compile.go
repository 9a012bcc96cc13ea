// Package llb compiles one recipe for one target into a BuildKit LLB graph.
// It is pure: a recipe and options in, llb.State out, no I/O. Every stage
// (each source, prepare, build, package, pack) is its own vertex, so
// BuildKit caches and parallelises them.
package llb

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/shlibs"
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
	// State, when set, gives the context instead of a plain local: the
	// gateway frontend's main context (a local, a git or http context, a
	// frontend input), narrowed by the options where it is a local.
	State func(opts ...llb.LocalOption) llb.State
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
	// Host resolves a host: makedepends to the package another recipe of
	// the repository builds for the same target (nil: none available).
	Host func(version.Dep) (HostPackage, error)
	// Feeds are the feeds serving the target, in the repository's order,
	// and FeedArchs the package architectures its devices install (its
	// own, its families', all).
	Feeds     []Feed
	FeedArchs []string
	// InBuild tells whether a recipe of the build produces a package.
	InBuild func(name string) bool
	// Variant holds the value of every option of the recipe (see Variants);
	// Subdir, when set, is where this variant's packages go in Output.
	Variant map[string]string
	Subdir  string
}

// Job is a compiled recipe for one target.
type Job struct {
	Recipe *schema.Recipe
	Target *toolchains.Target
	// Variant holds the value of every option of the recipe in this job.
	Variant map[string]string
	// Output holds the package files at its root.
	Output llb.State
	// Files are the names of the package files in Output; Packages and
	// Formats say which output package, in which format, each one is.
	Files    []string
	Packages []string
	Formats  []string
	// Metas are the packages' metadata as each file was packed with.
	Metas []*pack.Package
	// IPK holds each output package as an .ipk, whatever formats the
	// recipe asks for: sibling recipes' host: dependencies and install
	// tests unpack it. Unselected, BuildKit never runs it.
	IPK map[string]HostPackage
	// Image is set when the recipe asks for a container image (formats.oci).
	Image *Image
	// DigestReports give the digests of fixed-output sources without one
	// (kiln lock).
	DigestReports []DigestReport
	// Shlibs holds the shared-library resolution's result per package
	// (shlibs.ResultFile): the dependencies found, which signing adds to
	// the syspkg metainfo as packing does to each package. nil when no
	// resolution runs (noarch, or no package step).
	Shlibs *llb.State
	// BaseImage is the image reference the toolchain starts from, as the
	// SBOMs name it ("" when no script runs: the toolchain is not used).
	// A build resolves it and compiles again with it pinned
	// (toolchains.Options.Pins), so the SBOMs record its digest.
	BaseImage string
	// ToolImages are the other images build steps take tools from (the Go
	// of gomod sources), pinned and recorded in the SBOMs the same way.
	ToolImages []string
}

// Compile turns r into the LLB graph building its packages for o.Target,
// with the fields r's per_target gives for it (the Job's Recipe is r as
// it builds there).
func Compile(r *schema.Recipe, o Options) (*Job, error) {
	if o.Target == nil {
		return nil, fmt.Errorf("recipe %s: no target", r.Name)
	}
	perTargetSources := r.PerTarget[o.Target.Name] != nil && r.PerTarget[o.Target.Name].Sources != nil
	r = r.ForTarget(o.Target.Name) // per_target's fields for this target
	build, host, err := makedepends("makedepends", r.Makedepends, o.Target.DebianArch)
	if err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	optDeps, err := optionDeps(r, o.Variant)
	if err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	host = append(host, optDeps...)
	c := &compiler{r: r, o: o, tc: o.Target.For(o.Toolchain, r.Image, build), host: host, deps: map[string]dep{},
		locks: map[int]llb.State{}, perTargetSources: perTargetSources}
	if c.tc, err = c.withSysroot(c.tc); err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	src, err := c.sources()
	if err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	gates := c.runTests("sources", c.tc, []llb.RunOption{llb.AddMount(SrcDir, src, llb.Readonly), llb.Dir(SrcDir)})
	src = c.stage("prepare", r.Prepare, src)
	src = c.stage("build", r.Build, src)
	gates = append(gates, c.runTests("build", c.tc, append(c.depMounts(), llb.AddMount(SrcDir, src), llb.Dir(SrcDir)))...)
	pkgdir, ran := c.packageStage(src)
	c.ran = ran

	job := &Job{Recipe: r, Target: o.Target, Variant: o.Variant, IPK: map[string]HostPackage{}, DigestReports: c.reports}
	if ran {
		job.BaseImage = o.Target.BaseImage(o.Toolchain, r.Image)
		job.ToolImages = c.toolImages()
	}
	split := c.split(pkgdir, ran)
	if ran {
		if split, err = c.checkELF(split); err != nil {
			return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
		}
		c.shlibs = c.resolveShlibs(split)
		job.Shlibs = c.shlibs
	}
	split, ran = c.withEnv(split, ran)
	outs, err := c.packages(job, split, ran)
	if err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	if job.Image, err = c.image(job); err != nil {
		return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	if len(c.testsFor("install")) > 0 {
		extra, siblings, err := c.installRequires()
		if err != nil {
			return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
		}
		root, err := c.installRoot(append(job.ipks(), siblings...), extra)
		if err != nil {
			return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
		}
		gates = append(gates, c.runTests("install", root, []llb.RunOption{llb.Dir("/")})...)
	}
	job.Output = outs[0]
	if all := append(outs, gates...); len(all) > 1 {
		// Tests leave nothing behind; merging them makes BuildKit run them.
		job.Output = llb.Merge(all, c.name("collect %d packages", len(outs)))
	}
	if o.Subdir != "" {
		job.Output = llb.Scratch().File(llb.Copy(job.Output, "/", "/"+o.Subdir+"/", &llb.CopyInfo{
			CopyDirContentsOnly: true, CreateDestPath: true,
		}), c.name("variant %s", o.Subdir))
		for i := range job.Files {
			job.Files[i] = o.Subdir + "/" + job.Files[i]
		}
	}
	return job, nil
}

type compiler struct {
	r    *schema.Recipe
	o    Options
	tc   llb.State       // toolchain root
	host []hostDep       // host: makedepends and package options, installed into $SYSROOT
	envs []llb.RunOption // env's options, made once per compiler
	// sysroot are the packages installed into $SYSROOT: the host:
	// makedepends and the build's packages they depend on.
	sysroot []HostPackage
	// shlibs holds the dependencies found in the packages' ELF files
	// (nil: none looked for, as nothing ran or the target is noarch).
	shlibs *llb.State
	// ran: the recipe has scripts, so the toolchain is used at all.
	ran  bool
	deps map[string]dep // generators' outputs by kind, mounted into build steps
	// perTargetSources: the target's sources are per_target's.
	perTargetSources bool
	reports          []DigestReport    // fixed-output sources without digest
	locks            map[int]llb.State // generator sources' lock files, by source
	meta             metaFiles         // the kiln steps' spec files
}

// name labels a vertex so progress output reads like the recipe.
func (c *compiler) name(format string, a ...any) llb.ConstraintsOpt {
	label := c.o.Target.Name
	if c.o.Subdir != "" {
		label += " " + c.o.Subdir
	}
	return llb.WithCustomName(fmt.Sprintf("%s [%s] ", c.r.Name, label) + fmt.Sprintf(format, a...))
}

// sharedName labels a vertex that is the same for every target (sources),
// which BuildKit runs once however many targets use it.
func (c *compiler) sharedName(format string, a ...any) llb.ConstraintsOpt {
	return llb.WithCustomName(c.r.Name + " " + fmt.Sprintf(format, a...))
}

// env is what every script of the recipe sees, in a fixed order. Callers
// append to it: the slice is full, so append copies.
func (c *compiler) env() []llb.RunOption {
	if c.envs == nil {
		c.envs = c.makeEnv()
	}
	return slices.Clip(c.envs)
}

func (c *compiler) makeEnv() []llb.RunOption {
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
	for f, a := range c.o.Target.Formats {
		vars[ArchEnv(f)] = a.Arch
	}
	for k, v := range c.o.Target.Env {
		vars[k] = v
	}
	for k, v := range c.o.Variant {
		vars[OptionEnv(k)] = v
	}
	c.depEnv(vars)
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

// ArchEnv is the variable build scripts find the target's architecture
// in, as package format f names it: KILN_ARCH_IPK (rm2), KILN_ARCH_SPK,
// KILN_ARCH_SYSPKG. Install hooks see their own package's as KILN_ARCH.
func ArchEnv(f string) string {
	return "KILN_ARCH_" + strings.ToUpper(f)
}

// packageMeta is the metadata of output package name: the recipe's fields,
// overridden by the package's own where it sets them (as Toltec's split
// packages inherit the recipe's top-level fields).
func (c *compiler) packageMeta(name string) (*pack.Package, error) {
	r := c.r
	spec := r.Packages[name]
	if spec == nil {
		spec = &schema.PackageSpec{}
	}
	summary, desc := r.Summary, r.Description
	if spec.Summary != "" {
		summary, desc = spec.Summary, spec.Description
	}
	deps, err := version.DebianList(override(r.Depends, spec.Depends))
	if err != nil {
		return nil, fmt.Errorf("depends: %w", err)
	}
	for _, u := range spec.Uses {
		deps = append(deps, version.Dep{Name: u, Op: "=", Version: r.Version}.Debian())
	}
	conflicts, err := version.DebianList(override(r.Conflicts, spec.Conflicts))
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	replaces, err := version.DebianList(override(r.Replaces, spec.Replaces))
	if err != nil {
		return nil, fmt.Errorf("replaces: %w", err)
	}
	provides, err := version.DebianList(override(r.Provides, spec.Provides))
	if err != nil {
		return nil, fmt.Errorf("provides: %w", err)
	}
	hooks := pack.Hooks(spec.Scripts)
	if hooks == (pack.Hooks{}) && (len(r.Packages) == 0 || name == r.Name) {
		hooks = pack.Hooks(r.Scripts)
	}
	return &pack.Package{
		Name:        name,
		Version:     r.Version,
		Arch:        c.o.Target.Formats["ipk"].Arch,
		Target:      c.o.Target.Name,
		Maintainer:  r.Maintainer,
		Summary:     summary,
		Description: desc,
		Section:     firstNonEmpty(spec.Section, r.Section),
		License:     r.License,
		Homepage:    r.Homepage,
		Depends:     deps,
		Conflicts:   conflicts,
		Replaces:    replaces,
		Provides:    provides,
		Hooks:       hooks,
		Conffiles:   override(r.Conffiles, spec.Conffiles),
		Epoch:       r.Epoch,
	}, nil
}

func override(recipe, pkg []string) []string {
	if len(pkg) > 0 {
		return pkg
	}
	return recipe
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// pack runs kiln's own binary inside the graph to write the package file.
// With sbomBeside, the package's SBOM (in pkgdir) is copied beside it.
func (c *compiler) pack(f pack.Format, p *pack.Package, pkgdir llb.State, sbomBeside bool, rootOpts ...llb.MountOption) (llb.State, error) {
	meta, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return llb.State{}, err
	}
	args := []string{"/kiln/bin" + c.o.Packer.Path, "pack", "--format", f.Name(),
		"--meta", "/kiln/meta/package.json", "--root", PkgDir, "--out", "/kiln/out"}
	opts := []llb.RunOption{
		llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly),
		c.metaMount("package", "package.json", meta),
		llb.AddMount(PkgDir, pkgdir, append([]llb.MountOption{llb.Readonly}, rootOpts...)...),
		llb.Network(llb.NetModeNone),
		c.name("pack %s", f.FileName(p)),
	}
	if c.shlibs != nil {
		args = append(args, "--shlibs", "/kiln/shlibs/"+shlibs.ResultFile(p.Name))
		opts = append(opts, llb.AddMount("/kiln/shlibs", *c.shlibs, llb.Readonly))
	}
	if len(p.RecipeFiles) > 0 {
		opts = append(opts, c.recipeFilesMount(p.RecipeFiles))
	}
	if sbomBeside {
		args = append(args, "--sbom", path.Join(PkgDir, sbom.Path(p.Name)))
	}
	run := llb.Scratch().Run(append(opts, llb.Args(args))...)
	return run.AddMount("/kiln/out", llb.Scratch()), nil
}
