package schema

import (
	"maps"
	"slices"
	"strings"
)

// toJSONSchema turns OpenAPI's components into a JSON Schema document
// whose root accepts a recipe file: one recipe, or a repository file.
func toJSONSchema(components map[string]map[string]any, desc map[string]string) map[string]any {
	defs := map[string]any{}
	for name, s := range components {
		defs[name] = renameRefs(s)
	}
	describe(defs, desc)
	// A repository's recipes (and its YAML defaults) may leave required
	// fields to the defaults, which are merged before validation.
	partial := deepCopy(defs["RecipeBody"]).(map[string]any)
	dropRequired(partial)
	defs["PartialRecipe"] = partial
	if repo, ok := defs["Repository"].(map[string]any); ok {
		props, _ := repo["properties"].(map[string]any)
		if props != nil {
			props["recipes"] = map[string]any{"type": "object", "additionalProperties": ref("PartialRecipe")}
			props["defaults"] = map[string]any{
				"description": "YAML and JSON: fields merged under every recipe before validation",
				"$ref":        "#/$defs/PartialRecipe",
			}
		}
	}
	defs = reachable(defs, "Recipe", "Repository")
	cl := &closer{composed: composedDefs(defs)}
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		cl.schema(defs[name], cl.composed[name])
	}
	return map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         SchemaID,
		"title":       "kiln recipe",
		"description": "A kiln recipe, or a repository file of recipes (exported by kiln schema --json-schema from kiln's CUE schema; kiln validate checks more)",
		"anyOf":       []any{ref("Recipe"), ref("Repository")},
		"$defs":       defs,
	}
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/$defs/" + name} }

const oaPrefix = "#/components/schemas/"

// renameRefs copies s with OpenAPI's references pointing into $defs.
func renameRefs(s any) any {
	switch x := s.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			if r, ok := v.(string); ok && k == "$ref" && strings.HasPrefix(r, oaPrefix) {
				v = "#/$defs/" + strings.TrimPrefix(r, oaPrefix)
			}
			out[k] = renameRefs(v)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = renameRefs(v)
		}
		return out
	}
	return s
}

func deepCopy(s any) any { return renameRefs(s) }

// dropRequired removes s's required fields, and those of its allOf parts.
func dropRequired(s map[string]any) {
	delete(s, "required")
	all, _ := s["allOf"].([]any)
	kept := all[:0]
	for _, p := range all {
		m, ok := p.(map[string]any)
		if !ok {
			continue
		}
		delete(m, "required")
		if len(m) > 0 {
			kept = append(kept, m)
		}
	}
	if len(kept) > 0 {
		s["allOf"] = kept
	} else {
		delete(s, "allOf")
	}
}

// reachable keeps the definitions the roots refer to, directly or not
// (CUE's helper definitions of regular expressions and messages go).
func reachable(defs map[string]any, roots ...string) map[string]any {
	out := map[string]any{}
	var visit func(m map[string]any)
	visit = func(m map[string]any) {
		r, ok := m["$ref"].(string)
		if !ok {
			return
		}
		name := strings.TrimPrefix(r, "#/$defs/")
		if _, done := out[name]; !done && defs[name] != nil {
			out[name] = defs[name]
			walk(defs[name], visit)
		}
	}
	for _, r := range roots {
		walk(ref(r), visit)
	}
	return out
}

// walk calls fn for every object in s, outermost first.
func walk(s any, fn func(map[string]any)) {
	switch x := s.(type) {
	case map[string]any:
		fn(x)
		for _, v := range x {
			walk(v, fn)
		}
	case []any:
		for _, v := range x {
			walk(v, fn)
		}
	}
}

// composedDefs are the definitions some allOf includes: closing them
// would refuse the fields of the schema composing them, so their users
// close them instead (unevaluatedProperties sees through allOf and $ref).
func composedDefs(defs map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, d := range defs {
		walk(d, func(m map[string]any) {
			all, _ := m["allOf"].([]any)
			for _, p := range all {
				if pm, ok := p.(map[string]any); ok {
					if r, ok := pm["$ref"].(string); ok {
						out[strings.TrimPrefix(r, "#/$defs/")] = true
					}
				}
			}
		})
	}
	return out
}

// closer marks object schemas closed, as CUE's definitions are: a field a
// recipe misspells is an error in the editor, as it is in kiln validate.
// OpenAPI's encoder leaves this out on purpose (structural schemas).
type closer struct {
	composed map[string]bool
}

// schema closes s unless it is composed into others (open).
func (c *closer) schema(s any, open bool) {
	switch x := s.(type) {
	case map[string]any:
		_, hasProps := x["properties"]
		_, hasAdditional := x["additionalProperties"]
		_, hasAll := x["allOf"]
		switch {
		case !hasProps || hasAdditional || open:
		case hasAll:
			x["unevaluatedProperties"] = false
		default:
			x["additionalProperties"] = false
		}
		if r, ok := x["$ref"].(string); ok && !open && len(x) <= 2 && c.composed[strings.TrimPrefix(r, "#/$defs/")] {
			// Used on its own here: closed at the use.
			x["unevaluatedProperties"] = false
		}
		for k, v := range x {
			if k == "allOf" {
				for _, p := range v.([]any) {
					c.schema(p, true)
				}
				continue
			}
			c.schema(v, false)
		}
	case []any:
		for _, v := range x {
			c.schema(v, false)
		}
	}
}
