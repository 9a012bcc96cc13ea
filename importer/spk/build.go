package spk

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
)

var rangeRe = regexp.MustCompile(`^(==|=|>=|<=|>|<|~|\^|!=)?\s*(?:(?:Binary|API):)?([0-9][A-Za-z0-9.+-]*)$`)

// constraints converts an SPK version range ("~1.2", "^1.2.3", ">=2",
// "=1.0", "1.2" meaning compatible with 1.2, several joined by commas)
// into kiln's constraints; approx says a bound was dropped or guessed.
func constraints(r string) (out []string, approx string) {
	for _, part := range strings.Split(r, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := rangeRe.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Sprintf("%q is not an SPK version range kiln reads", part)
		}
		v := debianVersion(m[2])
		switch m[1] {
		case "=", "==":
			out = append(out, "= "+v)
		case ">=", "<=":
			out = append(out, m[1]+" "+v)
		case ">":
			out = append(out, ">> "+v)
		case "<":
			out = append(out, "<< "+v)
		case "~":
			out = append(out, ">= "+v)
			if up := bump(m[2], 1); up != "" {
				out = append(out, "<< "+up)
			}
		case "^":
			out = append(out, ">= "+v)
			if up := bump(m[2], 0); up != "" {
				out = append(out, "<< "+up)
			}
		case "!=":
			return nil, fmt.Sprintf("%q: kiln has no \"not equal\" relation", part)
		default:
			out = append(out, ">= "+v)
			approx = fmt.Sprintf("%q means compatible with %s by the other package's compat rule; kiln keeps the lower bound", part, m[2])
		}
	}
	return out, approx
}

// bump is the version where v's position i (0 major, 1 minor; the last
// position for a shorter v) rolls over: 1.2.3 → 2 (i=0) or 1.3 (i=1).
func bump(v string, i int) string {
	parts := strings.Split(strings.SplitN(strings.SplitN(v, "-", 2)[0], "+", 2)[0], ".")
	if i >= len(parts) {
		i = len(parts) - 1
	}
	var n int
	if _, err := fmt.Sscanf(parts[i], "%d", &n); err != nil {
		return ""
	}
	return strings.Join(append(slices.Clone(parts[:i]), fmt.Sprint(n+1)), ".")
}

func debianVersion(v string) string {
	if m := spkPreRe.FindStringSubmatch(v); m != nil {
		out := m[1]
		if m[2] != "" {
			out += "~" + m[2]
		}
		if m[3] != "" {
			out += "+" + m[3]
		}
		return out
	}
	return v
}

// deps renders name with each constraint, or bare.
func deps(name string, cs []string) []string {
	if len(cs) == 0 {
		return []string{name}
	}
	var out []string
	for _, c := range cs {
		out = append(out, name+" "+c)
	}
	return out
}

func (c *conv) options(n node) {
	var opts importer.Map
	var mk []string
	for _, o := range n.items() {
		switch {
		case o.get("var").ok():
			name, def, _ := strings.Cut(o.get("var").str(), "/")
			if c.hostOption(o, name, def) {
				continue
			}
			name = strings.ReplaceAll(name, ".", "-")
			opt := importer.Map{}
			if def != "" {
				opt.Set("default", def)
			}
			if ch := o.get("choices").items(); len(ch) > 0 {
				var cs []string
				for _, x := range ch {
					cs = append(cs, x.str())
				}
				opt.Set("choices", cs)
			}
			if d := o.get("description").str(); d != "" {
				opt.Set("description", strings.TrimSpace(d))
			}
			if inh := o.get("inheritance"); inh.ok() && inh.str() != "Weak" {
				c.note(inh, "build.options", importer.Dropped, "var %s: inheritance %s: kiln's options do not pass to dependents", name, inh.str())
			}
			c.opts = append(c.opts, name)
			opts.Set(name, opt)
		case o.get("pkg").ok():
			name, rng, _ := strings.Cut(o.get("pkg").str(), "/")
			cs, approx := constraints(rng)
			if approx != "" {
				c.note(o, "build.options", importer.Approximated, "pkg %s: %s", name, approx)
			}
			opt := importer.Map{{Key: "package", Value: name}}
			if len(cs) > 0 {
				opt.Set("default", cs[0])
				if len(cs) > 1 {
					c.note(o, "build.options", importer.Approximated, "pkg %s: the option keeps %s; the build dependency has the whole range", name, cs[0])
				}
			}
			c.opts = append(c.opts, name)
			opts.Set(name, opt)
			for _, d := range deps(name, cs) {
				mk = append(mk, "host:"+d)
			}
		default:
			c.note(o, "build.options", importer.Dropped, "an option kiln does not know (%s)", strings.Join(o.keys(), ", "))
		}
	}
	if len(mk) > 0 {
		c.f.Set("makedepends", mk)
	}
	if len(opts) > 0 {
		c.f.Set("options", opts)
	}
}

