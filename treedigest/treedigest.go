// Package treedigest computes the content digest of a directory tree that
// fixed-output sources are pinned by. The digest covers what a build can
// observe of the tree and nothing that depends on when or by whom it was
// written: each entry's path, type and permission bits, a file's contents,
// a symlink's target. Timestamps, owners, extended attributes and the mode
// of the root directory itself are left out.
//
// The digest is the sha256 of a manifest with one line per entry, in the
// order of a depth-first walk that visits each directory's entries in byte
// order of their names, a directory's contents right after its own line:
//
//	d MODE PATH
//	f MODE SHA256 PATH
//	l MODE TARGET PATH
//
// MODE is the permission bits with setuid, setgid and sticky, in four octal
// digits; SHA256 the hex digest of the file's contents; PATH and TARGET are
// Go-quoted strings (strconv.Quote), so any byte in a name is unambiguous.
// Other file types (devices, sockets, pipes) are an error: no fetch step
// needs them and they cannot be pinned by content.
package treedigest

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Prefix is how digests are written: "sha256:" and 64 hex digits.
const Prefix = "sha256:"

// Of returns the digest of the tree at root ("sha256:...").
func Of(root string) (string, error) {
	h := sha256.New()
	if err := Manifest(root, h); err != nil {
		return "", err
	}
	return Prefix + hex.EncodeToString(h.Sum(nil)), nil
}

// Manifest writes the manifest the digest is taken over to w.
func Manifest(root string, w io.Writer) error {
	fi, err := os.Lstat(root)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: not a directory", root)
	}
	return walk(root, "", w)
}

// walk writes the entries below dir (rel is its path from the root, "" for
// the root); os.ReadDir sorts them by name.
func walk(dir, rel string, w io.Writer) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := e.Name()
		if rel != "" {
			p = rel + "/" + e.Name()
		}
		full := filepath.Join(dir, e.Name())
		if err := entry(full, p, w); err != nil {
			return err
		}
		if e.IsDir() {
			if err := walk(full, p, w); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry writes the manifest line of the file at full, named p.
func entry(full, p string, w io.Writer) error {
	fi, err := os.Lstat(full)
	if err != nil {
		return err
	}
	mode := fmt.Sprintf("%04o", perm(fi))
	var line string
	switch t := fi.Mode().Type(); {
	case t == 0:
		sum, err := fileSum(full)
		if err != nil {
			return err
		}
		line = strings.Join([]string{"f", mode, sum, strconv.Quote(p)}, " ")
	case t == fs.ModeDir:
		line = strings.Join([]string{"d", mode, strconv.Quote(p)}, " ")
	case t == fs.ModeSymlink:
		target, err := os.Readlink(full)
		if err != nil {
			return err
		}
		line = strings.Join([]string{"l", mode, strconv.Quote(target), strconv.Quote(p)}, " ")
	default:
		return fmt.Errorf("%s: only files, directories and symlinks can be part of a fixed output, not %s", p, fi.Mode())
	}
	_, err = io.WriteString(w, line+"\n")
	return err
}

// perm is fi's permission bits with setuid, setgid and sticky in Unix
// order, as tar headers carry them.
func perm(fi fs.FileInfo) int64 {
	if h, err := tar.FileInfoHeader(fi, ""); err == nil {
		return h.Mode & 0o7777
	}
	return int64(fi.Mode().Perm())
}

func fileSum(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Check compares the digest of the tree at root with want. An empty want is
// an error that gives the digest, so the user can pin it; a different one
// names both.
func Check(root, want, what string) (string, error) {
	got, err := Of(root)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	switch {
	case want == "":
		return got, fmt.Errorf("%s has no digest: its output is %s; pin it with digest: %q", what, got, got)
	case want != got:
		return got, fmt.Errorf("%s: digest mismatch: the recipe says %s but the output is %s", what, want, got)
	}
	return got, nil
}
