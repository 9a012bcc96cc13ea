package feed

import (
	"errors"
	"fmt"
	"strings"
)

// indexFields are the fields the index writes itself after each control
// file (and the checksums other feed tools write there): a package that
// carries one could point opkg at another file or another checksum.
var indexFields = []string{"Filename", "Size", "MD5sum", "SHA1sum", "SHA256sum", "SHA512sum"}

// controlField is one field of a control file: its name and its value,
// the continuation lines of a multi-line value each as a line of Value.
type controlField struct {
	Name  string
	Value []string // first line, then continuation lines without their indent
}

// parseControl parses an .ipk's control file into its fields. It refuses
// what would let the file's text reach the index as anything other than
// its own stanza: a blank (or all-whitespace) line, which ends a stanza
// in Packages; a line that is neither "Name: value" nor a continuation;
// control characters; a field given twice (names compare case-blind, as
// opkg and dpkg read them); and the fields the index writes itself.
func parseControl(control string) ([]controlField, error) { return parseStanza(control, false) }

// parseStanza is parseControl; a stanza of an index (index true) may hold
// the fields the index writes.
func parseStanza(control string, index bool) ([]controlField, error) {
	control = strings.TrimRight(control, "\n")
	if control == "" {
		return nil, errors.New("control file is empty")
	}
	var (
		fields []controlField
		seen   = map[string]bool{}
		errs   []error
	)
	for i, line := range strings.Split(control, "\n") {
		n := i + 1
		if strings.IndexFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) >= 0 {
			errs = append(errs, fmt.Errorf("control file line %d: control character in %q", n, line))
			continue
		}
		if strings.TrimSpace(line) == "" {
			errs = append(errs, fmt.Errorf("control file line %d: blank line inside the control file", n))
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) == 0 {
				errs = append(errs, fmt.Errorf("control file line %d: continuation line before any field", n))
				continue
			}
			f := &fields[len(fields)-1]
			f.Value = append(f.Value, strings.TrimRight(line[1:], " \t"))
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") || name[0] == '#' || name[0] == '-' {
			errs = append(errs, fmt.Errorf("control file line %d: %q is not a \"Field: value\" line", n, line))
			continue
		}
		key := strings.ToLower(name)
		for _, own := range indexFields {
			if !index && strings.EqualFold(name, own) {
				errs = append(errs, fmt.Errorf("control file line %d: field %s is written by the index, not the package", n, name))
			}
		}
		if seen[key] {
			errs = append(errs, fmt.Errorf("control file line %d: field %s given twice", n, name))
		}
		seen[key] = true
		fields = append(fields, controlField{Name: name, Value: []string{strings.TrimSpace(value)}})
	}
	return fields, errors.Join(errs...)
}

// renderControl writes fields back in a normal form: "Name: value", each
// continuation line indented by one space.
func renderControl(fields []controlField) string {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f.Name + ":")
		if f.Value[0] != "" {
			b.WriteString(" " + f.Value[0])
		}
		b.WriteByte('\n')
		for _, cont := range f.Value[1:] {
			b.WriteString(" " + cont + "\n")
		}
	}
	return b.String()
}

// fieldValue is the first line of the value of field name, or "".
func fieldValue(fields []controlField, name string) string {
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value[0]
		}
	}
	return ""
}
