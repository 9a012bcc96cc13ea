// Package synology imports Synology pkgscripts-ng projects (a project
// directory with SynoBuildConf/ and INFO.sh) into kiln recipes: INFO.sh's
// assignments become the recipe and formats.spk, SynoBuildConf/build the
// build step, the make install of SynoBuildConf/install the package
// step, and scripts/ and conf/ the spk's scripts and resources.
package synology

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
	pspk "github.com/kiln-build/kiln/pack/spk"
	yaml "go.yaml.in/yaml/v3"
)

func init() { importer.Register("synology", Import) }

// Import reads project directories (holding SynoBuildConf/), or every one
// under a directory (pkgscripts-ng's source/).
func Import(paths []string, o importer.Options) (*importer.Import, error) {
	var dirs []string
	for _, p := range paths {
		if isProject(p) {
			dirs = append(dirs, p)
			continue
		}
		found, _ := filepath.Glob(filepath.Join(p, "*", "SynoBuildConf"))
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no pkgscripts-ng project (a directory with SynoBuildConf/)", p)
		}
		for _, f := range found {
			dirs = append(dirs, filepath.Dir(f))
		}
	}
	slices.Sort(dirs)
	return importer.Each(dirs, func(d string) ([]*importer.Recipe, error) {
		r, err := readProject(d, o)
		return []*importer.Recipe{r}, err
	})
}

func isProject(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "SynoBuildConf"))
	return err == nil && st.IsDir()
}

var assignRe = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$` + "`" + `]*)"|'([^']*)'|([^\s"'$` + "`" + `;]*))\s*$`)

// info reads INFO.sh's plain assignments (name="value"), with the line of
// each; lines computing a value or doing anything else are listed.
type info struct {
	vars     map[string]string
	lines    map[string]int
	computed map[string]int // name=$(...) and the like
}

// infoLines are the lines pkgscripts-ng's INFO.sh template has besides
// assignments, which kiln replaces by its own INFO writer.
var infoLines = regexp.MustCompile(`^(source|\.) /pkgscripts-ng/include/pkg_util\.sh|^\[ "\$\(caller\)" != "0 NULL" \] && return 0|^pkg_dump_info|^#|^$`)

func readInfo(path string) (*info, []int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	in := &info{vars: map[string]string{}, lines: map[string]int{}, computed: map[string]int{}}
	var other []int
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if infoLines.MatchString(l) {
			continue
		}
		if m := assignRe.FindStringSubmatch(l); m != nil {
			in.vars[m[1]] = m[2] + m[3] + m[4]
			in.lines[m[1]] = i + 1
			continue
		}
		if name, _, ok := strings.Cut(l, "="); ok && regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(name) {
			in.computed[name] = i + 1
			continue
		}
		other = append(other, i+1)
	}
	return in, other, nil
}

// spkFields are INFO keys carried into formats.spk under the same name.
var spkFields = []string{"displayname", "maintainer", "maintainer_url", "distributor", "distributor_url", "os_min_ver",
	"os_max_ver", "helpurl", "support_url", "report_url", "changelog", "dsmuidir", "dsmappname", "adminurl", "adminprotocol"}

// spkBools are INFO yes/no keys.
var spkBools = []string{"thirdparty", "startable", "ctl_stop", "silent_install", "silent_upgrade", "silent_uninstall", "beta", "checkport"}

type conv struct {
	dir string
	r   *importer.Recipe
	f   importer.Map
}

func (c *conv) note(file string, line int, field, kind, format string, args ...any) {
	c.r.Note(importer.RelTo(filepath.Join(c.dir, file)), line, field, kind, format, args...)
}

