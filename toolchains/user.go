package toolchains

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/version"
)

// A repository may define targets of its own, in CUE, YAML or JSON, with
// the schema of kiln's own (#Target, see user.cue):
//
//	targets:
//	  armv7:                  # kiln's armv7, built on bullseye
//	    suite: bullseye
//	    image: docker.io/library/debian:bullseye
//	  rm2:                    # a new target, starting from that armv7
//	    extends: armv7
//	    description: reMarkable 2
//	    formats: {ipk: {arch: rm2}}
//
// A target named like one of kiln's extends it; extends: NAME starts from
// any target of the set (kiln's or the repository's, which may itself
// extend another). The target takes every field of the one it starts from
// that it does not set: a field-wise overlay, not CUE unification, which
// could only change fields kiln marks as defaults (suite, image, qemu) and
// would make every other difference a conflict. Mappings (env, formats)
// are overlaid key by key, everything else (packages, strings) is
// replaced whole; a target naming another toolchain kind than the one it
// starts from takes none of that target's toolchain (see overlay). The
// result must be a complete #Target. Problems are schema.Errors,
// positioned in the user's file.

// TargetsDir is the directory of a repository's own targets files, beside
// its recipes (the CLI and the frontend look for it; see build.LoadTargets).
const TargetsDir = "targets"

// IsTargetsFile reports whether name (a file of a TargetsDir) is a targets
// file: *.cue, *.yaml, *.yml or *.json, not hidden.
func IsTargetsFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".cue", ".yaml", ".yml", ".json":
		return !strings.HasPrefix(path.Base(name), ".")
	}
	return false
}

// Source is a file that may define targets.
type Source struct {
	// File names the file in positions; Data is its content, in the
	// format File's extension names.
	File string
	Data []byte
	// Recipes: the file is a recipe or repository file, which defines
	// targets only as a repository file's top-level targets (a single
	// recipe's targets is its list of target names). Otherwise it is a
	// targets file (targets/*.cue): top-level targets and nothing else.
	Recipes bool
}

// Load returns kiln's own targets extended and added to by the targets the
// sources define. A name defined in two files is an error naming both, as
// is an extends: that names no target or makes a cycle. Every problem is
// reported, as schema.Errors.
func Load(srcs ...Source) (*Set, error) {
	base, err := builtin()
	if err != nil || len(srcs) == 0 {
		return base, err
	}
	l, err := newLoader(base)
	if err != nil {
		return nil, err
	}
	for _, src := range srcs {
		l.read(src)
	}
	for _, n := range l.order {
		l.resolve(n)
	}
	l.checkFamilies()
	if len(l.errs) > 0 {
		return nil, l.errs.Sorted()
	}
	return l.set, nil
}

// loader reads the sources of one Load in its own cue.Context.
type loader struct {
	ctx           *cue.Context
	file, shape   cue.Value // #File, #Shape
	kiln          cue.Value // kiln's own targets, in ctx
	set           *Set
	builtin       *Set // kiln's own targets
	defs          map[string]*userTarget
	order         []string // user targets in the order they were read
	errs          schema.Errors
	visiting      []string // resolve's stack, for cycles
	resolved, bad map[string]bool
}

// userTarget is a target as a user's file writes it.
type userTarget struct {
	doc    *schema.Document
	value  cue.Value // targets.NAME of the file, unchecked
	origin Origin
}

func newLoader(base *Set) (*loader, error) {
	ctx := cuecontext.New()
	v, err := instance(ctx)
	if err != nil {
		return nil, err
	}
	set := &Set{targets: maps.Clone(base.targets), origins: maps.Clone(base.origins)}
	return &loader{ctx: ctx, file: v.LookupPath(cue.ParsePath("#File")), shape: v.LookupPath(cue.ParsePath("#Shape")),
		kiln: v.LookupPath(cue.ParsePath("targets")), set: set, builtin: base, defs: map[string]*userTarget{},
		resolved: map[string]bool{}, bad: map[string]bool{}}, nil
}

func (l *loader) fail(err error) {
	var es schema.Errors
	if errors.As(err, &es) {
		l.errs = append(l.errs, es...)
		return
	}
	l.errs = append(l.errs, &schema.Error{Msg: err.Error()})
}

