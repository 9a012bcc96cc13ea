package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"
	"go.yaml.in/yaml/v3"
)

// syntaxErrors positions a parse error from the CUE, YAML or JSON decoder.
func syntaxErrors(file, format string, err error) Errors {
	var out Errors
	for _, ce := range cueerrors.Errors(err) {
		e := &Error{File: file}
		if p := ce.Position(); p.IsValid() {
			e.Line, e.Col = p.Line(), p.Column()
		}
		format, args := ce.Msg()
		e.Msg = fmt.Sprintf(format, args...)
		if format == "invalid JSON for file %q" {
			// The wrapped encoding/json error says what is wrong.
			if w := errors.Unwrap(ce); w != nil {
				e.Msg = "invalid JSON: " + strings.TrimPrefix(w.Error(), "json: ")
			}
		}
		if e.Line == 0 {
			// CUE's YAML decoder reports "file:line: message" as text.
			e.Line, e.Msg = splitYAMLError(file, ce.Error())
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		out = Errors{{File: file, Msg: err.Error()}}
	}
	for _, e := range out {
		if format == "yaml" && !strings.HasPrefix(e.Msg, "yaml") {
			e.Msg = "yaml: " + e.Msg
		}
	}
	return out.normalize()
}

// jsonSyntax reports the first syntax error in data, positioned.
func jsonSyntax(file string, data []byte) Errors {
	if json.Valid(data) {
		return nil
	}
	e := &Error{File: file, Msg: "invalid JSON"}
	var syn *json.SyntaxError
	if err := json.Unmarshal(data, new(json.RawMessage)); errors.As(err, &syn) {
		off := min(max(int(syn.Offset)-1, 0), len(data))
		e.Line = 1 + bytes.Count(data[:off], []byte("\n"))
		e.Col = 1 + off - (bytes.LastIndexByte(data[:off], '\n') + 1)
		e.Msg += ": " + syn.Error()
	} else if err != nil {
		e.Msg += ": " + strings.TrimPrefix(err.Error(), "json: ")
	}
	return Errors{e}
}

var yamlLine = regexp.MustCompile(`^(\d+): `)

// splitYAMLError takes the file and line prefix off a YAML decoder message.
func splitYAMLError(file, msg string) (int, string) {
	msg = strings.TrimPrefix(msg, file+":")
	msg = strings.TrimPrefix(msg, "yaml:")
	msg = strings.TrimSpace(msg)
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, msg[len(m[0]):]
	}
	return 0, msg
}

// maxYAMLNodes bounds a YAML document after alias expansion. CUE's decoder
// expands every alias in place, so a few nested anchors ("billion laughs")
// would otherwise take exponential time and memory.
const maxYAMLNodes = 100_000

// checkYAMLAliases rejects YAML whose aliases expand beyond maxYAMLNodes.
// Only documents that can hold an alias pay for the extra parse: one with
// an anchor ('&') and an alias ('*'). Globs and shell scripts make either
// alone common; an alias without an anchor is a syntax error.
func checkYAMLAliases(data []byte) error {
	if !bytes.Contains(data, []byte("*")) || !bytes.Contains(data, []byte("&")) {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	sizes := map[*yaml.Node]int{}
	total := 0
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if err == io.EOF {
				return nil
			}
			return nil // the real decoder reports syntax errors, positioned
		}
		total += expandedSize(&n, sizes, 0)
		if total > maxYAMLNodes {
			return errors.New("yaml: document too large or too deep after expanding aliases")
		}
	}
}

// expandedSize counts the nodes of n with aliases expanded, memoised per
// node so the count itself stays linear.
func expandedSize(n *yaml.Node, sizes map[*yaml.Node]int, depth int) int {
	if n == nil || depth > 1000 {
		return maxYAMLNodes + 1
	}
	if s, ok := sizes[n]; ok {
		return s
	}
	sizes[n] = 1 // in progress: a cycle is CUE's to report ("contains itself")
	s := 1
	if n.Kind == yaml.AliasNode {
		s += expandedSize(n.Alias, sizes, depth+1)
	}
	for _, c := range n.Content {
		s += expandedSize(c, sizes, depth+1)
		if s > maxYAMLNodes {
			break
		}
	}
	sizes[n] = s
	return s
}
