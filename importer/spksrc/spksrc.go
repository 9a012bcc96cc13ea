// Package spksrc imports spksrc packages (spk/NAME/Makefile with the
// cross/ packages it depends on: their Makefiles, digests, PLIST and
// patches) into kiln recipes. Makefiles are read for their documented
// variables only (makefile.go); every other make construct is reported.
package spksrc

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/schema"
)

func init() { importer.Register("spksrc", Import) }

// Import reads spk/NAME directories, or every one under a spksrc tree
// (a directory holding spk/ and cross/).
func Import(paths []string, o importer.Options) (*importer.Import, error) {
	var dirs []string
	for _, p := range paths {
		if st, err := os.Stat(filepath.Join(p, "spk")); err == nil && st.IsDir() {
			found, _ := filepath.Glob(filepath.Join(p, "spk", "*", "Makefile"))
			for _, f := range found {
				dirs = append(dirs, filepath.Dir(f))
			}
			continue
		}
		if _, err := os.Stat(filepath.Join(p, "Makefile")); err != nil {
			return nil, fmt.Errorf("%s: neither a spksrc tree (spk/, cross/) nor an spk/NAME directory", p)
		}
		dirs = append(dirs, p)
	}
	slices.Sort(dirs)
	return importer.Each(dirs, func(d string) ([]*importer.Recipe, error) {
		return readPackage(d, o)
	})
}

// spkVars are the spk/ Makefile variables kiln reads; crossVars the
// cross/ ones. Others are reported as dropped.
var (
	spkVars = []string{"SPK_NAME", "SPK_VERS", "SPK_REV", "SPK_ICON", "DEPENDS", "MAINTAINER", "MAINTAINER_URL",
		"DESCRIPTION", "DISPLAY_NAME", "CHANGELOG", "HOMEPAGE", "LICENSE", "STARTABLE", "BETA", "HELPURL",
		"SUPPORTURL", "ADMIN_PORT", "ADMIN_URL", "ADMIN_PROTOCOL", "REQUIRED_MIN_DSM", "SERVICE_USER",
		"SERVICE_SETUP", "SERVICE_PORT", "SERVICE_PORT_TITLE", "SERVICE_COMMAND", "WIZARDS_DIR", "SPK_DEPENDS"}
	crossVars = []string{"PKG_NAME", "PKG_VERS", "PKG_EXT", "PKG_DIST_NAME", "PKG_DIST_SITE", "PKG_DIR", "DEPENDS",
		"HOMEPAGE", "COMMENT", "LICENSE", "GNU_CONFIGURE", "CONFIGURE_ARGS", "CMAKE_ARGS", "ADDITIONAL_CFLAGS",
		"PLIST_TRANSFORM", "PATCHES_LEVEL", "INSTALL_TARGET"}
	langRe = regexp.MustCompile(`^DESCRIPTION_([A-Z]{3})$`)
)

type conv struct {
	root string // the spksrc tree
	r    *importer.Recipe
	f    importer.Map
}

func (c *conv) note(file string, line int, field, kind, format string, args ...any) {
	c.r.Note(importer.RelTo(file), line, field, kind, format, args...)
}

// unread reports a Makefile's variables outside known and its other
// make constructs.
func (c *conv) unread(file string, mf *makefile, known []string) {
	for _, n := range slices.Sorted(maps.Keys(mf.lines)) {
		if !slices.Contains(known, n) && !langRe.MatchString(n) {
			c.note(file, mf.lines[n], n, importer.Dropped, "not a variable kiln reads")
		}
	}
	for _, l := range mf.unevaluated {
		c.note(file, l, "(make)", importer.Approximated, "a conditional on what spksrc's framework sets or computes per build (a variable the Makefile does not set, a make function): kiln reads its first branch")
	}
	for _, l := range mf.other {
		c.note(file, l, "(make)", importer.Dropped, "a make construct kiln does not read (rules, defines): only variables are imported")
	}
}

// readPackage imports spk/NAME: its recipe, then those of the cross
// dependencies it stages (crosses).
func readPackage(dir string, o importer.Options) ([]*importer.Recipe, error) {
	mkfile := filepath.Join(dir, "Makefile")
	mf, err := readMakefile(mkfile)
	if err != nil {
		return nil, err
	}
	name := mf.get("SPK_NAME")
	if name == "" {
		return nil, fmt.Errorf("the Makefile sets no SPK_NAME")
	}
	c := &conv{root: filepath.Join(dir, "..", ".."), r: &importer.Recipe{Name: name, Source: importer.RelTo(mkfile)}}
	c.f = importer.Map{{Key: "name", Value: name}}
	ver := mf.get("SPK_VERS")
	if rev := mf.get("SPK_REV"); rev != "" {
		ver += "-" + rev
	}
	c.f.Set("version", ver)
	desc := mf.get("DESCRIPTION")
	summary, _, _ := strings.Cut(desc, ". ")
	c.f.Set("summary", strings.TrimSuffix(summary, "."))
	if desc != "" && desc != summary {
		c.f.Set("description", desc)
	}
	lic := mf.get("LICENSE")
	if l, ok := schema.ValidLicense(lic); !ok {
		c.note(mkfile, mf.lines["LICENSE"], "LICENSE", importer.Approximated, "%q is not an SPDX expression; kiln's nearest is %q", lic, l)
		lic = l
	}
	c.f.Set("license", lic)
	if h := mf.get("HOMEPAGE"); h != "" {
		c.f.Set("homepage", h)
	}
	c.fromOptions(mkfile, mf, o)
	staged, err := c.crosses(mkfile, mf)
	if err != nil {
		return nil, err
	}
	c.f.Set("formats", importer.Map{{Key: "spk", Value: c.spkOptions(dir, mkfile, mf)}})
	c.unread(mkfile, mf, spkVars)
	c.r.Fields = c.f
	c.r.SortNotes()
	return append([]*importer.Recipe{c.r}, staged...), nil
}

// fromOptions: spksrc's MAINTAINER is a name (often a GitHub account),
// not kiln's "Name <email>"; and there is no timestamp.
func (c *conv) fromOptions(mkfile string, mf *makefile, o importer.Options) {
	maint := o.Maintainer
	if maint == "" {
		m := mf.get("MAINTAINER")
		maint = m + " <" + strings.ToLower(strings.ReplaceAll(m, " ", ".")) + "@users.noreply.example.org>"
	}
	c.f.Set("maintainer", maint)
	c.note(mkfile, mf.lines["MAINTAINER"], "MAINTAINER", importer.FilledOr(o.Maintainer != ""), "kiln's maintainer is \"Name <email>\": %s (--maintainer); the INFO maintainer stays %q", maint, mf.get("MAINTAINER"))
	ts := o.Timestamp
	if ts == "" {
		ts = "1970-01-01"
	}
	c.f.Set("timestamp", ts)
	c.note(mkfile, 0, "timestamp", importer.FilledOr(o.Timestamp != ""), "spksrc has no timestamp: %s (--timestamp)", ts)
}

// readDigests reads cross/NAME/digests: "FILE SHA256 HEX" lines.
func readDigests(path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) == 3 && fs[1] == "SHA256" {
			out[fs[0]] = strings.ToLower(fs[2])
		}
	}
	return out
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
