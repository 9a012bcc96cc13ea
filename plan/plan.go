// Package plan turns a set of recipes into the jobs of one build: every
// (recipe, target) pair, compiled in dependency order so a recipe's host:
// makedepends are the packages its sibling recipes build for the same
// target (or for a family of it, or noarch). Cycles and unsatisfiable version constraints are reported naming
// the recipes. Pure: no I/O.
package plan

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/feeds"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/kiln-build/kiln/version"
	"github.com/sirupsen/logrus"
)

// AllTargets selects every target a recipe declares.
const AllTargets = "all"

// Options select what to build and where its inputs come from.
type Options struct {
	Recipes []*schema.Recipe
	// Targets to build; empty or ["all"] means each recipe's own targets.
	Targets []string
	// Toolchains are the targets the build knows: kiln's own and the
	// repository's (toolchains.Load); nil is kiln's own.
	Toolchains *toolchains.Set
	Toolchain  toolchains.Options
	// Context gives the session local holding a recipe's files.
	Context func(r *schema.Recipe) llb.LocalContext
	Packer  llb.Packer
	// Set gives options on the command line: each recipe declaring any of
	// them builds one variant with them, instead of its variants.
	Set map[string]string
	// Variant, when not nil, picks one variant (0-based) of each recipe.
	Variant *int
	// Indexes are the recipes' feeds' indexes, by feeds.Key, as the
	// daemon fetched them (build.ReadIndexes): the plan chooses the feed
	// packages a build installs from them.
	Indexes map[string][]byte
	// Offline plans are checked (kiln validate), never built: no index is
	// read, and each feed package stands in for what a feed would give.
	Offline bool
}

type key struct{ recipe, target, variant string }

// id names a job: recipe/target, plus /variant for option sets.
func (k key) id() string {
	if k.variant == "" {
		return k.recipe + "/" + k.target
	}
	return k.recipe + "/" + k.target + "/" + k.variant
}

type planner struct {
	o        Options
	feeds    []schema.Feed // the recipes' repositories' feeds, each once
	indexes  map[string]llb.Feed
	byPkg    map[string]*schema.Recipe // output package name -> recipe
	jobs     map[key]*llb.Job
	deps     map[key][]key // host: dependencies between jobs
	visiting map[key]bool
	stack    []string // recipe names being compiled, for cycle reports
	notes    []string // see Plan.Notes
	// drawing (NewGraph) records a dependency that closes a cycle and goes
	// on, where a build stops; edges are every dependency, by package.
	drawing bool
	edges   []edge
}

// NoArch is the target of architecture-independent recipes.
const NoArch = "noarch"

// Plan is a build's compiled jobs, dependencies first. It is made once per
// build (New); the parts of a build (one daemon's share, one platform) are
// views of it, so nothing is compiled twice.
type Plan struct {
	Jobs []*llb.Job
	// IDs[i] names Jobs[i]: recipe/target, plus /variant for option sets.
	IDs []string
	// Packer is the kiln binary the graph's pack steps run.
	Packer llb.Packer
	// Notes are what planning told the user (a recipe left out of a
	// target), for a build that reads its graph back to tell again.
	Notes      []string
	deps       map[string][]string // host: dependencies between jobs, by ID
	toolchains *toolchains.Set
}

// New compiles every selected (recipe, target) job, dependencies first.
func New(o Options) (*Plan, error) {
	p, keys, jobs, err := plan(o, false)
	if err != nil {
		return nil, err
	}
	out := &Plan{Jobs: jobs, Packer: o.Packer, Notes: p.notes, deps: map[string][]string{}, toolchains: o.Toolchains}
	for _, k := range keys {
		out.IDs = append(out.IDs, k.id())
	}
	for k, ds := range p.deps {
		for _, d := range ds {
			out.deps[k.id()] = append(out.deps[k.id()], d.id())
		}
	}
	return out, nil
}

// Only is the part of p holding the jobs with these IDs (see Groups). A
// kept job's dependencies are still part of its graph.
func (p *Plan) Only(ids []string) (*Plan, error) {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	out := &Plan{Packer: p.Packer, deps: p.deps, toolchains: p.toolchains}
	for i, id := range p.IDs {
		if want[id] {
			out.Jobs = append(out.Jobs, p.Jobs[i])
			out.IDs = append(out.IDs, id)
			delete(want, id)
		}
	}
	for _, id := range ids {
		if want[id] {
			return nil, fmt.Errorf("no job %s in this build", id)
		}
	}
	return out, nil
}

