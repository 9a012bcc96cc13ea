package syspkg

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/pack"
	"github.com/klauspost/compress/zstd"
)

// The index step. Pack runs once per architecture and writes one payload;
// the metainfo lists them all, so it is made afterwards, from the payload
// files alone (as syspkg build does with (arch)=(zipfile) arguments):
//
//	m, _ := FromPackage(p, DefaultURL(base, p.Name), category)
//	x, _ := ScanPayloadFile(m.ID, "x86_64", "out/hello-1.2.0-x86_64.zip")
//	a, _ := ScanPayloadFile(m.ID, "aarch64", "out/hello-1.2.0-aarch64.zip")
//	_ = m.Index(x, a)
//	signed, _ := Sign(m, signer) // or Render(m) when unsigned
//
// Everything here is a function of the payload bytes and the metainfo.

// Scanned is what the metainfo records of one payload.
type Scanned struct {
	Payload Payload
	Files   []File // sorted by name
}

// OpenPayload reads a payload ZIP with all the methods syspkg allows
// (store, deflate, zstd).
func OpenPayload(r io.ReaderAt, size int64) (*zip.Reader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, err
	}
	zr.RegisterDecompressor(uint16(Zstd), zstd.ZipDecompressor())
	return zr, nil
}

// ScanPayload reads one payload: its size and sha256, and the name and
// uncompressed size of every entry that is not a directory (their sum is
// the payload's size). It checks what syspkg needs: relative clean names,
// methods 0, 8 or 93, and (unless id is "base") category directories at the
// top. Contents are not decompressed.
func ScanPayload(id, arch string, r io.ReaderAt, size int64) (*Scanned, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return nil, fmt.Errorf("payload %s: %w", arch, err)
	}
	zr, err := OpenPayload(r, size)
	if err != nil {
		return nil, fmt.Errorf("payload %s: %w", arch, err)
	}
	s := &Scanned{Payload: Payload{Arch: arch, Compressed: size, SHA256: hex.EncodeToString(h.Sum(nil))}}
	main := mainDir(id, zr.File)
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, main)
		if name == "" {
			continue // the main directory itself
		}
		if err := checkEntry(id, name, f.Method); err != nil {
			return nil, fmt.Errorf("payload %s: %w", arch, err)
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		s.Files = append(s.Files, File{Size: int64(f.UncompressedSize64), Name: name})
		s.Payload.Size += int64(f.UncompressedSize64)
	}
	sort.Slice(s.Files, func(i, j int) bool { return s.Files[i].Name < s.Files[j].Name })
	return s, nil
}

// ScanPayloadFile is ScanPayload on a file.
func ScanPayloadFile(id, arch, file string) (*Scanned, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return ScanPayload(id, arch, f, st.Size())
}

// mainDir is the one directory ("myproject-master/") that holds a whole
// payload, as in ZIPs that code hosts make of a branch, or "". syspkg
// accepts such a payload and the file list names files without it.
func mainDir(id string, files []*zip.File) string {
	if id == BaseID || len(files) == 0 {
		return ""
	}
	top, _, ok := strings.Cut(files[0].Name, "/")
	if !ok || isCategory(top) {
		return ""
	}
	for _, f := range files {
		if !strings.HasPrefix(f.Name, top+"/") {
			return ""
		}
	}
	return top + "/"
}

func checkEntry(id, entry string, method uint16) error {
	name := strings.TrimSuffix(entry, "/")
	if name == "" || path.IsAbs(name) || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") {
		return fmt.Errorf("%q: not a clean relative path", entry)
	}
	switch Method(method) {
	case Store, Deflate, Zstd:
	default:
		return fmt.Errorf("%s: compression method %d (syspkg reads store, deflate and zstd)", entry, method)
	}
	if id != BaseID && !isCategory(category(name)) {
		return fmt.Errorf("%s: top-level directory %q is not a category (%s)", entry, category(name), strings.Join(Categories, ", "))
	}
	return nil
}

// Index records the scanned payloads in m, in the order given (the order of
// the targets), replacing any payloads and files it had. The files list is
// the union over all payloads, each name with its largest size: one list
// serves every architecture, and the larger size is the safe one for a
// disk-space check.
func (m *Meta) Index(payloads ...*Scanned) error {
	m.Payloads, m.Files = nil, nil
	sizes := map[string]int64{}
	seen := map[string]bool{}
	for _, s := range payloads {
		if seen[s.Payload.Arch] {
			return fmt.Errorf("metainfo %s: two payloads for arch %q", m.ID, s.Payload.Arch)
		}
		seen[s.Payload.Arch] = true
		m.Payloads = append(m.Payloads, s.Payload)
		for _, f := range s.Files {
			sizes[f.Name] = max(sizes[f.Name], f.Size)
		}
	}
	for name, size := range sizes {
		m.Files = append(m.Files, File{Size: size, Name: name})
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Name < m.Files[j].Name })
	return nil
}

// MetaSource is what kiln syspkg sign makes a metainfo from: a metainfo
// file or kiln's package metadata, and the payloads to record in it.
type MetaSource struct {
	// File is a metainfo in the seed's format (META.json), or Package
	// kiln's package metadata (JSON: recipe fields plus formats.syspkg),
	// made into one by MetaFor.
	File, Package string
	// BaseURL is where the payloads are published with their built names
	// (the URL mask DefaultURL makes, for a Package only when its options
	// give none); URL is the mask itself and wins.
	BaseURL, URL string
	// Payloads are ARCH=PAYLOAD.zip arguments, as the seed's build takes
	// them: each is scanned and all are recorded (Index). None keeps the
	// payloads the metainfo has.
	Payloads []string
	// Edit, when set, changes the package metadata of a Package before
	// the metainfo is made of it (the dependencies a build found).
	Edit func(*pack.Package) error
}

// Args takes the command line of the seed's build: the metainfo file, then
// ARCH=PAYLOAD.zip payloads; with Package set, every argument is a payload.
func (s *MetaSource) Args(args []string) error {
	if s.Package == "" {
		if len(args) == 0 || strings.Contains(args[0], "=") {
			return errors.New("name the metainfo (META.json) or the package metadata (--package)")
		}
		s.File, args = args[0], args[1:]
	}
	s.Payloads = args
	return nil
}

// Load reads the metainfo, sets its URL mask and records the payloads.
// Errors name the file at fault.
func (s MetaSource) Load() (*Meta, error) {
	m, err := s.read()
	if err != nil {
		return nil, err
	}
	if s.URL != "" {
		m.URL = s.URL
	}
	var scanned []*Scanned
	for _, a := range s.Payloads {
		arch, file, ok := strings.Cut(a, "=")
		if !ok || arch == "" || file == "" {
			return nil, fmt.Errorf("payload %q: want ARCH=PAYLOAD.zip", a)
		}
		sc, err := ScanPayloadFile(m.ID, arch, file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		scanned = append(scanned, sc)
	}
	if len(scanned) > 0 {
		if err := m.Index(scanned...); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (s MetaSource) read() (*Meta, error) {
	if s.Package != "" {
		p, err := pack.ReadPackageJSON(s.Package)
		if err != nil {
			return nil, err
		}
		if s.Edit != nil {
			if err := s.Edit(p); err != nil {
				return nil, err
			}
		}
		m, err := MetaFor(p, s.BaseURL)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Package, err)
		}
		return m, nil
	}
	data, err := os.ReadFile(s.File)
	if err != nil {
		return nil, err
	}
	m, err := ParseMeta(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	if s.BaseURL != "" {
		m.URL = DefaultURL(s.BaseURL, m.ID)
	}
	return m, nil
}
