package llb

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/schema"
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