// ForTarget is the part of p whose packages t's devices install (nil when
// there is none): t's own jobs, those of the families serving t, and the
// noarch ones.
func (p *Plan) ForTarget(t string) *Plan {
	out := &Plan{Packer: p.Packer, deps: p.deps, toolchains: p.toolchains}
	serves := map[string]bool{t: true, NoArch: true}
	for _, f := range p.toolchains.Serving(t) {
		serves[f] = true
	}
	for i, j := range p.Jobs {
		if serves[j.Target.Name] {
			out.Jobs = append(out.Jobs, j)
			out.IDs = append(out.IDs, p.IDs[i])
		}
	}
	if len(out.Jobs) == 0 {
		return nil
	}
	return out
}

// Groups splits the jobs (by ID, in build order) into groups that share no
// host: dependency, the connected components of the job graph: each group
// can be built on its own daemon without building anything twice.
func (p *Plan) Groups() [][]string {
	parent := map[string]string{}
	var find func(k string) string
	find = func(k string) string {
		if q, ok := parent[k]; ok && q != k {
			r := find(q)
			parent[k] = r
			return r
		}
		parent[k] = k
		return k
	}
	for _, k := range slices.Sorted(maps.Keys(p.deps)) {
		for _, d := range p.deps[k] {
			parent[find(k)] = find(d)
		}
	}
	index := map[string]int{}
	var groups [][]string
	for _, id := range p.IDs {
		r := find(id)
		i, ok := index[r]
		if !ok {
			i = len(groups)
			index[r] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], id)
	}
	return groups
}

// plan compiles every selected job; keys[i] identifies jobs[i].
func plan(o Options, drawing bool) (*planner, []key, []*llb.Job, error) {
	if err := o.Toolchain.Validate(); err != nil {
		return nil, nil, nil, err
	}
	p := &planner{o: o, byPkg: map[string]*schema.Recipe{}, jobs: map[key]*llb.Job{}, deps: map[key][]key{}, visiting: map[key]bool{},
		drawing: drawing}
	for _, r := range o.Recipes {
		for _, name := range outputNames(r) {
			if other, dup := p.byPkg[name]; dup {
				return nil, nil, nil, fmt.Errorf("recipes %s (%s) and %s (%s) both produce package %s", other.Name, other.File, r.Name, r.File, name)
			}
			p.byPkg[name] = r
		}
	}
	if err := checkSet(o); err != nil {
		return nil, nil, nil, err
	}
	if err := p.collectFeeds(); err != nil {
		return nil, nil, nil, err
	}
	var jobs []*llb.Job
	var keys []key
	for _, r := range o.Recipes {
		targets, err := selectTargets(r, o.Targets, o.Toolchains, len(o.Recipes) > 1, &p.notes)
		if err != nil {
			return nil, nil, nil, err
		}
		variants, err := p.variants(r)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, tn := range targets {
			t, err := o.Toolchains.Lookup(tn)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("recipe %s (%s): %w", r.Name, r.File, err)
			}
			for _, v := range variants {
				j, err := p.job(r, t, v)
				if err != nil {
					return nil, nil, nil, err
				}
				jobs = append(jobs, j)
				keys = append(keys, key{r.Name, t.Name, llb.VariantID(v)})
			}
		}
	}
	if len(jobs) == 0 {
		return nil, nil, nil, fmt.Errorf("nothing to build")
	}
	if err := checkFiles(keys, jobs); err != nil {
		return nil, nil, nil, err
	}
	return p, keys, jobs, nil
}

// checkFiles reports two jobs writing the same package file: two targets
// of a recipe that name their architecture alike in a format (rm1 and rm2
// keep the spk architecture armv7 they inherit), whose packages would
// overwrite each other in the output.
func checkFiles(keys []key, jobs []*llb.Job) error {
	type writer struct {
		k      key
		format string
	}
	seen := map[string]writer{}
	for i, j := range jobs {
		for n, f := range j.Files {
			w, dup := seen[f]
			if !dup {
				seen[f] = writer{keys[i], j.Formats[n]}
				continue
			}
			arch := j.Target.Formats[j.Formats[n]].Arch
			return fmt.Errorf("recipe %s: targets %s and %s both write %s, as both name their %s architecture %s: give each target its own formats.%s.arch",
				j.Recipe.Name, w.k.target, keys[i].target, f, w.format, arch, w.format)
		}
	}
	return nil
}

