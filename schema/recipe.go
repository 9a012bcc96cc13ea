// Package schema owns the recipe model: the embedded CUE schema, loading
// recipes from CUE, YAML or JSON, validating them, and the typed Go form
// that the rest of kiln compiles.
package schema

import "strconv"

// Recipe is one validated recipe. Fields mirror #Recipe in recipe.cue.
type Recipe struct {
	// Feeds are the feeds of the repository file the recipe is in (none
	// for a recipe file of its own).
	Feeds       []Feed   `json:"feeds,omitempty"`
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	Summary     string   `json:"summary"`
	Description string   `json:"description,omitempty"`
	License     string   `json:"license"`
	Homepage    string   `json:"homepage,omitempty"`
	Maintainer  string   `json:"maintainer"`
	Section     string   `json:"section,omitempty"`
	Timestamp   string   `json:"timestamp"`
	Targets     []string `json:"targets"`
	Sources     []Source `json:"sources,omitempty"`
	Depends     []string `json:"depends,omitempty"`
	Makedepends []string `json:"makedepends,omitempty"`
	Conflicts   []string `json:"conflicts,omitempty"`
	Prepare     string   `json:"prepare,omitempty"`
	Build       string   `json:"build,omitempty"`
	Package     string   `json:"package,omitempty"`

	// Compat is the SPK compatibility of versions, e.g. "x.a.b".
	Compat   string   `json:"compat,omitempty"`
	Replaces []string `json:"replaces,omitempty"`
	Provides []string `json:"provides,omitempty"`
	// Flags: "nostrip" keeps binaries and libraries unstripped.
	Flags []string `json:"flags,omitempty"`
	// Image replaces the toolchain's base image for this recipe (Toltec's
	// image); the toolchain packages are still installed on top.
	Image string `json:"image,omitempty"`
	// Patches are local files (relative to the recipe) applied in order with
	// patch -pN (N = PatchLevel, default 1) in $srcdir after every source
	// is in place.
	Patches    []string `json:"patches,omitempty"`
	PatchLevel *int     `json:"patch_level,omitempty"`
	// PerTarget varies fields by target name (see ForTarget).
	PerTarget map[string]*TargetFields `json:"per_target,omitempty"`
	// Options are build options; Variants are the option sets built by
	// default (each a separate cached build).
	Options  map[string]Option   `json:"options,omitempty"`
	Variants []map[string]string `json:"variants,omitempty"`
	// Packages are the output packages (split packages / components); when
	// empty, one package named after the recipe holds all of $pkgdir.
	Packages map[string]*PackageSpec `json:"packages,omitempty"`
	// Scripts run on the device at install/remove/upgrade time.
	Scripts   Scripts  `json:"scripts,omitempty"`
	Conffiles []string `json:"conffiles,omitempty"`
	// Env are install-environment operations shipped with the package.
	Env   []EnvOp `json:"env,omitempty"`
	Tests []Test  `json:"tests,omitempty"`
	// Validation relaxes or tightens packaging checks (SPK validation rules).
	Validation []ValidationRule `json:"validation,omitempty"`
	// Formats holds each package format's options (ipk, spk, syspkg, oci),
	// checked by the format itself.
	Formats map[string]map[string]any `json:"formats,omitempty"`

	// File is the recipe file as given to the loader; Dir is its directory.
	// Local sources are relative to Dir.
	File string `json:"-"`
	Dir  string `json:"-"`
	// Epoch is Timestamp as Unix seconds: the build's SOURCE_DATE_EPOCH.
	Epoch int64 `json:"-"`
}

// TargetFields are the fields a recipe varies for one target (Toltec's
// conflicts_rm2=(...)). A list given replaces the recipe's whole, an empty
// one included (nil is "not given", so the lists have no omitempty: the
// recipe cache keeps them apart); install scripts replace the recipe's
// hook by hook, and prepare, build and package their script.
type TargetFields struct {
	Sources     []Source `json:"sources"`
	Patches     []string `json:"patches"`
	Depends     []string `json:"depends"`
	Makedepends []string `json:"makedepends"`
	Conflicts   []string `json:"conflicts"`
	Replaces    []string `json:"replaces"`
	Provides    []string `json:"provides"`
	Scripts     Scripts  `json:"scripts,omitzero"`
	Prepare     string   `json:"prepare,omitempty"`
	Build       string   `json:"build,omitempty"`
	Package     string   `json:"package,omitempty"`
}

