package syspkg

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// node is a parsed value of the metainfo dialect: JSON plus "records",
// braces holding values without keys ({ "en", "Name", "Text" }).
type node struct {
	kind  byte // 's' string, 'n' number, 'l' literal, '[' array, '{' object, 'r' record
	str   string
	items []*node  // array and record elements, object values
	keys  []string // object keys
	pos   int      // byte offset, for errors
}

type parser struct {
	data  []byte
	i     int
	depth int // arrays, objects and records open around p.i
}

// maxMetaDepth bounds nesting: a metainfo is a few levels deep, and the
// parser recurses once per level.
const maxMetaDepth = 64

func (p *parser) errorf(pos int, format string, args ...any) error {
	line := bytes.Count(p.data[:pos], []byte("\n")) + 1
	col := pos - bytes.LastIndexByte(p.data[:pos], '\n')
	return fmt.Errorf("line %d column %d: %s", line, col, fmt.Sprintf(format, args...))
}

func (p *parser) skip() {
	for p.i < len(p.data) && bytes.IndexByte([]byte(" \t\r\n"), p.data[p.i]) >= 0 {
		p.i++
	}
}

// peek returns the next non-space byte, 0 at the end.
func (p *parser) peek() byte {
	p.skip()
	if p.i == len(p.data) {
		return 0
	}
	return p.data[p.i]
}

func (p *parser) expect(c byte) error {
	if p.peek() != c {
		return p.errorf(p.i, "expected %q", c)
	}
	p.i++
	return nil
}

func (p *parser) value() (*node, error) {
	c := p.peek()
	n := &node{pos: p.i}
	if c == '[' || c == '{' {
		if p.depth >= maxMetaDepth {
			return nil, p.errorf(p.i, "nested more than %d levels deep", maxMetaDepth)
		}
		p.depth++
		defer func() { p.depth-- }()
	}
	switch {
	case c == '"':
		s, err := p.string()
		n.kind, n.str = 's', s
		return n, err
	case c == '[':
		p.i++
		n.kind = '['
		return n, p.elements(n, ']')
	case c == '{':
		p.i++
		if p.peek() == '}' {
			p.i++
			n.kind = '{'
			return n, nil
		}
		first, err := p.value()
		if err != nil {
			return nil, err
		}
		if p.peek() == ':' && first.kind == 's' {
			return n, p.members(n, first.str)
		}
		n.kind = 'r'
		n.items = []*node{first}
		if p.peek() == '}' {
			p.i++
			return n, nil
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		return n, p.elements(n, '}')
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.data) && bytes.IndexByte([]byte("+-.eE0123456789"), p.data[p.i]) >= 0 {
			p.i++
		}
		n.kind, n.str = 'n', string(p.data[start:p.i])
		return n, nil
	}
	for _, lit := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(p.data[p.i:], []byte(lit)) {
			p.i += len(lit)
			n.kind, n.str = 'l', lit
			return n, nil
		}
	}
	return nil, p.errorf(p.i, "expected a value")
}

// elements reads comma-separated values up to end into n.items.
func (p *parser) elements(n *node, end byte) error {
	if p.peek() == end {
		p.i++
		return nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return err
		}
		n.items = append(n.items, v)
		if p.peek() == end {
			p.i++
			return nil
		}
		if err := p.expect(','); err != nil {
			return err
		}
	}
}

// members reads an object whose first key is already read.
func (p *parser) members(n *node, key string) error {
	n.kind = '{'
	seen := map[string]bool{}
	for {
		if err := p.expect(':'); err != nil {
			return err
		}
		v, err := p.value()
		if err != nil {
			return err
		}
		if seen[key] {
			return p.errorf(v.pos, "field %q repeated", key)
		}
		seen[key] = true
		n.keys, n.items = append(n.keys, key), append(n.items, v)
		if p.peek() == '}' {
			p.i++
			return nil
		}
		if err := p.expect(','); err != nil {
			return err
		}
		if p.peek() != '"' {
			return p.errorf(p.i, "expected a field name")
		}
		if key, err = p.string(); err != nil {
			return err
		}
	}
}

// string reads a JSON string; encoding/json decodes the escapes.
func (p *parser) string() (string, error) {
	start := p.i
	p.i++
	for p.i < len(p.data) && p.data[p.i] != '"' {
		if p.data[p.i] == '\\' {
			p.i++
		}
		p.i++
	}
	if p.i >= len(p.data) {
		return "", p.errorf(start, "unterminated string")
	}
	p.i++
	var s string
	if err := json.Unmarshal(p.data[start:p.i], &s); err != nil {
		return "", p.errorf(start, "bad string: %v", err)
	}
	return s, nil
}

// ParseMeta reads a metainfo written by Render or by hand. A signature
// block after it is ignored, not checked; see VerifyMeta. Unknown fields
// are errors, so that a typo does not silently drop e.g. a dependency; the
// seed's own spelling "conflits" is read as "conflicts".
func ParseMeta(data []byte) (*Meta, error) {
	if body, _, _, err := sign.Split(data); err == nil {
		data = body
	}
	p := &parser{data: data}
	root, err := p.value()
	if err == nil && p.peek() != 0 {
		err = p.errorf(p.i, "data after the metainfo object")
	}
	if err != nil {
		return nil, fmt.Errorf("parsing metainfo: %w", err)
	}
	d := decoder{p: p}
	m := d.meta(root)
	if err := errors.Join(d.errs...); err != nil {
		return nil, fmt.Errorf("parsing metainfo: %w", err)
	}
	return m, nil
}

