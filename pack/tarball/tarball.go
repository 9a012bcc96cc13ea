// Package tarball writes deterministic tar archives: the same tree (names,
// modes, contents) always gives the same bytes, whatever the host user, file
// creation order or mtimes newer than SOURCE_DATE_EPOCH.
//
// Rules (DESIGN.md, "Reproducibility rules"): entries sorted by path, owner
// 0:0 named root/root, mtimes clamped to the epoch, GNU tar format (long
// names via GNU LongName records, never PAX records, which could carry times
// and which opkg does not read), no atime/ctime.
package tarball

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"time"
)

// DotSlash is the name prefix opkg and dpkg archives use ("./usr/bin/x").
const DotSlash = "./"

// Options control how entries are named and stamped.
type Options struct {
	// Epoch is SOURCE_DATE_EPOCH in seconds: every mtime later than it is
	// written as Epoch, earlier mtimes are kept.
	Epoch int64
	// Prefix is prepended to every entry name. When it is non-empty the
	// root directory itself is written as an entry named Prefix; with an
	// empty Prefix the root has no name and is left out. ipk uses DotSlash.
	Prefix string
}

// Entry is one member of an archive, read from disk by Scan or built in
// memory (control files, install scripts).
type Entry struct {
	// Name is the slash-separated clean path relative to the root; "." is
	// the root itself.
	Name string
	// Mode holds the type (0 for a regular file, fs.ModeDir or
	// fs.ModeSymlink), the permission bits and fs.ModeSetuid, ModeSetgid
	// and ModeSticky. Other types are rejected.
	Mode fs.FileMode
	// ModTime is clamped to Options.Epoch; the zero time means Epoch.
	ModTime time.Time
	// Size is the content length of a regular file read from Path.
	Size int64
	// Linkname is a symlink's target, written as is.
	Linkname string
	// Path is the file on disk holding a regular file's content. When it
	// is empty the content is Data.
	Path string
	// Data is the content of an in-memory regular file.
	Data []byte
}

// Write writes the tree at root as a tar archive to w.
func Write(w io.Writer, root string, opts Options) error {
	entries, err := Scan(root)
	if err != nil {
		return err
	}
	return WriteEntries(w, entries, opts)
}

// WriteEntries writes entries as a tar archive to w, sorted by name in byte
// order with the root first. It does not modify entries.
func WriteEntries(w io.Writer, entries []Entry, opts Options) error {
	sorted, err := sortEntries(entries)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	for i := range sorted {
		if err := writeEntry(tw, &sorted[i], opts); err != nil {
			return err
		}
	}
	return tw.Close()
}

func sortEntries(entries []Entry) ([]Entry, error) {
	var errs []error
	for _, e := range entries {
		if e.Name != path.Clean(e.Name) || path.IsAbs(e.Name) || e.Name == ".." ||
			len(e.Name) >= 3 && e.Name[:3] == "../" {
			errs = append(errs, fmt.Errorf("tar entry %q: name must be a clean relative path", e.Name))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sorted := append([]Entry(nil), entries...)
	// The root sorts first even though names such as "-x" or "+x" are
	// smaller than "." in byte order: parents must precede children.
	sort.Slice(sorted, func(i, j int) bool {
		a, b := sorted[i].Name, sorted[j].Name
		if (a == ".") != (b == ".") {
			return a == "."
		}
		return a < b
	})
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Name == sorted[i-1].Name {
			return nil, fmt.Errorf("tar entry %q appears twice", sorted[i].Name)
		}
	}
	return sorted, nil
}

func writeEntry(tw *tar.Writer, e *Entry, opts Options) error {
	name := opts.Prefix + e.Name
	if e.Name == "." {
		if opts.Prefix == "" {
			return nil
		}
		name = opts.Prefix
	}
	hdr := &tar.Header{
		Name:    name,
		Mode:    tarMode(e.Mode),
		Uid:     0,
		Gid:     0,
		Uname:   "root",
		Gname:   "root",
		ModTime: clamp(e.ModTime, opts.Epoch),
		// GNU, not PAX: long names still work, no PAX records (which could
		// carry atime/ctime), and opkg's unpacker understands it.
		Format: tar.FormatGNU,
	}
	switch e.Mode.Type() {
	case fs.ModeDir:
		hdr.Typeflag = tar.TypeDir
		if name[len(name)-1] != '/' {
			hdr.Name += "/"
		}
		return writeHeader(tw, hdr, e)
	case fs.ModeSymlink:
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = e.Linkname
		return writeHeader(tw, hdr, e)
	case 0:
		hdr.Typeflag = tar.TypeReg
		if e.Path == "" {
			hdr.Size = int64(len(e.Data))
			if err := writeHeader(tw, hdr, e); err != nil {
				return err
			}
			_, err := tw.Write(e.Data)
			return err
		}
		hdr.Size = e.Size
		if err := writeHeader(tw, hdr, e); err != nil {
			return err
		}
		return copyFile(tw, e)
	default:
		return fmt.Errorf("tar entry %q: unsupported file type %v", e.Name, e.Mode.Type())
	}
}

func writeHeader(tw *tar.Writer, hdr *tar.Header, e *Entry) error {
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("tar entry %q: %w", e.Name, err)
	}
	return nil
}

// copyFile copies exactly e.Size bytes and fails if the file changed size
// since it was scanned: a silently truncated package is worse than none.
func copyFile(tw *tar.Writer, e *Entry) error {
	f, err := os.Open(e.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Size() != e.Size {
		return fmt.Errorf("%s: changed while packing (was a %d-byte regular file)", e.Path, e.Size)
	}
	if _, err := io.CopyN(tw, f, e.Size); err != nil {
		return fmt.Errorf("%s: %w", e.Path, err)
	}
	return nil
}

// tarMode converts Go's mode bits to the tar/POSIX ones (04000 setuid,
// 02000 setgid, 01000 sticky) plus the permission bits.
func tarMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}

// clamp returns min(t, epoch) in whole seconds; sub-second precision would
// otherwise depend on the file system.
func clamp(t time.Time, epoch int64) time.Time {
	if t.IsZero() || t.Unix() > epoch {
		return time.Unix(epoch, 0)
	}
	return time.Unix(t.Unix(), 0)
}