// selector converts a variant or test selector; keys naming components
// (foo:docs) are dropped.
func (c *conv) selector(n node, field string) importer.Map {
	var sel importer.Map
	opts, _ := c.f.Get("options").(importer.Map)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1].Value
		if strings.Contains(k, ":") {
			c.note(node{n.Content[i]}, field, importer.Dropped, "%s: kiln's options name no components", k)
			continue
		}
		k = strings.ReplaceAll(k, ".", "-")
		if o, ok := opts.Get(k).(importer.Map); ok && o.Get("package") != nil {
			if cs, _ := constraints(v); len(cs) > 0 {
				v = cs[0]
			}
		} else if !ok {
			opts.Set(k, importer.Map{})
			c.f.Set("options", opts)
			c.opts = append(c.opts, k)
			c.note(node{n.Content[i]}, field, importer.Approximated, "%s: not a declared option; kiln declares it without a default", k)
		}
		sel.Set(k, v)
	}
	return sel
}

func (c *conv) variants(n node) {
	var out []any
	for _, v := range n.items() {
		out = append(out, c.selector(v, "build.variants"))
	}
	if len(out) > 0 {
		c.f.Set("variants", out)
	}
}

func (c *conv) requirements(n node) {
	var depends, conflicts []string
	for _, r := range n.items() {
		p := r.get("pkg")
		if !p.ok() {
			c.note(r, "install.requirements", importer.Dropped, "%s: kiln's requirements are packages", strings.Join(r.keys(), ", "))
			continue
		}
		name, rng, _ := strings.Cut(p.str(), "/")
		cs, approx := constraints(rng)
		if approx != "" {
			c.note(r, "install.requirements", importer.Approximated, "pkg %s: %s", name, approx)
		}
		if fb := r.get("fromBuildEnv"); fb.ok() {
			c.note(fb, "install.requirements", importer.Approximated, "pkg %s: fromBuildEnv pins the version built against; kiln requires %s unpinned", name, name)
			cs = nil
		}
		if inc := r.get("include").str(); inc == "IfAlreadyPresent" {
			var low string
			for _, x := range cs {
				if v, ok := strings.CutPrefix(x, ">= "); ok {
					low = v
				}
			}
			if low == "" {
				c.note(r, "install.requirements", importer.Dropped, "pkg %s: IfAlreadyPresent without a lower bound has no opkg counterpart", name)
				continue
			}
			c.note(r, "install.requirements", importer.Approximated, "pkg %s: IfAlreadyPresent becomes a conflict with versions older than %s", name, low)
			conflicts = append(conflicts, name+" << "+low)
			continue
		}
		depends = append(depends, deps(name, cs)...)
	}
	if len(depends) > 0 {
		c.f.Set("depends", depends)
	}
	if len(conflicts) > 0 {
		c.f.Set("conflicts", conflicts)
	}
}

// embedded packages are provided by this one.
func (c *conv) embedded(n node) {
	var provides []string
	for _, e := range n.items() {
		name, ver, _ := strings.Cut(e.get("pkg").str(), "/")
		if name == "" {
			continue
		}
		if ver != "" {
			provides = append(provides, name+" = "+debianVersion(ver))
		} else {
			provides = append(provides, name)
		}
		if e.get("build").ok() {
			c.note(e, "install.embedded", importer.Dropped, "%s: the embedded package's build options", name)
		}
	}
	if len(provides) > 0 {
		c.f.Set("provides", provides)
	}
}