func readProject(dir string, o importer.Options) (*importer.Recipe, error) {
	in, other, err := readInfo(filepath.Join(dir, "INFO.sh"))
	if err != nil {
		return nil, err
	}
	pkg := in.vars["package"]
	if pkg == "" {
		return nil, fmt.Errorf("INFO.sh: package is not set")
	}
	name := recipeName(pkg)
	c := &conv{dir: dir, r: &importer.Recipe{Name: name, Source: importer.RelTo(filepath.Join(dir, "INFO.sh"))}}
	c.f = importer.Map{{Key: "name", Value: name}}
	c.f.Set("version", in.vars["version"])
	c.f.Set("summary", in.vars["description"])
	c.defaults(in, o)
	spk := c.infoOptions(in, pkg)
	for _, l := range other {
		c.note("INFO.sh", l, "(INFO.sh)", importer.Dropped, "not an assignment kiln reads")
	}
	c.sources()
	c.build()
	c.install()
	c.scripts(&spk)
	c.conf(&spk)
	c.icons(&spk)
	c.depends()
	c.f.Set("formats", importer.Map{{Key: "spk", Value: spk}})
	c.r.Fields = c.f
	c.r.SortNotes()
	return c.r, nil
}

// defaults fills what INFO.sh does not give: license, a "Name <email>"
// maintainer, a timestamp.
func (c *conv) defaults(in *info, o importer.Options) {
	lic := o.License
	if lic == "" {
		lic = "LicenseRef-unknown"
	}
	c.f.Set("license", lic)
	c.note("INFO.sh", 0, "license", importer.FilledOr(o.License != ""), "INFO has no license: %s (--license)", lic)
	maint := o.Maintainer
	if maint == "" {
		maint = in.vars["maintainer"] + " <maintainer@example.org>"
	}
	c.f.Set("maintainer", maint)
	c.note("INFO.sh", in.lines["maintainer"], "maintainer", importer.FilledOr(o.Maintainer != ""), "kiln's maintainer is \"Name <email>\": %s (--maintainer); the INFO maintainer stays %q", maint, in.vars["maintainer"])
	ts := o.Timestamp
	if ts == "" {
		ts = "1970-01-01"
	}
	c.f.Set("timestamp", ts)
	c.note("INFO.sh", 0, "timestamp", importer.FilledOr(o.Timestamp != ""), "INFO has no timestamp: %s (--timestamp)", ts)
}

func (c *conv) infoOptions(in *info, pkg string) importer.Map {
	spk := importer.Map{{Key: "package", Value: pkg}}
	if v := in.vars["version"]; v != "" {
		spk.Set("version", v)
	}
	for _, k := range spkFields {
		if v, ok := in.vars[k]; ok && v != "" {
			spk.Set(k, v)
		}
	}
	if p, ok := in.vars["adminport"]; ok {
		var n int
		if _, err := fmt.Sscan(p, &n); err == nil {
			spk.Set("adminport", n)
		}
	}
	for _, k := range spkBools {
		if v, ok := in.vars[k]; ok {
			spk.Set(k, v == "yes")
		}
	}
	var langs importer.Map
	for _, k := range slices.Sorted(maps.Keys(in.vars)) {
		if lang, ok := strings.CutPrefix(k, "description_"); ok {
			langs.Set(lang, in.vars[k])
		}
	}
	if len(langs) > 0 {
		spk.Set("descriptions", langs)
	}
	for _, k := range slices.Sorted(maps.Keys(in.computed)) {
		if k == "arch" {
			// pkg_get_platform and friends: the target's own architecture.
			continue
		}
		c.note("INFO.sh", in.computed[k], k, importer.Dropped, "a computed value kiln does not evaluate")
	}
	if in.vars["arch"] == "noarch" {
		c.f.Set("targets", []string{"noarch"})
	}
	known := append(append([]string{"package", "version", "description", "arch", "adminport"}, spkFields...), spkBools...)
	for _, k := range slices.Sorted(maps.Keys(in.vars)) {
		if !slices.Contains(known, k) && !strings.HasPrefix(k, "description_") {
			c.note("INFO.sh", in.lines[k], k, importer.Dropped, "not an INFO key kiln writes")
		}
	}
	return spk
}

// skipped are the project's files that are not build sources.
var skipped = []string{"SynoBuildConf", "INFO.sh", "scripts", "conf", "PACKAGE_ICON.PNG", "PACKAGE_ICON_256.PNG", "WIZARD_UIFILES"}

