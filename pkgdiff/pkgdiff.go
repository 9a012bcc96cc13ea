// Package pkgdiff says how two package files differ, in the spirit of
// diffoscope: it opens the containers packages are made of (ar, tar,
// gzip, zip with zstd or deflate) recursively and reports the members
// only one side has, then each member whose mode, link, tar header or
// content differs, with the offset of the first differing byte.
package pkgdiff

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

	"github.com/blakesmith/ar"
	"github.com/klauspost/compress/zstd"
)

// maxLines bounds a report: past it, more differences are only mentioned.
const maxLines = 20

// maxMember bounds how much of one member is read into memory.
const maxMember = 1 << 30

// member is one file inside a container.
type member struct {
	mode fs.FileMode
	link string
	meta string // the rest of a tar header: owner, mtime
	data []byte
}

// Diff describes how b (rebuilt) differs from a (recorded), both named
// name; it returns nil when they are the same bytes. Each line of the
// report names the path inside the containers ("data.tar.gz/./opt/bin/x").
func Diff(name string, a, b []byte) []string {
	if bytes.Equal(a, b) {
		return nil
	}
	return diff(name, a, b)
}

func diff(path string, a, b []byte) []string {
	ma, errA := open(a)
	mb, errB := open(b)
	if errA != nil || errB != nil || ma == nil || mb == nil {
		return []string{path + ": " + contentDiff(a, b)}
	}
	var out []string
	for _, n := range sortedNames(ma) {
		if _, ok := mb[n]; !ok {
			out = append(out, fmt.Sprintf("%s/%s: only in the recorded package", path, n))
		}
	}
	for _, n := range sortedNames(mb) {
		if _, ok := ma[n]; !ok {
			out = append(out, fmt.Sprintf("%s/%s: only in the rebuilt package", path, n))
		}
	}
	for _, n := range sortedNames(ma) {
		x, y := ma[n], mb[n]
		if y == nil {
			continue
		}
		p := path + "/" + n
		switch {
		case x.mode != y.mode:
			out = append(out, fmt.Sprintf("%s: mode %s, rebuilt %s", p, x.mode, y.mode))
		case x.link != y.link:
			out = append(out, fmt.Sprintf("%s: link to %q, rebuilt to %q", p, x.link, y.link))
		case x.meta != y.meta:
			out = append(out, fmt.Sprintf("%s: %s, rebuilt %s", p, x.meta, y.meta))
		case !bytes.Equal(x.data, y.data):
			out = append(out, diff(p, x.data, y.data)...)
		}
		if len(out) >= maxLines {
			return append(out[:maxLines], "(more differences not shown)")
		}
	}
	if len(out) == 0 {
		// Same members, same contents: the container itself (headers,
		// order, compression) differs.
		out = append(out, path+": same members, but the archive itself "+contentDiff(a, b))
	}
	return out
}

// contentDiff says where two byte strings first differ.
func contentDiff(a, b []byte) string {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return fmt.Sprintf("differs in size: %d bytes, rebuilt %d (the first %d are the same)", len(a), len(b), n)
	}
	return fmt.Sprintf("content differs from offset %d (0x%x): %s, rebuilt %s (%d bytes, rebuilt %d)", i, i, excerpt(a, i), excerpt(b, i), len(a), len(b))
}

// excerpt shows a few bytes of data from offset i, quoted.
func excerpt(data []byte, i int) string {
	end := min(len(data), i+16)
	return fmt.Sprintf("%q", data[i:end])
}

func sortedNames(m map[string]*member) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// open lists the members of data if it is a container kiln's packages
// use; nil without error when it is not one.
func open(data []byte) (map[string]*member, error) {
	switch {
	case bytes.HasPrefix(data, []byte("!<arch>\n")):
		return openAr(data)
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		plain, err := io.ReadAll(io.LimitReader(zr, maxMember))
		if err != nil {
			return nil, err
		}
		return map[string]*member{"(gunzipped)": {data: plain}}, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return openZip(data)
	case len(data) >= 512 && string(data[257:262]) == "ustar":
		return openTar(data)
	}
	return nil, nil
}

func openAr(data []byte) (map[string]*member, error) {
	r := ar.NewReader(bytes.NewReader(data))
	return members(r, func() (string, *member, error) {
		h, err := r.Next()
		if err != nil {
			return "", nil, err
		}
		return strings.TrimSuffix(h.Name, "/"), &member{mode: fs.FileMode(h.Mode)}, nil
	})
}

func openTar(data []byte) (map[string]*member, error) {
	r := tar.NewReader(bytes.NewReader(data))
	return members(r, func() (string, *member, error) {
		h, err := r.Next()
		if err != nil {
			return "", nil, err
		}
		return h.Name, &member{mode: h.FileInfo().Mode(), link: h.Linkname,
			meta: fmt.Sprintf("owner %d:%d (%s:%s), mtime %d", h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime.Unix())}, nil
	})
}

// members reads every member of a streamed archive: next moves r to the
// next member and describes it (io.EOF at the end).
func members(r io.Reader, next func() (string, *member, error)) (map[string]*member, error) {
	out := map[string]*member{}
	for {
		name, m, err := next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if m.data, err = io.ReadAll(io.LimitReader(r, maxMember)); err != nil {
			return nil, err
		}
		out[name] = m
	}
}

func openZip(data []byte) (map[string]*member, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	zr.RegisterDecompressor(zstdMethod, zstd.ZipDecompressor())
	out := map[string]*member{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(rc, maxMember))
		rc.Close()
		if err != nil {
			return nil, err
		}
		out[f.Name] = &member{mode: f.Mode(), data: body}
	}
	return out, nil
}

// zstdMethod is the zip compression method number of zstd.
const zstdMethod = 93
