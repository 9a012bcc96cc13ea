package spksrc

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
)

// prefix is where spksrc installs a package's files (INSTALL_PREFIX).
func prefix(name string) string { return "var/packages/" + name + "/target" }

// crosses imports the cross/ packages the spk Makefile's DEPENDS names,
// and those their own DEPENDS name: sources, patches, build and install
// steps, and the PLIST. The last is the package itself, built by the recipe; spksrc builds the others first
// and installs them into its staging directory, which the package's build
// compiles and links against and whose PLIST files the spk holds: each
// becomes a recipe of its own (SPK-NAME, installing under the package's
// prefix) that the recipe takes as a host: makedepend, so it is in
// $SYSROOT, where the build finds it (stagingEnv) and the package step
// copies it from.
func (c *conv) crosses(mkfile string, mf *makefile) ([]*importer.Recipe, error) {
	var deps []string
	for _, d := range strings.Fields(mf.get("DEPENDS")) {
		if !strings.HasPrefix(d, "cross/") {
			c.note(mkfile, mf.lines["DEPENDS"], "DEPENDS", importer.Dropped, "%s: only cross/ packages are imported", d)
			continue
		}
		var err error
		if deps, err = c.crossDeps(strings.TrimPrefix(d, "cross/"), deps, nil); err != nil {
			return nil, err
		}
	}
	if len(deps) == 0 {
		return nil, nil
	}
	var extra []*importer.Recipe
	var staged, files []string
	for i, d := range deps {
		dir := filepath.Join(c.root, "cross", d)
		cmk := filepath.Join(dir, "Makefile")
		cm, err := readMakefile(cmk)
		if err != nil {
			return nil, fmt.Errorf("DEPENDS cross/%s: %w", d, err)
		}
		files = append(files, c.plist(cmk, cm, dir)...)
		if i == len(deps)-1 {
			c.crossRecipe(c, cmk, cm, dir, d, staged)
			if len(staged) > 0 {
				p := prefix(c.r.Name)
				pkg, _ := c.f.Get("package").(string)
				c.f.Set("package", fmt.Sprintf("# The cross dependencies' files (spksrc's staging directory), for their PLIST entries.\nmkdir -p \"$pkgdir/%[1]s\"\ncp -a \"$SYSROOT/%[1]s/.\" \"$pkgdir/%[1]s/\"\n", p)+pkg)
			}
			break
		}
		name := c.r.Name + "-" + d
		dc := &conv{root: c.root, r: &importer.Recipe{Name: name, Source: importer.RelTo(cmk)}}
		dc.f = importer.Map{{Key: "name", Value: name}}
		ver := cm.get("PKG_VERS")
		if ver == "" {
			ver = "0"
		}
		dc.f.Set("version", ver)
		dc.f.Set("summary", fmt.Sprintf("%s, staged for the %s spk (spksrc's cross/%s)", d, c.r.Name, d))
		for _, k := range []string{"license", "maintainer", "timestamp"} {
			dc.f.Set(k, c.f.Get(k))
		}
		c.crossRecipe(dc, cmk, cm, dir, d, staged)
		dc.r.Fields = dc.f
		dc.r.SortNotes()
		extra = append(extra, dc.r)
		staged = append(staged, name)
	}
	if len(files) > 0 {
		c.f.Set("packages", importer.Map{{Key: c.r.Name, Value: importer.Map{{Key: "files", Value: files}}}})
	}
	return extra, nil
}

// crossDeps appends cross/d to deps after what its own Makefile's DEPENDS
// names (recursively, each once), the order spksrc builds them in; path
// is the chain of packages being expanded, to refuse a cycle.
func (c *conv) crossDeps(d string, deps, path []string) ([]string, error) {
	if slices.Contains(deps, d) {
		return deps, nil
	}
	if slices.Contains(path, d) {
		return nil, fmt.Errorf("DEPENDS: cross/%s depends on itself (%s)", d, strings.Join(append(path, d), " → "))
	}
	cmk := filepath.Join(c.root, "cross", d, "Makefile")
	cm, err := readMakefile(cmk)
	if err != nil {
		return nil, fmt.Errorf("DEPENDS cross/%s: %w", d, err)
	}
	for _, sub := range strings.Fields(cm.get("DEPENDS")) {
		if sd, ok := strings.CutPrefix(sub, "cross/"); ok {
			if deps, err = c.crossDeps(sd, deps, append(path, d)); err != nil {
				return nil, err
			}
		} else {
			c.note(cmk, cm.lines["DEPENDS"], "DEPENDS", importer.Dropped, "%s: only cross/ packages are imported", sub)
		}
	}
	return append(deps, d), nil
}