// sources: every other file of the project, copied beside the recipe.
func (c *conv) sources() {
	var srcs []any
	entries, _ := os.ReadDir(c.dir)
	for _, e := range entries {
		if slices.Contains(skipped, e.Name()) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		c.copyTree(e.Name(), e.Name())
		src := importer.Map{{Key: "path", Value: e.Name()}}
		if e.IsDir() {
			// A directory source lands its contents in dest: keep the
			// project's layout.
			src.Set("dest", e.Name())
		}
		srcs = append(srcs, src)
	}
	if len(srcs) > 0 {
		c.f.Set("sources", srcs)
	}
}

func (c *conv) copyTree(rel, to string) {
	_ = filepath.Walk(filepath.Join(c.dir, rel), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			r, _ := filepath.Rel(c.dir, p)
			c.r.Files = append(c.r.Files, importer.LocalFile{From: p, To: filepath.ToSlash(filepath.Join(to, strings.TrimPrefix(r, rel)))})
		}
		return err
	})
}

// pkgscriptsVars are the build environment's variables kiln does not set.
var pkgscriptsVars = regexp.MustCompile(`\$\{?(ConfigOpt|MAKE_FLAGS|SysRoot|ToolChainPrefix|ToolChainSysRoot|ToolChainInclude|ToolChainLib|PLATFORM_ABBR|BUILD_ARCH)\b`)

func (c *conv) build() {
	data, err := os.ReadFile(filepath.Join(c.dir, "SynoBuildConf", "build"))
	if err != nil {
		return
	}
	body := strings.TrimSpace(dropShebang(string(data)))
	if body == "" {
		return
	}
	for i, l := range strings.Split(string(data), "\n") {
		if m := pkgscriptsVars.FindStringSubmatch(l); m != nil {
			c.note("SynoBuildConf/build", i+1, m[1], importer.Approximated, "pkgscripts-ng's %s is not set in kiln's toolchain (which sets CC, CXX, AR, STRIP, CHOST, SYSROOT)", m[1])
		}
	}
	c.f.Set("build", body)
}

var (
	innerRe = regexp.MustCompile(`pkg_make_inner_tarball\s+"?\$\{?([A-Za-z_][A-Za-z0-9_]*)`)
	cmdSep  = regexp.MustCompile(`\s*(&&|;)\s*`)
)

// install: pkgscripts-ng's install script fills a directory and packs
// package.tgz and the spk from it; kiln packs, so what is carried over
// are the commands that fill that directory (the one it hands to
// pkg_make_inner_tarball), writing into $pkgdir instead.
func (c *conv) install() {
	data, err := os.ReadFile(filepath.Join(c.dir, "SynoBuildConf", "install"))
	if err != nil {
		return
	}
	m := innerRe.FindStringSubmatch(string(data))
	if m == nil {
		c.note("SynoBuildConf/install", 0, "install", importer.Dropped, "no pkg_make_inner_tarball: write the package step, which installs into $pkgdir")
		return
	}
	ref := regexp.MustCompile(`\$\{?` + m[1] + `\b\}?`)
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		for _, part := range cmdSep.Split(strings.TrimSpace(l), -1) {
			if !ref.MatchString(part) || strings.HasPrefix(part, "rm ") || strings.HasPrefix(part, "pkg_") || strings.HasPrefix(part, m[1]+"=") {
				continue
			}
			out = append(out, ref.ReplaceAllString(part, "$$pkgdir"))
		}
	}
	if len(out) == 0 {
		c.note("SynoBuildConf/install", 0, "install", importer.Dropped, "nothing fills $%s: write the package step, which installs into $pkgdir", m[1])
		return
	}
	c.f.Set("package", strings.Join(out, "\n"))
	c.note("SynoBuildConf/install", 0, "install", importer.Approximated, "the commands filling $%s, into $pkgdir; kiln packs package.tgz and the spk itself", m[1])
}

func dropShebang(s string) string {
	if strings.HasPrefix(s, "#!") {
		if _, rest, ok := strings.Cut(s, "\n"); ok {
			return rest
		}
		return ""
	}
	return s
}

