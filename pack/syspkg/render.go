package syspkg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// Render writes m as the seed shows a metainfo: a JSON object whose
// translations, payloads and files are positional records in braces
// ({ "en", "Name", "Text" }, { "x86_64", 1234, 23456, "…" }, { 128, "bin/x" }),
// which syspkg's own parser reads and standard JSON parsers do not. Fields
// come in the seed's order, empty optional fields are left out, strings are
// JSON-escaped (UTF-8 kept, no HTML escaping), and the text ends with a
// newline so that a signature block can follow on its own line.
func Render(m *Meta) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("metainfo %s: %w", m.ID, err)
	}
	var r renderer
	r.line(0, "{")
	r.field(1, "id", q(m.ID))
	r.records(1, "description", descRecords(m.Description))
	r.field(1, "version", q(m.Version))
	r.optional(1, "release", m.Release)
	r.optional(1, "url", m.URL)
	r.field(1, "category", q(m.Category))
	r.inlineList(1, "depends", m.Depends)
	r.inlineList(1, "suggests", m.Suggests)
	r.inlineList(1, "conflicts", m.Conflicts)
	r.optional(1, "license", m.License)
	r.optional(1, "eula", m.EULA)
	r.optional(1, "homepage", m.Homepage)
	r.optional(1, "bugtracker", m.Bugtracker)
	if len(m.Screenshots) > 0 {
		var items []string
		for _, s := range m.Screenshots {
			items = append(items, q(s))
		}
		r.records(1, "screenshots", items)
	}
	if len(m.Override) > 0 {
		r.open(1, "override", "{")
		keys := sortedKeys(m.Override)
		for i, k := range keys {
			r.line(2, q(k)+": "+q(m.Override[k])+comma(i, len(keys)))
		}
		r.close(1, "}")
	}
	if p := m.Postinst; p != nil && (len(p.Env) > 0 || len(p.Commands) > 0) {
		r.open(1, "postinst", "{")
		if len(p.Env) > 0 {
			var items []string
			for _, e := range p.Env {
				items = append(items, "{ \"name\": "+q(e.Name)+", \"type\": "+q(e.Type)+
					", \"desc\": [ "+joinComma(descRecords(e.Desc))+" ] }")
			}
			r.records(2, "env", items)
		}
		if len(p.Commands) > 0 {
			var items []string
			for _, c := range p.Commands {
				items = append(items, q(c))
			}
			r.records(2, "commands", items)
		}
		r.close(1, "}")
	}
	if len(m.Payloads) > 0 {
		var items []string
		for _, p := range m.Payloads {
			items = append(items, fmt.Sprintf("{ %s, %d, %d, %s }", q(p.Arch), p.Compressed, p.Size, q(p.SHA256)))
		}
		r.records(1, "payloads", items)
	}
	if len(m.Files) > 0 {
		var items []string
		for _, f := range m.Files {
			items = append(items, fmt.Sprintf("{ %d, %s }", f.Size, q(f.Name)))
		}
		r.records(1, "files", items)
	}
	r.line(0, "}")
	return r.finish(), nil
}

// Sign renders m and appends the signature block of s. Sign is
// deterministic: the same metainfo and key give the same bytes.
func Sign(m *Meta, s *sign.Signer) ([]byte, error) {
	data, err := Render(m)
	if err != nil {
		return nil, err
	}
	return s.Sign(data)
}

// renderer writes "key": value lines, putting the separating commas in
// when the next field arrives, since optional fields make the last one
// unknown in advance.
type renderer struct {
	b       bytes.Buffer
	pending bool // a field line waits for its comma or newline
}

const indent = "    "

func (r *renderer) line(depth int, s string) {
	r.endField(false)
	for range depth {
		r.b.WriteString(indent)
	}
	r.b.WriteString(s)
	r.b.WriteByte('\n')
}

// field starts a top-level (or nested) field line whose comma is decided
// later.
func (r *renderer) field(depth int, key, value string) {
	r.endField(true)
	for range depth {
		r.b.WriteString(indent)
	}
	r.b.WriteString(q(key) + ": " + value)
	r.pending = true
}

func (r *renderer) endField(more bool) {
	if !r.pending {
		return
	}
	if more {
		r.b.WriteByte(',')
	}
	r.b.WriteByte('\n')
	r.pending = false
}

func (r *renderer) optional(depth int, key, value string) {
	if value != "" {
		r.field(depth, key, q(value))
	}
}

// inlineList writes a list on one line, as the seed does for depends.
func (r *renderer) inlineList(depth int, key string, list []string) {
	if len(list) == 0 {
		return
	}
	var items []string
	for _, s := range list {
		items = append(items, q(s))
	}
	r.field(depth, key, "[ "+joinComma(items)+" ]")
}

// records writes a list with one element per line.
func (r *renderer) records(depth int, key string, items []string) {
	r.open(depth, key, "[")
	for i, it := range items {
		r.line(depth+1, it+comma(i, len(items)))
	}
	r.close(depth, "]")
}

func (r *renderer) open(depth int, key, bracket string) {
	r.field(depth, key, bracket)
	r.b.WriteByte('\n')
	r.pending = false
}

// close ends a bracketed field; its comma is decided by what follows.
func (r *renderer) close(depth int, bracket string) {
	r.endField(false) // a nested field before the bracket
	for range depth {
		r.b.WriteString(indent)
	}
	r.b.WriteString(bracket)
	r.pending = true
}

func (r *renderer) finish() []byte {
	r.endField(false)
	return r.b.Bytes()
}

func descRecords(ds []Description) []string {
	var out []string
	for _, d := range ds {
		out = append(out, "{ "+q(d.Lang)+", "+q(d.Name)+", "+q(d.Text)+" }")
	}
	return out
}

func comma(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}

func joinComma(items []string) string {
	var b bytes.Buffer
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it)
	}
	return b.String()
}

// q quotes s as a JSON string, keeping UTF-8 and "<>&" as they are.
func q(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return strconv.Quote(s) // unreachable: strings always encode
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// sortedKeys lists an override map's keys in category order, any other key
// after them in byte order.
func sortedKeys(m map[string]string) []string {
	var keys []string
	for _, c := range Categories {
		if _, ok := m[c]; ok {
			keys = append(keys, c)
		}
	}
	var rest []string
	for k := range m {
		if !isCategory(k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}