// read collects the targets src defines; their fields are checked when
// they are resolved.
func (l *loader) read(src Source) {
	d, err := schema.ParseDocument(src.File, src.Data)
	if err != nil {
		if !src.Recipes { // the recipe loader reports a recipe file's syntax
			l.fail(err)
		}
		return
	}
	if src.Recipes && (!d.Repository() || !d.Has("targets")) {
		return
	}
	v, err := d.Build(l.ctx)
	if err != nil {
		l.fail(err)
		return
	}
	data := v
	if src.Recipes {
		// Only targets: the rest is the recipe schema's to check.
		data = l.ctx.CompileString("{}").FillPath(cue.MakePath(cue.Str("targets")), v.LookupPath(cue.MakePath(cue.Str("targets"))))
	}
	if _, err := d.Check(l.shape, "#Shape", data); err != nil {
		var es schema.Errors
		if errors.As(err, &es) && !src.Recipes {
			for _, e := range es {
				if e.Msg == "unknown field" && !strings.Contains(e.Field, ".") {
					e.Msg += `; a targets file holds "targets"`
				}
			}
		}
		l.fail(err)
		return
	}
	it, err := data.LookupPath(cue.MakePath(cue.Str("targets"))).Fields()
	if err != nil {
		l.fail(err)
		return
	}
	for it.Next() {
		name := it.Selector().Unquoted()
		path := schema.Path("targets", name)
		line, col := d.Pos(path)
		ut := &userTarget{doc: d, value: it.Value(), origin: Origin{File: d.File(), Line: line, Col: col}}
		if prev := l.defs[name]; prev != nil {
			where := prev.origin.String()
			if prev.origin.File == ut.origin.File {
				where = fmt.Sprintf("line %d", prev.origin.Line)
			}
			l.errs = append(l.errs, d.ErrorAt(path, fmt.Sprintf("target %q is defined twice (also at %s)", name, where)))
			continue
		}
		l.defs[name] = ut
		l.order = append(l.order, name)
	}
}

// resolve checks the user's target name, after the target it starts
// from, and adds it to the set; it reports whether that worked.
func (l *loader) resolve(name string) bool {
	if l.resolved[name] || l.bad[name] {
		return l.resolved[name]
	}
	ut := l.defs[name]
	path := schema.Path("targets", name)
	if i := slices.Index(l.visiting, name); i >= 0 {
		cycle := strings.Join(append(slices.Clone(l.visiting[i:]), name), " -> ")
		l.errs = append(l.errs, ut.doc.ErrorAt(schema.Path("targets", name, "extends"), "targets extend each other in a cycle: "+cycle))
		l.bad[name] = true
		return false
	}
	// What the target starts from: extends, else kiln's own of its name.
	from, explicit := name, false
	if ev := ut.value.LookupPath(cue.MakePath(cue.Str("extends"))); ev.Exists() {
		if s, err := ev.String(); err == nil {
			from, explicit = s, true
		}
	}
	var base cue.Value
	var baseTarget *Target // the resolved target base is
	switch own := l.kiln.LookupPath(cue.MakePath(cue.Str(from))); {
	case from == name && own.Exists():
		base, baseTarget = own, l.builtin.targets[from]
	case from == name && explicit:
		l.errs = append(l.errs, ut.doc.ErrorAt(schema.Path("targets", name, "extends"),
			fmt.Sprintf("target %q extends itself (only a target named like one of kiln's own extends that)", name)))
		l.bad[name] = true
		return false
	case from == name:
		// A new target: every field is its own.
	case l.defs[from] != nil:
		l.visiting = append(l.visiting, name)
		ok := l.resolve(from)
		l.visiting = l.visiting[:len(l.visiting)-1]
		if l.bad[name] {
			return false // the cycle came back here and is reported
		}
		if !ok {
			l.bad[name] = true
			return false // reported at the base
		}
		base, baseTarget = l.defs[from].value, l.set.targets[from]
	case own.Exists():
		base, baseTarget = own, l.builtin.targets[from]
	default:
		l.errs = append(l.errs, ut.doc.ErrorAt(schema.Path("targets", name, "extends"),
			fmt.Sprintf("%s is not a known target (known: %s)", strconv.Quote(from), strings.Join(l.known(name), ", "))))
		l.bad[name] = true
		return false
	}
	tp := cue.MakePath(cue.Str("targets"), cue.Str(name))
	data := l.ctx.CompileString("{}").FillPath(tp, ut.value)
	if base.Exists() {
		data = overlay(data, tp, ut.value, base)
	}
	u, err := ut.doc.Check(l.file, "#File", data)
	if err != nil {
		l.fail(err)
		l.bad[name] = true
		return false
	}
	tv := u.LookupPath(tp)
	t := &Target{}
	if err := tv.Decode(t); err != nil {
		l.errs = append(l.errs, ut.doc.ErrorAt(path, "decoding target: "+err.Error()))
		l.bad[name] = true
		return false
	}
	if base.Exists() {
		ut.origin.Extends = from
	}
	t.floorLibc6()
	if baseTarget != nil && t.toolchain() == baseTarget.toolchain() {
		t.toolchainOf = baseTarget.Toolchain()
	}
	// Targets extending this one start from it as checked, so they
	// inherit what it inherited.
	ut.value = tv
	l.set.targets[name] = t
	l.set.origins[name] = ut.origin
	l.resolved[name] = true
	return true
}

