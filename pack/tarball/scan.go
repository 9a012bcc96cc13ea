package tarball

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// keptModeBits are the mode bits an entry keeps from the file system: the
// permissions plus setuid/setgid/sticky. The umask only matters through them.
const keptModeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// Scan lists the tree at root (root included, as "."), in byte order of
// name. Symlinks are not followed and keep their target; a hard link is read
// as the regular file it is, so its content is stored once per name.
// Devices, sockets, fifos and other special files are an error naming the
// path: a package cannot carry them portably.
//
// The root directory's own mode is always written as 0755: it stands for
// the install root ("/"), not for a file of the package, and a private
// temporary $pkgdir (0700) must not make it into the archive.
func Scan(root string) ([]Entry, error) {
	// A root given through a symlink (e.g. /tmp on some systems) is still
	// the tree the caller means; WalkDir itself does not follow it.
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("scanning package tree: %w", err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("scanning package tree: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("scanning package tree: %s is not a directory", root)
	}

	var entries []Entry
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(real, p)
		if err != nil {
			return err
		}
		// Error messages name the path as the caller spelled root.
		shown := filepath.Join(root, rel)
		if strings.ContainsAny(rel, "\n\r") || !utf8.ValidString(rel) {
			return fmt.Errorf("%s: a file name with a line break or not in UTF-8 cannot go into a package (package file lists are lines of UTF-8)", quoteName(shown))
		}
		e := Entry{
			Name:    filepath.ToSlash(rel),
			Mode:    info.Mode() & (fs.ModeType | keptModeBits),
			ModTime: info.ModTime(),
		}
		switch info.Mode().Type() {
		case fs.ModeDir:
			if rel == "." {
				e.Mode = fs.ModeDir | 0o755
			}
		case fs.ModeSymlink:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			e.Linkname = target
			// Symlink permissions mean nothing on Linux and differ on
			// other systems; write what Linux reports.
			e.Mode = fs.ModeSymlink | 0o777
		case 0:
			e.Size = info.Size()
			e.Path = p
		default:
			return fmt.Errorf("%s: unsupported file type %q (a package holds only directories, regular files and symlinks)",
				shown, typeName(info.Mode()))
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scanning package tree: %w", err)
	}
	// WalkDir visits each directory in lexical order, which is not the
	// byte order of full paths ("a/b" vs "a-b"); sort like WriteEntries.
	return sortEntries(entries)
}

// quoteName shows a file name whatever bytes it holds.
func quoteName(s string) string { return strconv.Quote(s) }

// InstalledSize is the sum of the sizes of the regular files among entries,
// hard links counted once per name (as they are stored).
func InstalledSize(entries []Entry) int64 {
	var n int64
	for _, e := range entries {
		if e.Mode.IsRegular() {
			if e.Path == "" {
				n += int64(len(e.Data))
			} else {
				n += e.Size
			}
		}
	}
	return n
}

func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	default:
		return m.Type().String()
	}
}
