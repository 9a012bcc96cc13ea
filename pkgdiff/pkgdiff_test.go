package pkgdiff

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"time"

	"github.com/blakesmith/ar"
)

type file struct {
	name string
	mode int64
	body string
}

func tarGz(t *testing.T, files []file, mtime int64) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), ModTime: time.Unix(mtime, 0), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f.body))
	}
	tw.Close()
	zw.Close()
	return b.Bytes()
}

func ipk(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := ar.NewWriter(&b)
	w.WriteGlobalHeader()
	for _, m := range []struct {
		name string
		body []byte
	}{{"debian-binary", []byte("2.0\n")}, {"data.tar.gz", data}} {
		w.WriteHeader(&ar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body))})
		w.Write(m.body)
	}
	return b.Bytes()
}

func TestDiff(t *testing.T) {
	base := []file{{"./opt/bin/hello", 0o755, "hello world"}, {"./usr/share/stamp", 0o644, "2024-05-01"}}
	a := ipk(t, tarGz(t, base, 1))
	if d := Diff("x.ipk", a, a); d != nil {
		t.Errorf("same bytes: %v", d)
	}
	for _, c := range []struct {
		name  string
		files []file
		mtime int64
		want  string
	}{
		{"content", []file{base[0], {"./usr/share/stamp", 0o644, "2026-12-02"}}, 1,
			`x.ipk/data.tar.gz/(gunzipped)/./usr/share/stamp: content differs from offset 3 (0x3): "4-05-01", rebuilt "6-12-02"`},
		{"mode", []file{{"./opt/bin/hello", 0o700, "hello world"}, base[1]}, 1,
			"x.ipk/data.tar.gz/(gunzipped)/./opt/bin/hello: mode -rwxr-xr-x, rebuilt -rwx------"},
		{"list", []file{base[0]}, 1,
			"x.ipk/data.tar.gz/(gunzipped)/./usr/share/stamp: only in the recorded package"},
		{"mtime", base, 2,
			"x.ipk/data.tar.gz/(gunzipped)/./opt/bin/hello: owner 0:0 (:), mtime 1, rebuilt owner 0:0 (:), mtime 2"},
	} {
		got := strings.Join(Diff("x.ipk", a, ipk(t, tarGz(t, c.files, c.mtime))), "\n")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s:\n%s\nwant %s", c.name, got, c.want)
		}
	}
	if got := Diff("f", []byte("abc"), []byte("abcd")); len(got) != 1 || !strings.Contains(got[0], "differs in size: 3 bytes, rebuilt 4") {
		t.Errorf("plain files: %v", got)
	}
}