// variants are the option sets recipe r builds with in this build.
func (p *planner) variants(r *schema.Recipe) ([]map[string]string, error) {
	set := map[string]string{}
	for k, v := range p.o.Set {
		if _, ok := r.Options[k]; ok {
			set[k] = v
		}
	}
	vs, err := llb.Variants(r, set)
	if err != nil {
		return nil, err
	}
	if p.o.Variant != nil && len(set) == 0 {
		n := *p.o.Variant
		if n < 0 || n >= len(vs) {
			return nil, fmt.Errorf("recipe %s has %d variant(s); --variant %d is not one of them (0-based)", r.Name, len(vs), n)
		}
		vs = vs[n : n+1]
	}
	return vs, nil
}

// checkSet reports command-line options no recipe declares.
func checkSet(o Options) error {
	for k := range o.Set {
		found := false
		for _, r := range o.Recipes {
			_, ok := r.Options[k]
			found = found || ok
		}
		if !found {
			return fmt.Errorf("--opt %s: no recipe in this build has an option %q", k, k)
		}
	}
	return nil
}

func (p *planner) job(r *schema.Recipe, t *toolchains.Target, v map[string]string) (*llb.Job, error) {
	subdir := ""
	if len(r.Variants) > 0 {
		subdir = llb.VariantID(v)
	}
	k := key{r.Name, t.Name, llb.VariantID(v)}
	if j := p.jobs[k]; j != nil {
		return j, nil
	}
	if p.visiting[k] {
		return nil, &cycleError{fmt.Sprintf("dependency cycle: %s -> %s", strings.Join(p.stack, " -> "), r.Name)}
	}
	p.visiting[k] = true
	p.stack = append(p.stack, r.Name)
	defer func() { p.stack = p.stack[:len(p.stack)-1]; delete(p.visiting, k) }()

	if err := p.checkDepends(r.ForTarget(t.Name)); err != nil {
		return nil, err
	}
	host := func(d version.Dep) (llb.HostPackage, error) { return p.host(k, r, t, d) }
	fs, archs := p.feedsFor(t)
	j, err := llb.Compile(r, llb.Options{Target: t, Toolchain: p.o.Toolchain, Context: p.o.Context(r), Packer: p.o.Packer,
		Host: host, Feeds: fs, FeedArchs: archs, InBuild: func(n string) bool { return p.byPkg[n] != nil }, Variant: v, Subdir: subdir})
	if err != nil {
		return nil, err
	}
	p.jobs[k] = j
	return j, nil
}

// host resolves recipe r's host: dependency d for target t (job k).
func (p *planner) host(k key, r *schema.Recipe, t *toolchains.Target, d version.Dep) (llb.HostPackage, error) {
	dr := p.byPkg[d.Name]
	if fs, archs := p.feedsFor(t); dr == nil && len(fs) > 0 {
		p.edges = append(p.edges, edge{k, feedsKey(t.Name), d.Name})
		if p.drawing || p.o.Offline {
			return llb.HostPackage{File: d.Name + ".ipk", Name: d.Name, Feed: true}, nil
		}
		return llb.FeedPackage(fs, archs, d)
	}
	if dr == nil {
		return llb.HostPackage{}, fmt.Errorf("package %s: %w (build the repository directory so kiln sees it)", d.Name, llb.ErrNotInRepository)
	}
	if d.Op != "" {
		if err := satisfies(dr, d); err != nil {
			return llb.HostPackage{}, fmt.Errorf("recipe %s needs %s: %w", r.Name, d.Debian(), err)
		}
	}
	dt := p.serving(dr, t)
	if dt == "" {
		also := ""
		if fs := p.o.Toolchains.Serving(t.Name); len(fs) > 0 {
			also = ", nor for its families " + strings.Join(fs, ", ")
		}
		return llb.HostPackage{}, fmt.Errorf("recipe %s does not build for target %s%s, nor for %s (its targets: %s)",
			dr.Name, t.Name, also, NoArch, strings.Join(dr.Targets, ", "))
	}
	st, err := p.o.Toolchains.Lookup(dt)
	if err != nil {
		return llb.HostPackage{}, fmt.Errorf("recipe %s (%s): %w", dr.Name, dr.File, err)
	}
	// A dependency is built with its first variant (or the options set).
	dvs, err := p.variants(dr)
	if err != nil {
		return llb.HostPackage{}, err
	}
	dk := key{dr.Name, st.Name, llb.VariantID(dvs[0])}
	dj, err := p.job(dr, st, dvs[0])
	var ce *cycleError
	if p.drawing && errors.As(err, &ce) {
		// Drawn, not built: the package stands in for what it would be.
		p.edges = append(p.edges, edge{k, dk, d.Name})
		return llb.HostPackage{File: d.Name + ".ipk"}, nil
	}
	if err != nil {
		return llb.HostPackage{}, err
	}
	p.deps[k] = append(p.deps[k], dk)
	p.edges = append(p.edges, edge{k, dk, d.Name})
	hp, ok := dj.IPK[d.Name]
	if !ok {
		return llb.HostPackage{}, fmt.Errorf("recipe %s has no package %s", dr.Name, d.Name)
	}
	return hp, nil
}