// VerifyMeta checks the signature block of a metainfo against the trusted
// certificates (see sign.Verify), parses it and sets Maintainer to the
// signer's name.
func VerifyMeta(signed []byte, trusted []*x509.Certificate, at time.Time) (*Meta, error) {
	data, signer, err := sign.Verify(signed, trusted, at)
	if err != nil {
		return nil, fmt.Errorf("metainfo: %w", err)
	}
	m, err := ParseMeta(data)
	if err != nil {
		return nil, err
	}
	m.Maintainer = signer.Subject.CommonName
	return m, nil
}

// decoder maps parsed nodes onto Meta, collecting every error.
type decoder struct {
	p    *parser
	errs []error
}

func (d *decoder) bad(n *node, format string, args ...any) {
	d.errs = append(d.errs, d.p.errorf(n.pos, format, args...))
}

func (d *decoder) want(n *node, kind byte, what string) bool {
	if n.kind != kind {
		d.bad(n, "expected %s", what)
		return false
	}
	return true
}

func (d *decoder) str(n *node) string {
	if d.want(n, 's', "a string") {
		return n.str
	}
	return ""
}

func (d *decoder) num(n *node) int64 {
	if !d.want(n, 'n', "a number") {
		return 0
	}
	v, err := strconv.ParseInt(n.str, 10, 64)
	if err != nil {
		d.bad(n, "expected a whole number, got %s", n.str)
	}
	return v
}

func (d *decoder) strs(n *node) []string {
	var out []string
	if d.want(n, '[', "an array of strings") {
		for _, it := range n.items {
			out = append(out, d.str(it))
		}
	}
	return out
}

// record returns the fields of a { ... } record of exactly size values.
func (d *decoder) record(n *node, size int, what string) []*node {
	if n.kind != 'r' || len(n.items) != size {
		d.bad(n, "expected %s", what)
		return nil
	}
	return n.items
}

func (d *decoder) descs(n *node) []Description {
	var out []Description
	if !d.want(n, '[', "an array of { \"lang\", \"name\", \"description\" }") {
		return nil
	}
	for _, it := range n.items {
		if f := d.record(it, 3, `{ "lang", "name", "description" }`); f != nil {
			out = append(out, Description{Lang: d.str(f[0]), Name: d.str(f[1]), Text: d.str(f[2])})
		}
	}
	return out
}

func (d *decoder) meta(root *node) *Meta {
	m := &Meta{}
	if !d.want(root, '{', "a metainfo object") {
		return m
	}
	for i, key := range root.keys {
		v := root.items[i]
		switch key {
		case "id":
			m.ID = d.str(v)
		case "description":
			m.Description = d.descs(v)
		case "version":
			m.Version = d.str(v)
		case "release":
			m.Release = d.str(v)
		case "url":
			m.URL = d.str(v)
		case "category":
			m.Category = d.str(v)
		case "depends":
			m.Depends = d.strs(v)
		case "suggests":
			m.Suggests = d.strs(v)
		case "conflicts", "conflits":
			m.Conflicts = append(m.Conflicts, d.strs(v)...)
		case "license":
			m.License = d.str(v)
		case "eula":
			m.EULA = d.str(v)
		case "homepage":
			m.Homepage = d.str(v)
		case "bugtracker":
			m.Bugtracker = d.str(v)
		case "screenshots":
			m.Screenshots = d.strs(v)
		case "override":
			if d.want(v, '{', "an object") {
				m.Override = map[string]string{}
				for j, k := range v.keys {
					m.Override[k] = d.str(v.items[j])
				}
			}
		case "postinst":
			m.Postinst = d.postinst(v)
		case "payloads":
			if d.want(v, '[', "an array of payloads") {
				for _, it := range v.items {
					if f := d.record(it, 4, `{ "arch", compressed size, size, "sha256" }`); f != nil {
						m.Payloads = append(m.Payloads, Payload{Arch: d.str(f[0]), Compressed: d.num(f[1]), Size: d.num(f[2]), SHA256: d.str(f[3])})
					}
				}
			}
		case "files":
			if d.want(v, '[', "an array of files") {
				for _, it := range v.items {
					if f := d.record(it, 2, `{ size, "name" }`); f != nil {
						m.Files = append(m.Files, File{Size: d.num(f[0]), Name: d.str(f[1])})
					}
				}
			}
		default:
			d.bad(v, "unknown field %q", key)
		}
	}
	return m
}

func (d *decoder) postinst(v *node) *Postinst {
	if !d.want(v, '{', "an object") {
		return nil
	}
	p := &Postinst{}
	for i, key := range v.keys {
		w := v.items[i]
		switch key {
		case "env":
			if !d.want(w, '[', "an array of variables") {
				continue
			}
			for _, e := range w.items {
				if !d.want(e, '{', `{ "name": ..., "type": ..., "desc": [...] }`) {
					continue
				}
				var ev EnvVar
				for j, k := range e.keys {
					switch k {
					case "name":
						ev.Name = d.str(e.items[j])
					case "type":
						ev.Type = d.str(e.items[j])
					case "desc":
						ev.Desc = d.descs(e.items[j])
					default:
						d.bad(e.items[j], "unknown field %q", k)
					}
				}
				p.Env = append(p.Env, ev)
			}
		case "commands":
			p.Commands = d.strs(w)
		default:
			d.bad(w, "unknown field %q", key)
		}
	}
	return p
}
