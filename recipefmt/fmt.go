// Package recipefmt formats recipe files canonically (kiln fmt): CUE with
// CUE's own formatter; YAML with a recipe's fields in the order of the
// README's field table, moved as whole blocks of lines, so comments,
// blank lines, quoting and styles stay as they were; JSON indented.
package recipefmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"cuelang.org/go/cue/format"
	"go.yaml.in/yaml/v3"
)

// FieldOrder is the order of a recipe's fields: the README's field table
// ("Recipes"), which a test keeps in step.
var FieldOrder = []string{
	"name", "version", "summary", "description", "license", "homepage", "maintainer", "section", "timestamp",
	"targets", "image", "sources", "patches", "patch_level", "depends", "conflicts", "replaces", "provides", "makedepends",
	"compat", "options", "variants", "prepare", "build", "package", "packages", "flags", "scripts", "per_target",
	"conffiles", "env", "tests", "validation", "formats",
}

// Source returns the canonical form of a recipe file's content; the
// format is the file name's (.cue, .yaml, .yml, .json).
func Source(filename string, data []byte) ([]byte, error) {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".cue":
		return formatCUE(filename, data)
	case ".yaml", ".yml":
		return formatYAML(filename, data)
	case ".json":
		var b bytes.Buffer
		if err := json.Indent(&b, bytes.TrimSpace(data), "", "  "); err != nil {
			return nil, fmt.Errorf("%s: %w", filename, err)
		}
		b.WriteByte('\n')
		return b.Bytes(), nil
	}
	return nil, fmt.Errorf("%s: not a recipe file (.cue, .yaml, .yml or .json)", filename)
}

// formatCUE runs CUE's formatter, keeping a "# syntax=" first line (not
// CUE, so set aside while formatting).
func formatCUE(filename string, data []byte) ([]byte, error) {
	var first []byte
	if bytes.HasPrefix(data, []byte("#")) {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			i = len(data) - 1
		}
		first, data = data[:i+1], data[i+1:]
	}
	out, err := format.Source(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	return append(first, out...), nil
}

// formatYAML orders the fields of the recipe (a recipe file), or of each
// recipe and the defaults (a repository file). The result must read as
// the same data (an alias moved above its anchor would not): else the
// file is refused, unchanged.
func formatYAML(filename string, data []byte) ([]byte, error) {
	out, err := orderYAML(filename, data)
	if err != nil {
		return nil, err
	}
	var before, after any
	if err := yaml.Unmarshal(data, &before); err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	if err := yaml.Unmarshal(out, &after); err != nil || !reflect.DeepEqual(before, after) {
		return nil, fmt.Errorf("%s: ordering the fields would change what the file says (an alias before its anchor?): left as it is", filename)
	}
	return out, nil
}

func orderYAML(filename string, data []byte) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	if dec.Decode(&next) == nil {
		return nil, fmt.Errorf("%s: several YAML documents, where a recipe file holds one", filename)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return data, nil
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		text += "\n" // every line ends in one, wherever it moves
	}
	lines := strings.SplitAfter(text, "\n")
	lines = lines[:len(lines)-1]
	top := doc.Content[0]
	if v := value(top, "recipes"); v != nil && v.Kind == yaml.MappingNode {
		for i := 1; i < len(v.Content); i += 2 {
			lines = reorderIn(lines, v.Content[i])
		}
		if d := value(top, "defaults"); d != nil {
			lines = reorderIn(lines, d)
		}
	} else {
		lines = reorder(lines, top, 0, len(lines))
	}
	out := strings.Join(lines, "")
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return []byte(out), nil
}

// value is the value of key in mapping m, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// reorderIn orders mapping m, which ends where the next line left of its
// keys' indentation starts. Moving blocks keeps every other mapping's
// lines where they were, so the nodes' line numbers stay right.
func reorderIn(lines []string, m *yaml.Node) []string {
	if m.Kind != yaml.MappingNode || len(m.Content) == 0 || m.Style&yaml.FlowStyle != 0 {
		return lines
	}
	start := m.Content[0].Line - 1
	col := m.Content[0].Column
	end := start + 1
	for end < len(lines) {
		l := lines[end]
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") && indent(l) < col-1 {
			break
		}
		end++
	}
	return reorder(lines, m, start, end)
}

func indent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// firstLine is where key's block starts: its line, or the comment lines
// right above it.
func firstLine(lines []string, key *yaml.Node) int {
	i := key.Line - 1
	for i > 0 && strings.HasPrefix(strings.TrimSpace(lines[i-1]), "#") && key.HeadComment != "" {
		i--
	}
	return i
}

// reorder sorts the blocks of mapping m's fields, which occupy lines
// [from, to), into FieldOrder; unknown fields keep their order after the
// known ones. Lines before m's first field stay in place.
func reorder(lines []string, m *yaml.Node, from, to int) []string {
	if m.Style&yaml.FlowStyle != 0 || len(m.Content) < 4 {
		return lines
	}
	type block struct {
		key  string
		text []string
	}
	var blocks []block
	starts := []int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		starts = append(starts, firstLine(lines, m.Content[i]))
	}
	// Comments above the first field describe the whole: they stay.
	starts[0] = max(from, m.Content[0].Line-1)
	for i, s := range starts {
		if i > 0 && s <= starts[i-1] {
			return lines // two fields on one line: leave it be
		}
		e := to
		if i+1 < len(starts) {
			e = starts[i+1]
		}
		blocks = append(blocks, block{m.Content[2*i].Value, slices.Clone(lines[s:e])})
	}
	rank := func(k string) int {
		if i := slices.Index(FieldOrder, k); i >= 0 {
			return i
		}
		return len(FieldOrder)
	}
	sorted := slices.Clone(blocks)
	slices.SortStableFunc(sorted, func(a, b block) int { return rank(a.key) - rank(b.key) })
	if slices.EqualFunc(sorted, blocks, func(a, b block) bool { return a.key == b.key }) {
		return lines
	}
	// Blank lines end the block before them; each block keeps its own,
	// except that the last one's go where the mapping ended.
	trailing := blankTail(blocks[len(blocks)-1].text)
	out := slices.Clone(lines[:starts[0]])
	for i, b := range sorted {
		text := b.text
		if b.key == blocks[len(blocks)-1].key {
			text = text[:len(text)-len(trailing)]
		}
		if i == len(sorted)-1 {
			text = append(text[:len(text)-len(blankTail(text))], trailing...)
		}
		out = append(out, text...)
	}
	return append(out, lines[to:]...)
}

// blankTail is the blank lines ending text.
func blankTail(text []string) []string {
	i := len(text)
	for i > 0 && strings.TrimSpace(text[i-1]) == "" {
		i--
	}
	return text[i:]
}