// floorLibc6 keeps the version of libc6 in t's system_packages no newer
// than t's glibc floor: a target extending kiln's armv7 for devices with
// glibc 2.31 inherits bookworm's libc6 2.36, which its devices lack.
func (t *Target) floorLibc6() {
	have, ok := t.SystemPackages["libc6"]
	if !ok || t.Libc == nil || t.Libc.Name != "glibc" {
		return
	}
	if c, err := version.CompareStrings(have, t.Libc.Version); err == nil && c > 0 {
		t.SystemPackages = maps.Clone(t.SystemPackages)
		t.SystemPackages["libc6"] = t.Libc.Version
	}
}

// overlay fills into data at p every field of base that user (the value
// at p) does not set, recursing into structs both set: the target's own
// fields win, mappings merge key by key. The base's name and extends are
// its own, and so is the toolchain of a target that names another kind of
// toolchain than its base's: it takes none of the fields that made the
// base's (toolchainFields), as the packages of a Debian toolchain mean
// nothing in a toolchain image.
func overlay(data cue.Value, p cue.Path, user, base cue.Value) cue.Value {
	it, err := base.Fields()
	if err != nil {
		return data
	}
	top := len(p.Selectors()) == 2
	otherKind := top && user.LookupPath(cue.MakePath(cue.Str("toolchain"))).Exists() && kindOf(user) != kindOf(base)
	for it.Next() {
		sel := it.Selector()
		label := sel.Unquoted()
		if top && (label == "name" || label == "extends") {
			continue
		}
		if otherKind && slices.Contains(toolchainFields, label) {
			continue
		}
		fp := cue.MakePath(append(slices.Clone(p.Selectors()), cue.Str(label))...)
		own := user.LookupPath(cue.MakePath(cue.Str(label)))
		switch {
		case !own.Exists():
			data = data.FillPath(fp, it.Value())
		case own.IncompleteKind() == cue.StructKind && it.Value().IncompleteKind() == cue.StructKind:
			data = overlay(data, fp, own, it.Value())
		}
	}
	return data
}

// toolchainFields are the fields of a target that make its toolchain,
// besides its kind.
var toolchainFields = []string{"image", "suite", "packages", "archive"}

// kindOf is the toolchain kind of target v ("debian" unless it says).
func kindOf(v cue.Value) Kind {
	k := v.LookupPath(cue.MakePath(cue.Str("toolchain")))
	if d, ok := k.Default(); ok {
		k = d
	}
	if s, err := k.String(); err == nil {
		return Kind(s)
	}
	return KindDebian
}

// known lists the names the target called name may extend.
func (l *loader) known(name string) []string {
	names := l.set.Names()
	for n := range l.defs {
		if n != name && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}