// checkDepends checks the runtime dependencies of r that name a package of
// the build against the version its recipe builds (the others are checked
// against the feeds in the graph, see shlibs).
func (p *planner) checkDepends(r *schema.Recipe) error {
	lists := [][]string{r.Depends}
	for _, spec := range r.Packages {
		lists = append(lists, spec.Depends)
	}
	for _, list := range lists {
		for _, s := range list {
			d, err := version.ParseDep(s)
			if err != nil || d.Op == "" || p.byPkg[d.Name] == nil {
				continue
			}
			if err := satisfies(p.byPkg[d.Name], d); err != nil {
				return fmt.Errorf("recipe %s (%s) depends on %s: %w", r.Name, r.File, d.Debian(), err)
			}
		}
	}
	return nil
}

// collectFeeds gathers the feeds of every recipe's repository, each once
// (by URL and sha256), in the order met, with their indexes as read.
// Drawing the graph (kiln graph) and offline plans read none.
func (p *planner) collectFeeds() error {
	p.indexes = map[string]llb.Feed{}
	for _, r := range p.o.Recipes {
		for _, f := range r.Feeds {
			k := feeds.Key(f.URL, f.SHA256)
			if _, ok := p.indexes[k]; ok {
				continue
			}
			read := feeds.Feed{URL: f.URL}
			if data, ok := p.o.Indexes[k]; ok {
				var err error
				if read, err = feeds.Parse(f.URL, data); err != nil {
					return fmt.Errorf("%s: %w", r.File, err)
				}
			} else if !p.drawing && !p.o.Offline {
				return fmt.Errorf("%s: feed %s: its index was not read before planning (a build with feeds reads them on the daemon first)", r.File, f.URL)
			}
			p.indexes[k] = llb.FeedIndex(f, read)
			p.feeds = append(p.feeds, f)
		}
	}
	return nil
}