// ForTarget is r as it builds for target: what per_target gives for the
// target in place of the recipe's own fields (see TargetFields). It is r
// itself when per_target says nothing about target.
func (r *Recipe) ForTarget(target string) *Recipe {
	f := r.PerTarget[target]
	if f == nil {
		return r
	}
	out := *r
	if f.Sources != nil {
		out.Sources = f.Sources
	}
	for _, l := range []struct {
		dst *[]string
		src []string
	}{
		{&out.Patches, f.Patches}, {&out.Depends, f.Depends}, {&out.Makedepends, f.Makedepends},
		{&out.Conflicts, f.Conflicts}, {&out.Replaces, f.Replaces}, {&out.Provides, f.Provides},
	} {
		if l.src != nil {
			*l.dst = l.src
		}
	}
	for _, sc := range []struct {
		dst *string
		src string
	}{
		{&out.Scripts.Preinstall, f.Scripts.Preinstall}, {&out.Scripts.Configure, f.Scripts.Configure},
		{&out.Scripts.Preremove, f.Scripts.Preremove}, {&out.Scripts.Postremove, f.Scripts.Postremove},
		{&out.Scripts.Preupgrade, f.Scripts.Preupgrade}, {&out.Scripts.Postupgrade, f.Scripts.Postupgrade},
		{&out.Prepare, f.Prepare}, {&out.Build, f.Build}, {&out.Package, f.Package},
	} {
		if sc.src != "" {
			*sc.dst = sc.src
		}
	}
	return &out
}

// Option is a build option, exposed to scripts as $KILN_OPT_<NAME>.
type Option struct {
	Default     string   `json:"default,omitempty"`
	Choices     []string `json:"choices,omitempty"`
	Description string   `json:"description,omitempty"`
	// Package makes this a package option: its value is a version
	// constraint on the named recipe of the same repository (SPK pkg option).
	Package string `json:"package,omitempty"`
}

// PackageSpec is one output package of a recipe.
type PackageSpec struct {
	Summary     string `json:"summary,omitempty"`
	Description string `json:"description,omitempty"`
	Section     string `json:"section,omitempty"`
	// Files select what of $pkgdir goes into this package: globs relative
	// to $pkgdir ("opt/bin/*", "usr/share/doc/**") or spksrc PLIST entries
	// ("bin:opt/bin/hello", "lib:...", "lnk:...", "rsc:...").
	Files []string `json:"files"`
	// Uses names other packages of this recipe this one needs (SPK
	// components); they become exact-version dependencies.
	Uses      []string `json:"uses,omitempty"`
	Depends   []string `json:"depends,omitempty"`
	Conflicts []string `json:"conflicts,omitempty"`
	Replaces  []string `json:"replaces,omitempty"`
	Provides  []string `json:"provides,omitempty"`
	Scripts   Scripts  `json:"scripts,omitempty"`
	Conffiles []string `json:"conffiles,omitempty"`
}

// Scripts are Toltec's install functions, run on the target device.
type Scripts struct {
	Preinstall  string `json:"preinstall,omitempty"`
	Configure   string `json:"configure,omitempty"`
	Preremove   string `json:"preremove,omitempty"`
	Postremove  string `json:"postremove,omitempty"`
	Preupgrade  string `json:"preupgrade,omitempty"`
	Postupgrade string `json:"postupgrade,omitempty"`
}

// EnvOp is one install-environment operation (SPK's install.environment):
// exactly one of Set, Append, Prepend (with Value), Priority or Comment.
type EnvOp struct {
	Set       string `json:"set,omitempty"`
	Append    string `json:"append,omitempty"`
	Prepend   string `json:"prepend,omitempty"`
	Value     string `json:"value,omitempty"`
	Separator string `json:"separator,omitempty"` // default ":"
	Priority  int    `json:"priority,omitempty"`
	Comment   string `json:"comment,omitempty"`
}

// Test is a test run at one stage of the build.
type Test struct {
	// Stage is "sources", "build" or "install".
	Stage  string `json:"stage"`
	Script string `json:"script,omitempty"`
	// Selectors limit the test to variants matching one of them.
	Selectors []map[string]string `json:"selectors,omitempty"`
	// Requires are extra packages: "build:NAME" (Debian, into the test
	// root) or recipe names of the same repository.
	Requires []string `json:"requires,omitempty"`
	// Checks are declarative assertions, besides or instead of Script.
	Checks []Check `json:"checks,omitempty"`
}

// Check is a declarative test assertion on a path or a command.
type Check struct {
	Path     string `json:"path,omitempty"`
	Exists   *bool  `json:"exists,omitempty"`
	Mode     string `json:"mode,omitempty"` // octal, e.g. "0755"
	Contains string `json:"contains,omitempty"`
	Command  string `json:"command,omitempty"`
	// Output is a regular expression the command's output must match.
	Output string `json:"output,omitempty"`
}