// crossRecipe fills rc (the recipe's own conv, or a staged dependency's)
// from cross/d: its source, patches, build and install, under the spk
// package's prefix, with the dependencies staged before it as host:
// makedepends.
func (c *conv) crossRecipe(rc *conv, cmk string, cm *makefile, dir, d string, staged []string) {
	if src := rc.crossSource(cmk, cm, dir); src != nil {
		rc.f.Set("sources", []any{src})
	}
	rc.patches(cmk, cm, dir, d)
	b, p := steps(c.r.Name, cm)
	if len(staged) > 0 {
		var mk []string
		for _, s := range staged {
			mk = append(mk, "host:"+s)
		}
		rc.f.Set("makedepends", mk)
		b = stagingEnv(c.r.Name) + b
	}
	rc.f.Set("build", b)
	rc.f.Set("package", p)
	rc.unread(cmk, cm, crossVars)
}

// stagingEnv points the compiler, linker and pkg-config at the staged
// dependencies in $SYSROOT, as spksrc's cross environment points them at
// its staging directory; binaries find the libraries at the installed
// prefix.
func stagingEnv(name string) string {
	p := prefix(name)
	return fmt.Sprintf(`# spksrc's staging directory: the cross dependencies, in $SYSROOT.
export CFLAGS="${CFLAGS:-} -I$SYSROOT/%[1]s/include" CXXFLAGS="${CXXFLAGS:-} -I$SYSROOT/%[1]s/include" CPPFLAGS="${CPPFLAGS:-} -I$SYSROOT/%[1]s/include"
export LDFLAGS="${LDFLAGS:-} -L$SYSROOT/%[1]s/lib -Wl,-rpath-link,$SYSROOT/%[1]s/lib -Wl,-rpath,/%[1]s/lib"
export PKG_CONFIG_LIBDIR="$SYSROOT/%[1]s/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$SYSROOT"
`, p)
}

func (c *conv) crossSource(cmk string, cm *makefile, dir string) importer.Map {
	site, dist := cm.get("PKG_DIST_SITE"), cm.get("PKG_DIST_NAME")
	if dist == "" && cm.get("PKG_NAME") != "" {
		dist = cm.get("PKG_NAME") + "-" + cm.get("PKG_VERS") + "." + cm.get("PKG_EXT")
	}
	if site == "" || dist == "" {
		c.note(cmk, cm.lines["PKG_DIST_SITE"], "PKG_DIST_SITE", importer.Dropped, "no download location (PKG_DIST_SITE, PKG_DIST_NAME)")
		return nil
	}
	sum := readDigests(filepath.Join(dir, "digests"))[dist]
	if sum == "" {
		c.note(cmk, cm.lines["PKG_DIST_NAME"], "digests", importer.Dropped, "%s has no SHA256 line in digests, which kiln needs for a URL source", dist)
		return nil
	}
	return importer.Map{{Key: "url", Value: strings.TrimSuffix(site, "/") + "/" + dist}, {Key: "sha256", Value: sum}}
}

// patches copies cross/NAME/patches/*.patch beside the recipe, applied
// with PATCHES_LEVEL (spksrc's default -p0).
func (c *conv) patches(cmk string, cm *makefile, dir, d string) {
	found, _ := filepath.Glob(filepath.Join(dir, "patches", "*.patch"))
	if len(found) == 0 {
		return
	}
	slices.Sort(found)
	var list []string
	for _, f := range found {
		to := path.Join("patches", d, filepath.Base(f))
		c.r.Files = append(c.r.Files, importer.LocalFile{From: f, To: to})
		list = append(list, to)
	}
	c.f.Set("patches", list)
	c.f.Set("patch_level", atoi(cm.get("PATCHES_LEVEL")))
}

