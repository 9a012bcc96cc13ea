package spk

import (
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
)

// withOpts puts SPK's names for the options (SPK_OPT_name) in front of a
// script that uses them, from kiln's (KILN_OPT_NAME).
func (c *conv) withOpts(script string) string {
	var pre []string
	for _, o := range c.opts {
		spk := "SPK_OPT_" + strings.ReplaceAll(o, "-", "_")
		if strings.Contains(script, spk) {
			pre = append(pre, spk+`="$KILN_OPT_`+strings.ToUpper(strings.ReplaceAll(o, "-", "_"))+`"`)
		}
	}
	for _, o := range c.hostOpts {
		if spk := "SPK_OPT_" + o; strings.Contains(script, spk) {
			pre = append(pre, spk+`="`+hostVars[o]+`"`)
		}
	}
	slices.Sort(pre)
	if len(pre) == 0 {
		return script
	}
	return strings.Join(pre, "\n") + "\n" + script
}

// spfsBegin and spfsEnd wrap SPK's build script in kiln's package step
// the way SPK runs it: in /spfs holding the build's dependencies (the
// host: makedepends, which kiln installs into $SYSROOT), with /spfs/bin
// on PATH; the package is what the script added or changed in /spfs
// (SPK's layer), copied into $pkgdir/spfs. So files are built for the
// paths they have on the machines that install them, and a dependency's
// files are not packaged again. The script runs in a subshell, so an
// exit in it still leaves the package to collect.
const (
	spfsBegin = `# SPK's build environment: /spfs with the build's dependencies in it.
_kiln_spfs_list() {
    (cd /spfs && find . -mindepth 1 ! -type d -print0 | LC_ALL=C sort -z |
        while IFS= read -r -d '' f; do
            if [ -L "$f" ]; then printf '%s -> %s\n' "$f" "$(readlink "$f")"; else printf '%s %s\n' "$f" "$(sha256sum <"$f")"; fi
        done)
}
mkdir -p /spfs
if [ -d "$SYSROOT/spfs" ]; then cp -a "$SYSROOT/spfs/." /spfs/; fi
_kiln_spfs_list | LC_ALL=C sort >/tmp/kiln-spfs-before
export PATH="/spfs/bin:$PATH"
(
`
	spfsEnd = `
)
# The package: what the build added to /spfs or changed there.
mkdir -p "$pkgdir/spfs"
_kiln_spfs_list | LC_ALL=C sort | LC_ALL=C comm -13 /tmp/kiln-spfs-before - |
    sed -e 's/ -> .*$//' -e 's/ [0-9a-f]\{64\}  -$//' |
    (cd /spfs && while IFS= read -r f; do cp -a --parents "$f" "$pkgdir/spfs/"; done)`
)

// script: SPK's build script compiles and installs into /spfs in one; in
// kiln it is the package step, run as SPK runs it (spfsBegin).
func (c *conv) script(build node) {
	s := build.get("script")
	body := s.lines()
	if !s.ok() {
		body = "bash build.sh"
	}
	c.f.Set("package", spfsBegin+c.withOpts(body)+spfsEnd)
}

// components become split packages: run is the recipe's own package,
// every other NAME-COMPONENT; files are relative to /spfs.
func (c *conv) components(n node) {
	comps := n.items()
	if len(comps) == 0 {
		return
	}
	custom := slices.ContainsFunc(comps, func(x node) bool {
		name := x.get("name").str()
		return (name != "run" && name != "build") || x.get("files").ok()
	})
	if !custom {
		return
	}
	pkgName := func(comp string) string {
		if comp == "run" {
			return c.r.Name
		}
		return c.r.Name + "-" + comp
	}
	var pkgs importer.Map
	for _, x := range comps {
		comp := x.get("name").str()
		p := importer.Map{}
		var files []string
		for _, f := range x.get("files").items() {
			g, neg := strings.CutPrefix(f.str(), "!")
			g = strings.TrimPrefix(g, "/")
			switch {
			case g == "*" || g == "":
				g = "**"
			case strings.HasSuffix(g, "/"):
				g += "**"
			}
			if neg {
				g = "!spfs/" + g
			} else {
				g = "spfs/" + g
			}
			files = append(files, g)
		}
		if len(files) == 0 {
			files = []string{"spfs/**"}
		}
		p.Set("files", files)
		var uses []string
		for _, u := range x.get("uses").items() {
			uses = append(uses, pkgName(u.str()))
		}
		if u := x.get("uses").str(); u != "" {
			uses = append(uses, pkgName(u))
		}
		if len(uses) > 0 {
			p.Set("uses", uses)
		}
		if r := x.get("requirements"); r.ok() {
			var ds []string
			for _, q := range r.items() {
				name, rng, _ := strings.Cut(q.get("pkg").str(), "/")
				cs, _ := constraints(rng)
				ds = append(ds, deps(name, cs)...)
			}
			p.Set("depends", ds)
		}
		pkgs.Set(pkgName(comp), p)
	}
	c.f.Set("packages", pkgs)
	// SPK's components may share files (build and run do by default).
	c.f.Set("validation", []any{importer.Map{{Key: "allow", Value: "DoublyClaimedFiles"}}})
}

func (c *conv) environment(n node) {
	var out []any
	for _, e := range n.items() {
		op := importer.Map{}
		for _, k := range e.keys() {
			switch k {
			case "set", "append", "prepend", "comment", "value", "separator":
				op.Set(k, e.get(k).str())
			case "priority":
				var p int
				for _, ch := range e.get(k).str() {
					p = p*10 + int(ch-'0')
				}
				op.Set(k, p)
			default:
				c.note(e, "install.environment", importer.Dropped, "%s: not an environment operation kiln knows", k)
			}
		}
		if len(op) > 0 {
			out = append(out, op)
		}
	}
	if len(out) > 0 {
		c.f.Set("env", out)
	}
}

func (c *conv) tests(n node) {
	var out []any
	for _, t := range n.items() {
		tm := importer.Map{{Key: "stage", Value: t.get("stage").str()}}
		if s := t.get("script"); s.ok() {
			tm.Set("script", c.withOpts(s.lines()))
		}
		var sels []any
		for _, s := range t.get("selectors").items() {
			sels = append(sels, c.selector(s, "tests.selectors"))
		}
		if len(sels) > 0 {
			tm.Set("selectors", sels)
		}
		var reqs []string
		for _, r := range t.get("requirements").items() {
			name, rng, _ := strings.Cut(r.get("pkg").str(), "/")
			if name == "" {
				c.note(r, "tests.requirements", importer.Dropped, "%s: kiln's test requirements are packages", strings.Join(r.keys(), ", "))
				continue
			}
			cs, _ := constraints(rng)
			reqs = append(reqs, deps(name, cs)...)
		}
		if len(reqs) > 0 {
			tm.Set("requires", reqs)
		}
		out = append(out, tm)
	}
	if len(out) > 0 {
		c.f.Set("tests", out)
	}
}

func (c *conv) validation(n node) {
	existing, _ := c.f.Get("validation").([]any)
	for _, r := range n.get("rules").items() {
		for _, k := range []string{"allow", "deny"} {
			if v := r.get(k).str(); v != "" {
				if slices.Contains(kilnRules, v) {
					existing = append(existing, importer.Map{{Key: k, Value: v}})
				} else {
					c.note(r, "build.validation", importer.Dropped, "%s %s: not a rule kiln checks", k, v)
				}
			}
		}
	}
	if len(existing) > 0 {
		c.f.Set("validation", existing)
	}
}