// Feed is an opkg feed a repository depends on: the URL of its index,
// the index's sha256 and the architecture of its packages.
type Feed struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Arch   string `json:"arch"`
}

// ValidationRule allows or denies one packaging check by name
// (UnclaimedFiles, DoublyClaimedFiles, EmptyPackage, LongVarDescription,
// NewerLibc, UnresolvedSoname).
type ValidationRule struct {
	Allow string `json:"allow,omitempty"`
	Deny  string `json:"deny,omitempty"`
}

// Source is one entry of a recipe's sources. Exactly one of Path, URL,
// Git, Script is set.
type Source struct {
	// Path is a local file or directory relative to the recipe, filtered by
	// .gitignore files.
	Path string `json:"path,omitempty"`

	// URL is fetched by the daemon and checked against SHA256 (mandatory).
	URL    string `json:"url,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	// Extract unpacks an archive URL (default true); Strip drops leading
	// path components when extracting (nil: the archive's single top
	// directory if it has one, as Toltec does); Filename names the file
	// when not extracted (default: the URL's last path element).
	Extract  *bool  `json:"extract,omitempty"`
	Strip    *int   `json:"strip,omitempty"`
	Filename string `json:"filename,omitempty"`
	// MaxUnpacked bounds the bytes an extracted archive may take (0: the
	// unpacker's default, 4 GiB); a zip bomb or a huge sparse file is
	// refused before it is written.
	MaxUnpacked int64 `json:"max_unpacked,omitempty"`

	// Git is a repository URL pinned to Commit (a full 40-hex SHA).
	Git    string `json:"git,omitempty"`
	Commit string `json:"commit,omitempty"`
	// Ref is the tag or branch Commit was resolved from (kiln lock).
	Ref string `json:"ref,omitempty"`
	// Submodules fetches the repository's submodules at the commits
	// Commit records for them.
	Submodules bool `json:"submodules,omitempty"`

	// Script generates files into its destination (SPK script source); it
	// runs in the toolchain without network and sees earlier sources.
	Script string `json:"script,omitempty"`

	// Network makes a script source a fixed-output source: it may reach
	// the network, writes into $out, and its output must hash to Digest.
	Network bool `json:"network,omitempty"`

	// Generators read a lock file from $srcdir and fetch what it lists:
	// GoMod and NPM name the project's directory, Pip its requirements
	// file, Cargo the crate's directory. They are fixed-output sources.
	GoMod string `json:"gomod,omitempty"`
	NPM   string `json:"npm,omitempty"`
	Pip   string `json:"pip,omitempty"`
	Cargo string `json:"cargo,omitempty"`

	// Digest pins a fixed-output source's tree (treedigest); Image is the
	// image its fetch step runs in; Registry the proxy, registry or index
	// a generator fetches from instead of the one the settings give.
	Digest   string `json:"digest,omitempty"`
	Image    string `json:"image,omitempty"`
	Registry string `json:"registry,omitempty"`

	// Dest is a subdirectory of $srcdir the source lands in (default: $srcdir).
	Dest string `json:"dest,omitempty"`
}

// Kind names which of Path, URL, Git, Script or a generator the source uses.
func (s Source) Kind() string {
	switch {
	case s.URL != "":
		return "url"
	case s.Git != "":
		return "git"
	case s.Script != "":
		return "script"
	case s.GoMod != "":
		return "gomod"
	case s.NPM != "":
		return "npm"
	case s.Pip != "":
		return "pip"
	case s.Cargo != "":
		return "cargo"
	default:
		return "path"
	}
}

// FixedOutput reports whether s may use the network and is pinned by the
// digest of its output tree: a script with network, or a generator.
func (s Source) FixedOutput() bool {
	return s.Network || s.Generator() != ""
}

// Generator is s's generator kind (gomod, npm, pip, cargo), or "".
func (s Source) Generator() string {
	switch k := s.Kind(); k {
	case "gomod", "npm", "pip", "cargo":
		return k
	}
	return ""
}

// GeneratorPath is the directory (or, for pip, the file) a generator
// reads its lock file from, relative to $srcdir.
func (s Source) GeneratorPath() string {
	return s.GoMod + s.NPM + s.Pip + s.Cargo
}

// ShouldExtract reports whether a URL source is unpacked (the default).
func (s Source) ShouldExtract() bool { return s.Extract == nil || *s.Extract }

// StripArg is how many leading path components unpacking drops: a number,
// or "auto" (the archive's single top directory, if it has one).
func (s Source) StripArg() string {
	if s.Strip == nil {
		return "auto"
	}
	return strconv.Itoa(*s.Strip)
}