func (c *conv) scripts(spk *importer.Map) {
	var scripts importer.Map
	entries, _ := os.ReadDir(filepath.Join(c.dir, "scripts"))
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(c.dir, "scripts", e.Name()))
		if err != nil {
			continue
		}
		if !slices.Contains(pspk.ScriptNames, e.Name()) && !slices.Contains(pspk.ExtraScriptNames, e.Name()) {
			c.note("scripts/"+e.Name(), 0, "scripts", importer.Dropped, "%s is not a Package Center script", e.Name())
			continue
		}
		scripts.Set(e.Name(), string(data))
	}
	if len(scripts) > 0 {
		spk.Set("scripts", scripts)
	}
}

// conf: privilege and resource, JSON files, keep their key order.
func (c *conv) conf(spk *importer.Map) {
	for _, name := range []string{"privilege", "resource"} {
		data, err := os.ReadFile(filepath.Join(c.dir, "conf", name))
		if err != nil {
			continue
		}
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil || len(n.Content) == 0 {
			c.note("conf/"+name, 0, name, importer.Dropped, "not JSON: %v", err)
			continue
		}
		spk.Set(name, toValue(n.Content[0]))
	}
}

// toValue converts a parsed JSON (YAML) node into importer values.
func toValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := importer.Map{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m.Set(n.Content[i].Value, toValue(n.Content[i+1]))
		}
		return m
	case yaml.SequenceNode:
		var l []any
		for _, x := range n.Content {
			l = append(l, toValue(x))
		}
		return l
	}
	switch n.Tag {
	case "!!bool":
		return n.Value == "true"
	case "!!int":
		var i int
		fmt.Sscan(n.Value, &i)
		return i
	}
	return n.Value
}

// icons (and the wizard) are copied beside the recipe and named by
// formats.spk.
func (c *conv) icons(spk *importer.Map) {
	if st, err := os.Stat(filepath.Join(c.dir, "WIZARD_UIFILES")); err == nil && st.IsDir() {
		c.copyTree("WIZARD_UIFILES", "wizard")
		spk.Set("wizard", "wizard")
	}
	for _, ic := range []struct{ file, option string }{{"PACKAGE_ICON.PNG", "icon"}, {"PACKAGE_ICON_256.PNG", "icon_256"}} {
		if _, err := os.Stat(filepath.Join(c.dir, ic.file)); err == nil {
			c.copyTree(ic.file, "icon/"+ic.file)
			spk.Set(ic.option, "icon/"+ic.file)
		}
	}
}

// depends: SynoBuildConf/depends names the projects built before this one
// and the toolkit version, which kiln's targets replace. A BuildDependent
// project beside this one (in the same source/ directory) is built and
// installed into the build environment first, as kiln's host: makedepends
// are into $SYSROOT; ReferenceOnly projects (sources only looked at) have
// no counterpart.
func (c *conv) depends() {
	data, err := os.ReadFile(filepath.Join(c.dir, "SynoBuildConf", "depends"))
	if err != nil {
		return
	}
	section := ""
	var mk []string
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "["):
			section = strings.Trim(l, "[]")
		case l == "" || strings.HasPrefix(l, "#"):
		case section == "BuildDependent":
			if name, ok := siblingName(filepath.Join(filepath.Dir(c.dir), l)); ok {
				mk = append(mk, "host:"+name)
				continue
			}
			c.note("SynoBuildConf/depends", i+1, section, importer.Dropped, "%s: no project with an INFO.sh beside this one; import it too and depend on it with makedepends host:", l)
		case section == "ReferenceOnly":
			c.note("SynoBuildConf/depends", i+1, section, importer.Dropped, "%s: a project whose sources are only referred to has no kiln counterpart", l)
		default:
			// [default] all="7.0": the toolkit environment, a kiln target.
		}
	}
	if len(mk) > 0 {
		c.f.Set("makedepends", mk)
	}
}

// siblingName is the recipe name the project in dir imports as.
func siblingName(dir string) (string, bool) {
	if !isProject(dir) {
		return "", false
	}
	in, _, err := readInfo(filepath.Join(dir, "INFO.sh"))
	if err != nil || in.vars["package"] == "" {
		return "", false
	}
	return recipeName(in.vars["package"]), true
}

// recipeName is kiln's name for INFO's package.
func recipeName(pkg string) string { return strings.ToLower(strings.ReplaceAll(pkg, "_", "-")) }
