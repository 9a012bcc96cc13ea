// Package feed writes opkg feed indexes: the Packages and Packages.gz files
// opkg downloads to learn what a feed holds. Each stanza is the package's
// control file plus Filename, Size and SHA256sum, as opkg-make-index writes.
package feed

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/version"
)

// Entry is one package of a feed.
type Entry struct {
	Package, Version, Arch string
	Control                string // the control file, ending in "\n"
	Filename               string // relative to the feed directory
	Size                   int64
	SHA256                 string
}

// Read reads the control file of the .ipk at path and describes it as the
// feed entry named filename. The control file is parsed and written back
// normalised, so a hand-made .ipk cannot add stanzas or index fields.
func Read(path, filename string) (*Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	control, err := controlOf(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fields, err := parseControl(control)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if strings.ContainsFunc(filename, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, fmt.Errorf("%s: control character in the file name", path)
	}
	sum := sha256.Sum256(data)
	e := &Entry{Control: renderControl(fields), Filename: filename, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	e.Package, e.Version, e.Arch = fieldValue(fields, "Package"), fieldValue(fields, "Version"), fieldValue(fields, "Architecture")
	if e.Package == "" || e.Version == "" {
		return nil, fmt.Errorf("%s: control file has no Package or Version", path)
	}
	return e, nil
}

// controlOf extracts ./control from an ipk's control.tar.gz member.
func controlOf(ipk []byte) (string, error) {
	members, err := arMembers(ipk)
	if err != nil {
		return "", err
	}
	for _, m := range members {
		if strings.TrimSuffix(m.Name, "/") != "control.tar.gz" {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(m.Data))
		if err != nil {
			return "", fmt.Errorf("control.tar.gz: %w", err)
		}
		tr := tar.NewReader(zr)
		for {
			th, err := tr.Next()
			if err == io.EOF {
				return "", errors.New("control.tar.gz has no control file")
			}
			if err != nil {
				return "", fmt.Errorf("control.tar.gz: %w", err)
			}
			if path := strings.TrimPrefix(th.Name, "./"); path == "control" {
				b, err := io.ReadAll(io.LimitReader(tr, 1<<20))
				if err != nil {
					return "", err
				}
				s := strings.TrimRight(string(b), "\n") + "\n"
				return s, nil
			}
		}
	}
	return "", errors.New("no control.tar.gz member: not an .ipk")
}

func field(control, name string) string {
	for _, line := range strings.Split(control, "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Packages renders the index: stanzas sorted by package, then version
// (dpkg order), then architecture, separated by blank lines.
func Packages(entries []*Entry) []byte {
	sorted := append([]*Entry(nil), entries...)
	sort.SliceStable(sorted, func(i, k int) bool {
		a, b := sorted[i], sorted[k]
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		if c, err := version.CompareStrings(a.Version, b.Version); err == nil && c != 0 {
			return c < 0
		} else if err != nil && a.Version != b.Version {
			return a.Version < b.Version // invalid versions: any fixed order
		}
		if a.Arch != b.Arch {
			return a.Arch < b.Arch
		}
		return a.Filename < b.Filename
	})
	var b bytes.Buffer
	for i, e := range sorted {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Control)
		fmt.Fprintf(&b, "Filename: %s\nSize: %d\nSHA256sum: %s\n", e.Filename, e.Size, e.SHA256)
	}
	return b.Bytes()
}

// Gzip compresses the index reproducibly: no name, no time in the header.
func Gzip(packages []byte) ([]byte, error) {
	var b bytes.Buffer
	zw, err := kgzip.NewWriterLevel(&b, kgzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(packages); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteDir indexes the .ipk files directly in dir, writing dir/Packages and
// dir/Packages.gz (each to a temporary name, then renamed). It returns the
// number of packages indexed; a directory without any gets no index.
func WriteDir(dir string) (int, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.ipk"))
	if err != nil || len(paths) == 0 {
		return 0, err
	}
	return len(paths), writeIndex(dir, paths)
}

// writeIndex writes dir/Packages and dir/Packages.gz for the .ipk files
// at paths, which are in dir.
func writeIndex(dir string, paths []string) error {
	var entries []*Entry
	for _, p := range paths {
		e, err := Read(p, filepath.Base(p))
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	idx := Packages(entries)
	gz, err := Gzip(idx)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteIfChanged(filepath.Join(dir, "Packages"), idx, 0o644); err != nil {
		return err
	}
	return atomicfile.WriteIfChanged(filepath.Join(dir, "Packages.gz"), gz, 0o644)
}

// WriteTree indexes dir and every directory below it that holds packages
// (kiln puts each variant's packages in a subdirectory).
func WriteTree(dir string) (int, error) {
	if st, err := os.Stat(dir); err != nil {
		return 0, err
	} else if !st.IsDir() {
		return 0, fmt.Errorf("%s: not a directory", dir)
	}
	total := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		n, err := WriteDir(path)
		total += n
		return err
	})
	return total, err
}

// Field is the value of the control field name in e ("" when absent).
func (e *Entry) Field(name string) string { return field(e.Control, name) }

// List splits a relation field (Depends, Provides) into its entries'
// package names: "libfoo (>= 1.0), bar" is [libfoo bar].
func List(value string) []string {
	var out []string
	for _, part := range strings.Split(value, ",") {
		if f := strings.Fields(strings.TrimSpace(part)); len(f) > 0 {
			out = append(out, strings.TrimSpace(strings.SplitN(f[0], "(", 2)[0]))
		}
	}
	return out
}
