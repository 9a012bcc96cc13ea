// Package spk imports SPK package specs (*.spk.yaml, YAML or JSON) into
// kiln recipes. Specs are read as YAML nodes, so every note names the
// line of its field; templated specs are rendered first (template.go).
package spk

import (
	"strings"

	"github.com/kiln-build/kiln/importer"
	yaml "go.yaml.in/yaml/v3"
)

func init() { importer.Register("spk", Import) }

// isSpec reports whether name is an SPK spec file name.
func isSpec(name string) bool {
	for _, s := range []string{".spk.yaml", ".spk.yml", ".spk.json"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// Import reads every spec in paths: a spec file, or a directory tree
// holding *.spk.yaml files.
func Import(paths []string, o importer.Options) (*importer.Import, error) {
	files, err := importer.Files(paths, isSpec)
	if err != nil {
		return nil, err
	}
	return importer.Each(files, func(f string) ([]*importer.Recipe, error) {
		r, err := readSpec(f, o)
		return []*importer.Recipe{r}, err
	})
}

// node helpers over a YAML mapping.
type node struct{ *yaml.Node }

func (n node) get(key string) node {
	if n.Node == nil || n.Kind != yaml.MappingNode {
		return node{}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return node{n.Content[i+1]}
		}
	}
	return node{}
}

func (n node) ok() bool { return n.Node != nil }

func (n node) str() string {
	if n.Node == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func (n node) items() []node {
	if n.Node == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]node, len(n.Content))
	for i, c := range n.Content {
		out[i] = node{c}
	}
	return out
}

// keys lists a mapping's keys in order.
func (n node) keys() []string {
	if n.Node == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}

// lines joins a script given as a list of lines or as one string.
func (n node) lines() string {
	if n.Node == nil {
		return ""
	}
	if n.Kind == yaml.SequenceNode {
		var out []string
		for _, c := range n.items() {
			out = append(out, c.str())
		}
		return strings.Join(out, "\n")
	}
	return strings.TrimRight(n.str(), "\n")
}

func (n node) line() int {
	if n.Node == nil {
		return 0
	}
	return n.Line
}
