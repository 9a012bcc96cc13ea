package packtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/golden"
)

// Update is the -update flag: rewrite golden files instead of comparing.
var Update = golden.Update

// Golden compares got with testdata/<name>.golden, or rewrites it under -update.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	golden.Compare(t, name, got)
}

// SHA256 is the hex sha256 of data.
func SHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ListAr renders an ar archive: each member's raw header fields, and for
// *.tar.gz members the gzip header and a tar listing. The bytes are parsed
// here rather than with an ar library so that the listing shows exactly
// what is in the file (e.g. the mode field "100644").
func ListAr(t testing.TB, data []byte) string {
	t.Helper()
	var b strings.Builder
	const magic = "!<arch>\n"
	if !bytes.HasPrefix(data, []byte(magic)) {
		t.Fatalf("not an ar archive: starts with %q", data[:min(len(data), 8)])
	}
	rest := data[len(magic):]
	for len(rest) > 0 {
		if len(rest) < 60 {
			t.Fatalf("truncated ar header: %q", rest)
		}
		h := rest[:60]
		field := func(from, to int) string { return strings.TrimRight(string(h[from:to]), " ") }
		if string(h[58:60]) != "`\n" {
			t.Fatalf("bad ar header terminator in %q", h)
		}
		name, mtime, uid, gid, mode, sizeStr := field(0, 16), field(16, 28), field(28, 34), field(34, 40), field(40, 48), field(48, 58)
		size, err := strconv.Atoi(sizeStr)
		if err != nil || size > len(rest)-60 {
			t.Fatalf("ar member %q: bad size %q", name, sizeStr)
		}
		body := rest[60 : 60+size]
		rest = rest[60+size:]
		if size%2 == 1 {
			if len(rest) == 0 || rest[0] != '\n' {
				t.Fatalf("ar member %q: missing padding byte", name)
			}
			rest = rest[1:]
		}
		fmt.Fprintf(&b, "ar %-16s mtime=%s uid=%s gid=%s mode=%s size=%d\n", name, mtime, uid, gid, mode, size)
		switch {
		case strings.HasSuffix(name, ".tar.gz"):
			b.WriteString(ListTarGz(t, body, strings.HasPrefix(name, "control.")))
		default:
			fmt.Fprintf(&b, "  content %q\n", body)
		}
	}
	return b.String()
}

// ListTarGz renders a gzip-compressed tar archive: the gzip header fields
// that matter for reproducibility, then ListTar of the content.
func ListTarGz(t testing.TB, data []byte, showContent bool) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	tarData, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	var mtime int64 // the reader reports MTIME 0 as the zero time
	if !zr.ModTime.IsZero() {
		mtime = zr.ModTime.Unix()
	}
	out := fmt.Sprintf("  gzip name=%q comment=%q mtime=%d os=%d xfl=%d\n",
		zr.Name, zr.Comment, mtime, zr.OS, data[8])
	return out + ListTar(t, tarData, showContent)
}

// ListTar renders one line per tar entry: type, mode, owner, mtime, size,
// name, link target, and a content hash (or the content itself).
func ListTar(t testing.TB, data []byte, showContent bool) string {
	t.Helper()
	var b strings.Builder
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("tar %s: %v", h.Name, err)
		}
		var extra []string
		if len(h.PAXRecords) > 0 {
			extra = append(extra, fmt.Sprintf("pax=%v", h.PAXRecords))
		}
		if !h.AccessTime.IsZero() || !h.ChangeTime.IsZero() {
			extra = append(extra, "atime/ctime set")
		}
		fmt.Fprintf(&b, "  %c %06o %d/%d %s/%s %d %s %6d %s",
			h.Typeflag, h.Mode, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime.Unix(), h.Format, h.Size, h.Name)
		if h.Linkname != "" {
			fmt.Fprintf(&b, " -> %s", h.Linkname)
		}
		if h.Typeflag == tar.TypeReg {
			fmt.Fprintf(&b, " sha256:%s", SHA256(content)[:16])
		}
		if len(extra) > 0 {
			fmt.Fprintf(&b, " %s", strings.Join(extra, " "))
		}
		b.WriteString("\n")
		if showContent && h.Typeflag == tar.TypeReg {
			for _, line := range strings.SplitAfter(string(content), "\n") {
				if line != "" {
					fmt.Fprintf(&b, "    | %q\n", line)
				}
			}
		}
	}
	return b.String()
}