// steps are the build and install commands of a cross package.
func steps(name string, cm *makefile) (build, install string) {
	pre := ""
	if fl := cm.get("ADDITIONAL_CFLAGS"); fl != "" {
		pre = fmt.Sprintf("export CFLAGS=\"${CFLAGS:-} %s\"\n", fl)
	}
	target := cm.get("INSTALL_TARGET")
	if target == "" {
		target = "install"
	}
	switch {
	case slices.ContainsFunc(cm.includes, func(s string) bool { return strings.Contains(s, "cmake") }) || cm.get("CMAKE_ARGS") != "":
		build = pre + strings.TrimRight(fmt.Sprintf("cmake -B build -DCMAKE_INSTALL_PREFIX=/%s -DCMAKE_C_COMPILER=\"$CC\" -DCMAKE_CXX_COMPILER=\"$CXX\" %s", prefix(name), cm.get("CMAKE_ARGS")), " ") + "\ncmake --build build"
		install = "DESTDIR=\"$pkgdir\" cmake --install build"
	case cm.get("GNU_CONFIGURE") == "1":
		build = pre + strings.TrimRight(fmt.Sprintf("./configure --host=\"$CHOST\" --prefix=/%s %s", prefix(name), cm.get("CONFIGURE_ARGS")), " ") + "\nmake"
		install = "make " + target + " DESTDIR=\"$pkgdir\""
	default:
		build = pre + "make CC=\"$CC\" CXX=\"$CXX\""
		install = fmt.Sprintf("make %s DESTDIR=\"$pkgdir\" PREFIX=/%s", target, prefix(name))
	}
	return strings.TrimRight(build, " "), install
}

// plist reads cross/NAME/PLIST into file entries under the install
// prefix, each path rewritten by PLIST_TRANSFORM (sed s commands).
func (c *conv) plist(cmk string, cm *makefile, dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "PLIST"))
	if err != nil {
		return nil
	}
	type sub struct {
		re  *regexp.Regexp
		rep string
	}
	var subs []sub
	if t := cm.get("PLIST_TRANSFORM"); t != "" {
		for _, e := range parseSed(t) {
			re, err := regexp.Compile(e[0])
			if err != nil {
				c.note(cmk, cm.lines["PLIST_TRANSFORM"], "PLIST_TRANSFORM", importer.Dropped, "%q: %v", e[0], err)
				continue
			}
			subs = append(subs, sub{re, regexp.MustCompile(`\\([0-9])`).ReplaceAllString(e[1], "$${$1}")})
		}
		if len(subs) == 0 {
			c.note(cmk, cm.lines["PLIST_TRANSFORM"], "PLIST_TRANSFORM", importer.Dropped, "%q: kiln reads sed s commands only", t)
		}
	}
	var out []string
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, p, ok := strings.Cut(line, ":")
		if !ok || !slices.Contains([]string{"bin", "lib", "lnk", "rsc"}, kind) {
			c.note(filepath.Join(dir, "PLIST"), i+1, "PLIST", importer.Dropped, "%q is not a PLIST entry (bin:, lib:, lnk:, rsc:)", line)
			continue
		}
		for _, s := range subs {
			p = s.re.ReplaceAllString(p, s.rep)
		}
		out = append(out, kind+":"+prefix(c.r.Name)+"/"+strings.TrimPrefix(p, "/"))
	}
	return out
}

// parseSed reads "sed -e 's,from,to,' -e ..." into (from, to) pairs.
func parseSed(t string) [][2]string {
	var out [][2]string
	for _, arg := range regexp.MustCompile(`'([^']*)'|"([^"]*)"`).FindAllStringSubmatch(t, -1) {
		e := arg[1] + arg[2]
		if len(e) < 4 || e[0] != 's' {
			continue
		}
		parts := strings.Split(e[2:], e[1:2])
		if len(parts) < 2 {
			continue
		}
		out = append(out, [2]string{parts[0], parts[1]})
	}
	return out
}
