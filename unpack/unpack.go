// Package unpack installs .ipk packages into a root directory as an
// offline install does (files only, no maintainer scripts): the step that
// fills $SYSROOT with host: dependencies and the root install tests run
// in. It replaces `ar p | tar -x`, which follows a symbolic link an
// earlier package put in the root: a link /opt/lib -> /etc from one
// package made the next one's opt/lib/x land in the step's /etc. Here
// every path, and every link on the way, resolves inside the root, as in
// a chroot.
package unpack

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/klauspost/compress/gzip"

	"github.com/kiln-build/kiln/pack/ipk/feed"
)

// Files unpacks each .ipk in order into root; a later package's files
// replace an earlier one's.
func Files(root string, ipks []string) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	if root, err = filepath.EvalSymlinks(root); err != nil {
		return err
	}
	for _, f := range ipks {
		if err := IPK(root, f); err != nil {
			return fmt.Errorf("unpacking %s: %w", f, err)
		}
	}
	return nil
}

// IPK unpacks the data.tar.gz of the .ipk file into root, a clean path
// without symbolic links.
func IPK(root, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	tgz, err := feed.Member(data, "data.tar.gz")
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return fmt.Errorf("data.tar.gz: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("data.tar.gz: %w", err)
		}
		if err := entry(root, h, tr); err != nil {
			return fmt.Errorf("data.tar.gz: %s: %w", h.Name, err)
		}
	}
}

// entry writes one tar entry. Its parent directory is resolved inside
// root, following links as a chroot would; the entry itself replaces what
// is at its name, except that a directory keeps a link to a directory
// there (tar's --keep-directory-symlink: merged /usr roots).
func entry(root string, h *tar.Header, r io.Reader) error {
	name := path.Clean("/" + h.Name)
	if name == "/" {
		return nil
	}
	dir, err := securejoin.SecureJoin(root, path.Dir(name))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	target := filepath.Join(dir, path.Base(name))
	mode := fs.FileMode(h.Mode) & fs.ModePerm
	if h.Mode&04000 != 0 {
		mode |= fs.ModeSetuid
	}
	if h.Mode&02000 != 0 {
		mode |= fs.ModeSetgid
	}
	if h.Mode&01000 != 0 {
		mode |= fs.ModeSticky
	}
	switch h.Typeflag {
	case tar.TypeDir:
		resolved, err := securejoin.SecureJoin(root, name)
		if err != nil {
			return err
		}
		if fi, err := os.Stat(resolved); err == nil && !fi.IsDir() {
			if err := os.Remove(resolved); err != nil {
				return err
			}
		}
		if err := os.MkdirAll(resolved, 0o755); err != nil {
			return err
		}
		return os.Chmod(resolved, mode)
	case tar.TypeReg:
		if err := replace(target); err != nil {
			return err
		}
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return err
		}
		if err := f.Chmod(mode); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		return os.Chtimes(target, h.ModTime, h.ModTime)
	case tar.TypeSymlink:
		if err := replace(target); err != nil {
			return err
		}
		return os.Symlink(h.Linkname, target)
	case tar.TypeLink:
		old, err := securejoin.SecureJoin(root, h.Linkname)
		if err != nil {
			return err
		}
		if err := replace(target); err != nil {
			return err
		}
		return os.Link(old, target)
	default:
		return fmt.Errorf("a %s entry; packages hold files, directories and links only", typeName(h.Typeflag))
	}
}

// replace removes what is at target unless it is a directory (which a
// file cannot replace: an error names it when the file is written).
func replace(target string) error {
	fi, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("a directory is in the way")
	}
	return os.Remove(target)
}

func typeName(t byte) string {
	switch t {
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "FIFO"
	}
	return strings.TrimSpace(fmt.Sprintf("type %q", t))
}
