package sbom

import (
	"crypto/sha1" //nolint:gosec // SPDX's package verification code is defined on SHA-1
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// File is one regular file of a package with its digests.
type File struct {
	Path   string // relative to the package root, slash-separated
	Mode   fs.FileMode
	SHA1   string
	SHA256 string
}

// ScanTree lists the regular files under root (sorted by path) with their
// digests, leaving out skip (a path relative to root). Directories and
// symlinks carry no content of their own and are not listed.
func ScanTree(root, skip string) ([]File, error) {
	var out []File
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == skip {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		f := File{Path: rel, Mode: info.Mode()}
		if f.SHA1, f.SHA256, err = digests(p); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scanning %s: %w", root, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func digests(path string) (sha1hex, sha256hex string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	h1, h256 := sha1.New(), sha256.New() //nolint:gosec // see import
	if _, err := io.Copy(io.MultiWriter(h1, h256), f); err != nil {
		return "", "", err
	}
	return hex.EncodeToString(h1.Sum(nil)), hex.EncodeToString(h256.Sum(nil)), nil
}

// VerificationCode is SPDX's package verification code (spec 2.3, 7.9):
// the SHA-1 of the files' SHA-1s, sorted and concatenated.
func VerificationCode(files []File) string {
	sums := make([]string, 0, len(files))
	for _, f := range files {
		sums = append(sums, f.SHA1)
	}
	sort.Strings(sums)
	h := sha1.Sum([]byte(strings.Join(sums, ""))) //nolint:gosec // see import
	return hex.EncodeToString(h[:])
}

// TreeDigest is a digest of the tree at root that depends only on its
// files' paths, permission bits and contents: sha256 of one line
// "MODE SHA256 PATH" per regular file, in path order. It identifies a
// local source in the SBOM and the provenance.
func TreeDigest(root string) (string, error) {
	files, err := ScanTree(root, "")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%04o %s %s\n", f.Mode.Perm(), f.SHA256, f.Path)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
