package feed

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/version"
)

// ParseIndex reads a feed index (Packages, or Packages.gz: gzip is
// recognised by its magic), one entry per stanza, in the index's order.
// A stanza without Package, Version or Filename is an error naming its
// line.
func ParseIndex(data []byte) ([]*Entry, error) {
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		if data, err = io.ReadAll(io.LimitReader(zr, 256<<20)); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
	}
	var out []*Entry
	line := 1
	for _, stanza := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n\n") {
		start := line
		line += strings.Count(stanza, "\n") + 2
		if strings.TrimSpace(stanza) == "" {
			continue
		}
		fields, err := parseStanza(stanza, true)
		if err != nil {
			return nil, fmt.Errorf("stanza at line %d: %w", start, err)
		}
		e := &Entry{Control: renderControl(fields)}
		e.Package, e.Version, e.Arch = fieldValue(fields, "Package"), fieldValue(fields, "Version"), fieldValue(fields, "Architecture")
		e.Filename, e.SHA256 = fieldValue(fields, "Filename"), fieldValue(fields, "SHA256sum")
		e.Size, _ = strconv.ParseInt(fieldValue(fields, "Size"), 10, 64)
		if e.Package == "" || e.Version == "" || e.Filename == "" {
			return nil, fmt.Errorf("stanza at line %d: no Package, Version or Filename", start)
		}
		out = append(out, e)
	}
	return out, nil
}

// Select is the newest entry of package name whose version satisfies d
// (any version when d has none) and whose architecture is one of archs.
// The error names what the index has instead.
func Select(entries []*Entry, d version.Dep, archs []string) (*Entry, error) {
	c, bounded, err := d.Constraint()
	if err != nil {
		return nil, err
	}
	var best *Entry
	var bestV version.Version
	var seen []string
	for _, e := range entries {
		if e.Package != d.Name || !contains(archs, e.Arch) {
			continue
		}
		v, err := version.Parse(e.Version)
		if err != nil {
			continue
		}
		seen = append(seen, e.Version)
		if bounded && !c.Allows(v) {
			continue
		}
		if best == nil || version.Compare(v, bestV) > 0 {
			best, bestV = e, v
		}
	}
	switch {
	case best != nil:
		return best, nil
	case len(seen) == 0:
		return nil, fmt.Errorf("no package %s for architecture %s", d.Name, strings.Join(archs, " or "))
	}
	return nil, fmt.Errorf("no version of %s satisfies %s %s (it has %s)", d.Name, d.Op, d.Version, strings.Join(seen, ", "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
