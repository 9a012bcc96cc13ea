package lock

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// insertion is where a new field of a source mapping goes: before its
// first key, in the mapping's style.
type insertion struct {
	offset int    // byte offset of the first key
	indent string // what precedes the next key on a new line
	flow   bool   // a flow mapping ({...}), JSON's included
	inline bool   // the first key is on the line of "{"
	json   bool
	cue    *cueSource // for CUE: the source's struct
}

// insert puts "key: value" at i into data.
func (i insertion) insert(data []byte, key, value string) []byte {
	var text string
	switch {
	case i.json && i.inline:
		text = strconv.Quote(key) + ": " + strconv.Quote(value) + ", "
	case i.json:
		text = strconv.Quote(key) + ": " + strconv.Quote(value) + ",\n" + i.indent
	case i.flow && i.inline:
		text = key + ": " + strconv.Quote(value) + ", "
	case i.flow:
		text = key + ": " + strconv.Quote(value) + ",\n" + i.indent
	default:
		text = key + ": " + strconv.Quote(value) + "\n" + i.indent
	}
	out := make([]byte, 0, len(data)+len(text))
	out = append(out, data[:i.offset]...)
	out = append(out, text...)
	return append(out, data[i.offset:]...)
}

// yamlSources reads the sources of a YAML or JSON recipe (JSON is YAML).
func yamlSources(filename string, data []byte) ([]source, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a recipe (a mapping)", filename)
	}
	lines := lineStarts(data)
	json := strings.HasSuffix(strings.ToLower(filename), ".json")
	var out []source
	add := func(r recipeAt, path string, list *yaml.Node) {
		if list == nil || list.Kind != yaml.SequenceNode {
			return
		}
		for i, m := range list.Content {
			if m.Kind != yaml.MappingNode || len(m.Content) == 0 {
				continue
			}
			s := r.source(path, i)
			for k := 0; k+1 < len(m.Content); k += 2 {
				if v := m.Content[k+1]; v.Kind == yaml.ScalarNode {
					s.values[m.Content[k].Value] = v.Value
				}
			}
			first := m.Content[0]
			s.at = insertion{offset: offset(data, lines, first.Line, first.Column), flow: m.Style&yaml.FlowStyle != 0 || json,
				inline: first.Line == m.Line, json: json}
			s.at.indent = strings.Repeat(" ", first.Column-1)
			out = append(out, s)
		}
	}
	recipe := func(r recipeAt, m *yaml.Node) {
		add(r, "sources", value(m, "sources"))
		if pt := value(m, "per_target"); pt != nil && pt.Kind == yaml.MappingNode {
			for k := 0; k+1 < len(pt.Content); k += 2 {
				add(r, "per_target."+pt.Content[k].Value+".sources", value(pt.Content[k+1], "sources"))
			}
		}
	}
	root := doc.Content[0]
	recipe(recipeAt{}, root)
	if rs := value(root, "recipes"); rs != nil && rs.Kind == yaml.MappingNode {
		for k := 0; k+1 < len(rs.Content); k += 2 {
			recipe(repoRecipe(rs.Content[k].Value), rs.Content[k+1])
		}
	}
	return out, nil
}

// value is the value of key in mapping m, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for k := 0; k+1 < len(m.Content); k += 2 {
		if m.Content[k].Value == key {
			return m.Content[k+1]
		}
	}
	return nil
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offset is the byte offset of a 1-based line and column (in runes).
func offset(data []byte, lines []int, line, col int) int {
	if line < 1 || line > len(lines) {
		return 0
	}
	off := lines[line-1]
	for ; col > 1 && off < len(data); col-- {
		_, n := utf8.DecodeRune(data[off:])
		off += n
	}
	return off
}
