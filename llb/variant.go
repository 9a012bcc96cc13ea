package llb

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/version"
)

// OptionEnv is the environment variable a build option reaches scripts as.
func OptionEnv(name string) string {
	return "KILN_OPT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// VariantID names a variant for directories and progress: its option
// values in name order, e.g. "debug-on_lto-off".
func VariantID(v map[string]string) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "-" + v[k]
	}
	return strings.Join(parts, "_")
}

// Variants resolves the option values of each variant a build of r makes:
// set (from the command line) gives one variant, else the recipe's
// variants, else the defaults. Every value is checked against choices.
func Variants(r *schema.Recipe, set map[string]string) ([]map[string]string, error) {
	list := r.Variants
	if len(set) > 0 {
		list = []map[string]string{set}
	}
	if len(list) == 0 {
		list = []map[string]string{{}}
	}
	var out []map[string]string
	for i, v := range list {
		full := map[string]string{}
		for name, o := range r.Options {
			full[name] = o.Default
		}
		for name, val := range v {
			o, ok := r.Options[name]
			if !ok {
				return nil, fmt.Errorf("recipe %s: variant %d: unknown option %q (options: %s)", r.Name, i, name, strings.Join(optionNames(r), ", "))
			}
			if o.Package != "" {
				if _, err := optionDeps(&schema.Recipe{Options: map[string]schema.Option{name: o}}, map[string]string{name: val}); err != nil {
					return nil, fmt.Errorf("recipe %s: %w", r.Name, err)
				}
			}
			if len(o.Choices) > 0 && !contains(o.Choices, val) {
				return nil, fmt.Errorf("recipe %s: option %s=%q is not one of its choices (%s)", r.Name, name, val, strings.Join(o.Choices, ", "))
			}
			full[name] = val
		}
		out = append(out, full)
	}
	return out, nil
}

func optionNames(r *schema.Recipe) []string {
	n := make([]string, 0, len(r.Options))
	for k := range r.Options {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// optionDeps are the host: dependencies package options add: an option
// naming a package (SPK's pkg options) has a version constraint as its
// value, and the build gets that recipe's package in $SYSROOT, checked
// against the constraint like any host: makedepends. An option without a
// value still needs its package, in any version.
func optionDeps(r *schema.Recipe, variant map[string]string) ([]hostDep, error) {
	var deps []hostDep
	for _, name := range optionNames(r) {
		o := r.Options[name]
		if o.Package == "" {
			continue
		}
		val := strings.TrimSpace(variant[name])
		spec := strings.TrimSpace(o.Package + " " + val)
		d, err := version.ParseDep(spec)
		if err != nil || (val != "" && d.Op == "") {
			return nil, fmt.Errorf("option %s=%q: want a version constraint \"OP version\" on package %s", name, val, o.Package)
		}
		deps = append(deps, hostDep{d, fmt.Sprintf("option %s (package %s)", name, spec)})
	}
	return deps, nil
}
