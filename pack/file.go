package pack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile packs the tree at root in format f and stores it in outDir
// under f.FileName(p). It writes a temporary file in outDir first and
// renames it, so the final name never holds a half-written package, even
// if the step is killed. The file is 0644 whatever the umask, because
// exporters copy the mode. It returns the path written.
func WriteFile(f Format, p *Package, root, outDir string) (path string, err error) {
	name := f.FileName(p)
	if name == "" || name != filepath.Base(name) || name == "." || name == ".." {
		return "", fmt.Errorf("writing %s package: invalid file name %q", f.Name(), name)
	}
	final := filepath.Join(outDir, name)

	tmp, err := os.CreateTemp(outDir, "."+name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", final, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("writing %s: %w", final, err)
		}
	}()

	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = f.Pack(p, root, bw); err != nil {
		return "", err
	}
	if err = bw.Flush(); err != nil {
		return "", err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return "", err
	}
	// Sync before rename: after a crash the name must point at the whole
	// package or at the previous file, not at an empty one.
	if err = tmp.Sync(); err != nil {
		return "", err
	}
	if err = tmp.Close(); err != nil {
		return "", err
	}
	if err = os.Rename(tmp.Name(), final); err != nil {
		return "", err
	}
	return final, nil
}

// ReadPackageJSON reads the package metadata the build graph hands to the
// pack step. Unknown fields are an error: the file is written by the same
// kiln binary, so an unknown field means a version mismatch or a typo, and
// silently dropping it could drop e.g. a conflict.
func ReadPackageJSON(path string) (*Package, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading package metadata: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p *Package
	if err := dec.Decode(&p); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line, col := position(data, syn.Offset)
			return nil, fmt.Errorf("reading package metadata %s:%d:%d: %w", path, line, col, err)
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading package metadata %s: file is empty", path)
		}
		return nil, fmt.Errorf("reading package metadata %s: %w", path, err)
	}
	if p == nil {
		return nil, fmt.Errorf("reading package metadata %s: expected a JSON object, got null", path)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading package metadata %s: unexpected data after the JSON object", path)
	}
	return p, nil
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// WriteFromFiles is the in-graph pack step (kiln pack): it writes the
// package that the metadata file describes in format from the tree at root
// into outDir. edit, when not nil, changes the metadata first (the
// dependencies found in the graph, see Package.Derive).
func WriteFromFiles(format, metaFile, root, outDir string, edit func(*Package) error) (string, error) {
	f, err := Lookup(format)
	if err != nil {
		return "", err
	}
	p, err := ReadPackageJSON(metaFile)
	if err != nil {
		return "", err
	}
	if edit != nil {
		if err := edit(p); err != nil {
			return "", err
		}
	}
	return WriteFile(f, p, root, outDir)
}

// CopyBeside copies the file src next to the package file pkg, named
// pkg+ext (the SBOM beside a package, for feeds and kiln sbom query),
// keeping src's modification time so the output is the same every run.
func CopyBeside(src, pkg, ext string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	dst := pkg + ext
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return err
	}
	return os.Chtimes(dst, fi.ModTime(), fi.ModTime())
}
