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

// crosses imports the cross/ packages the spk Makefile's DEPENDS names:
// sources, patches, build and install steps, and the PLIST.
func (c *conv) crosses(mkfile string, mf *makefile) error {
	var deps []string
	for _, d := range strings.Fields(mf.get("DEPENDS")) {
		if !strings.HasPrefix(d, "cross/") {
			c.note(mkfile, mf.lines["DEPENDS"], "DEPENDS", importer.Dropped, "%s: only cross/ packages are imported", d)
			continue
		}
		deps = append(deps, strings.TrimPrefix(d, "cross/"))
	}
	if len(deps) == 0 {
		return nil
	}
	// spksrc builds DEPENDS in order; the last is the package itself,
	// the others its libraries.
	slices.Reverse(deps)
	var sources []any
	var build, pkg, files []string
	for i, d := range deps {
		dir := filepath.Join(c.root, "cross", d)
		cmk := filepath.Join(dir, "Makefile")
		cm, err := readMakefile(cmk)
		if err != nil {
			return fmt.Errorf("DEPENDS cross/%s: %w", d, err)
		}
		main := i == 0
		dest := ""
		if !main {
			dest = d
			c.note(cmk, 0, "DEPENDS", importer.Approximated, "cross/%s is built and installed beside the package in $srcdir/%s and $pkgdir, not into a staging directory the package's build sees", d, d)
		}
		if src := c.crossSource(cmk, cm, dir, dest); src != nil {
			sources = append(sources, src)
		}
		if main {
			c.patches(cmk, cm, dir, d)
		}
		b, p := steps(c.r.Name, cm)
		cd := ""
		if dest != "" {
			cd = fmt.Sprintf("cd %q\n", "$srcdir/"+dest)
			b, p = "("+cd+b+")", "("+cd+p+")"
		}
		build = append([]string{b}, build...)
		pkg = append([]string{p}, pkg...)
		files = append(files, c.plist(cmk, cm, dir)...)
		c.unread(cmk, cm, crossVars)
	}
	if len(sources) > 0 {
		c.f.Set("sources", sources)
	}
	c.f.Set("build", strings.Join(build, "\n"))
	c.f.Set("package", strings.Join(pkg, "\n"))
	if len(files) > 0 {
		c.f.Set("packages", importer.Map{{Key: c.r.Name, Value: importer.Map{{Key: "files", Value: files}}}})
	}
	return nil
}

func (c *conv) crossSource(cmk string, cm *makefile, dir, dest string) importer.Map {
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
	src := importer.Map{{Key: "url", Value: strings.TrimSuffix(site, "/") + "/" + dist}, {Key: "sha256", Value: sum}}
	if dest != "" {
		src.Set("dest", dest)
	}
	return src
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
