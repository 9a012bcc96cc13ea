package spk

import (
	"fmt"
	"regexp"
	"strings"
)

// SPK renders specs with tera (Jinja2) before reading them. kiln renders
// the part specs use to stay reusable across versions: option defaults
// (default_opts, or default(...) on an option) and {{ }} substitution of
// them. Anything else is an error naming its line, never left in place.
var (
	setOptsRe  = regexp.MustCompile(`\{%-?\s*set\s+opt\s*=\s*opt\s*\|\s*default_opts\(([^)]*)\)\s*-?%\}`)
	setVarRe   = regexp.MustCompile(`\{%-?\s*set\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*opt\.([A-Za-z_][A-Za-z0-9_]*)\s*\|\s*default\((?:value\s*=\s*)?"([^"]*)"\)\s*-?%\}`)
	kwargRe    = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"`)
	exprRe     = regexp.MustCompile(`\{\{-?\s*([A-Za-z_][A-Za-z0-9_.]*)\s*-?\}\}`)
	leftoverRe = regexp.MustCompile(`\{%|\{\{|\{#`)
)

// render returns the spec text rendered with its own defaults under
// given (the import's --opt values), and the options it used (nil for a
// spec without templating).
func render(src string, given map[string]string) (string, map[string]string, error) {
	if !leftoverRe.MatchString(src) {
		return src, nil, nil
	}
	opts := map[string]string{}
	vars := map[string]string{}
	for _, m := range setOptsRe.FindAllStringSubmatch(src, -1) {
		for _, kv := range kwargRe.FindAllStringSubmatch(m[1], -1) {
			opts[kv[1]] = kv[2]
		}
	}
	src = setOptsRe.ReplaceAllString(src, "")
	for k, v := range given {
		opts[k] = v
	}
	for _, m := range setVarRe.FindAllStringSubmatch(src, -1) {
		v, ok := opts[m[2]]
		if !ok {
			v, opts[m[2]] = m[3], m[3]
		}
		vars[m[1]] = v
	}
	src = setVarRe.ReplaceAllString(src, "")
	var bad error
	src = exprRe.ReplaceAllStringFunc(src, func(e string) string {
		name := exprRe.FindStringSubmatch(e)[1]
		if v, ok := strings.CutPrefix(name, "opt."); ok {
			if val, ok := opts[v]; ok {
				return val
			}
		} else if val, ok := vars[name]; ok {
			return val
		}
		if bad == nil {
			bad = fmt.Errorf("template: %s has no value (kiln renders option defaults set with default_opts or default)", e)
		}
		return e
	})
	if bad != nil {
		return "", nil, bad
	}
	if loc := leftoverRe.FindStringIndex(src); loc != nil {
		line := strings.Count(src[:loc[0]], "\n") + 1
		return "", nil, fmt.Errorf("line %d: template construct kiln does not render: %s", line, strings.TrimSpace(strings.SplitN(src[loc[0]:], "\n", 2)[0]))
	}
	return src, opts, nil
}