// feedsFor are the feeds serving target t: those whose architecture is
// t's ipk architecture, a family's (families serve t) or all; archs are
// those architectures.
func (p *planner) feedsFor(t *toolchains.Target) ([]llb.Feed, []string) {
	if len(p.feeds) == 0 {
		return nil, nil
	}
	archs := []string{t.Formats["ipk"].Arch}
	for _, f := range p.o.Toolchains.Serving(t.Name) {
		if ft, err := p.o.Toolchains.Lookup(f); err == nil && !contains(archs, ft.Formats["ipk"].Arch) {
			archs = append(archs, ft.Formats["ipk"].Arch)
		}
	}
	if !contains(archs, "all") {
		archs = append(archs, "all")
	}
	var out []llb.Feed
	for _, f := range p.feeds {
		if contains(archs, f.Arch) {
			out = append(out, p.indexes[feeds.Key(f.URL, f.SHA256)])
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, archs
}

// serving is the target whose build of recipe dr serves target t's
// devices ("" if none): t itself, else the nearest of t's families (see
// toolchains.Set.Serving: rmall's packages serve rm2), else noarch, whose
// packages serve every target. Each is compiled once, however many
// targets it serves.
func (p *planner) serving(dr *schema.Recipe, t *toolchains.Target) string {
	for _, c := range append(append([]string{t.Name}, p.o.Toolchains.Serving(t.Name)...), NoArch) {
		if contains(dr.Targets, c) {
			return c
		}
	}
	return ""
}

func satisfies(dr *schema.Recipe, d version.Dep) error {
	v, err := version.Parse(dr.Version)
	if err != nil {
		return fmt.Errorf("recipe %s: %w", dr.Name, err)
	}
	c, err := version.ParseConstraint(d.Op + " " + d.Version)
	if err != nil {
		return err
	}
	if !c.Allows(v) {
		return fmt.Errorf("recipe %s (%s) has version %s, which does not satisfy %s %s", dr.Name, dr.File, dr.Version, d.Op, d.Version)
	}
	// A recipe declaring compat (SPK's contract) promises compatibility
	// only where it says: a host: dependency built against is satisfied
	// by a newer version only if that one is API compatible with the
	// version asked for (x.a.b: 2.1 for >= 2.0, not 3.0).
	if dr.Compat != "" && (d.Op == ">=" || d.Op == ">>") {
		cc, err := version.ParseCompat(dr.Compat)
		if err != nil {
			return fmt.Errorf("recipe %s: compat: %w", dr.Name, err)
		}
		spk := strings.NewReplacer("~", "-").Replace
		if err := cc.CheckAPI(spk(d.Version), spk(dr.Version)); err != nil {
			return fmt.Errorf("recipe %s (%s) has version %s, which its compat %s does not make API compatible with %s: %w", dr.Name, dr.File, dr.Version, dr.Compat, d.Version, err)
		}
	}
	return nil
}

// outputNames are the packages recipe r produces.
func outputNames(r *schema.Recipe) []string {
	if len(r.Packages) == 0 {
		return []string{r.Name}
	}
	var out []string
	for n := range r.Packages {
		out = append(out, n)
	}
	return out
}

// selectTargets picks the targets r builds for. An architecture-independent
// recipe serves every target, so it builds (once, as noarch) whatever is
// asked; so does a recipe for a family of a requested target (--target
// rm2 builds a recipe of rmall as rmall), once however many of the
// family's targets are asked. In a build of several recipes, one that
// lacks a requested target is left out of that target rather than
// failing the others.
func selectTargets(r *schema.Recipe, want []string, set *toolchains.Set, several bool, notes *[]string) ([]string, error) {
	if len(want) == 0 || (len(want) == 1 && want[0] == AllTargets) {
		return r.Targets, nil
	}
	if len(r.Targets) == 1 && r.Targets[0] == NoArch {
		return r.Targets, nil
	}
	var out []string
	for _, w := range want {
		if !contains(r.Targets, w) {
			if f := servingFamily(r, w, set); f != "" {
				if !contains(out, f) {
					out = append(out, f)
				}
				continue
			}
			if several {
				note := fmt.Sprintf("recipe %s does not build for target %s: skipped there", r.Name, w)
				logrus.Info(note)
				*notes = append(*notes, note)
				continue
			}
			return nil, fmt.Errorf("recipe %s (%s) does not build for target %q (its targets: %s)",
				r.Name, r.File, w, strings.Join(r.Targets, ", "))
		}
		if !contains(out, w) {
			out = append(out, w)
		}
	}
	return out, nil
}

// servingFamily is the nearest family of target w that r builds for, "" if none.
func servingFamily(r *schema.Recipe, w string, set *toolchains.Set) string {
	for _, f := range set.Serving(w) {
		if contains(r.Targets, f) {
			return f
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Spread assigns groups (see Groups) to n daemons, largest group first to
// the daemon with the fewest jobs so far, so the work is balanced and the
// same build always lands the same way. share[i] lists daemon i's job IDs.
func Spread(groups [][]string, n int) [][]string {
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(groups[order[a]]) > len(groups[order[b]]) })
	share := make([][]string, n)
	for _, g := range order {
		least := 0
		for i := range share {
			if len(share[i]) < len(share[least]) {
				least = i
			}
		}
		share[least] = append(share[least], groups[g]...)
	}
	return share
}
