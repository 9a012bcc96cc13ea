package syspkg

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// run runs a host tool in dir and returns its combined output. A missing
// tool skips the test, or fails it under make test (testtool.Need), which
// installs them (Debian: unzip libarchive-tools 7zip openssl zstd).
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	testtool.Need(t, name)
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func contains(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s output lacks %q:\n%s", what, w, out)
		}
	}
}

// writePayload packs the test tree with compression c into dir.
func writePayload(t *testing.T, dir, c string) (path string, data []byte) {
	t.Helper()
	root := buildTree(t, testTree, packtest.Default)
	path, err := pack.WriteFile(Format{Compression: c}, testPackage(), root, dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// extracted lists a directory a real tool extracted into, in the form
// readEntries gives our own reader's view, permission bits only: tools
// differ in what they restore of setuid/setgid/sticky.
func extracted(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		var content []byte
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			content = []byte(target)
		case info.IsDir():
			rel += "/"
		default:
			if content, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		out[rel] = fmt.Sprintf("%v %q", info.Mode()&(fs.ModeType|fs.ModePerm), content)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree compares what a tool extracted with what our reader reads.
func sameTree(t *testing.T, tool string, data []byte, dir string) {
	t.Helper()
	zr, err := OpenPayload(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	contents := readEntries(t, zr)
	want := map[string]string{}
	for _, f := range zr.File {
		_, content, _ := strings.Cut(contents[f.Name], " ")
		want[f.Name] = fmt.Sprintf("%v %s", f.Mode()&(fs.ModeType|fs.ModePerm), content)
	}
	got := extracted(t, dir)
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s extracted %s as %.60q, want %.60q", tool, name, got[name], w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s extracted %s, which is not in the payload", tool, name)
		}
	}
}

// TestUnzip checks deflate and store payloads, and a ZIP64 archive, with
// Info-ZIP's unzip. Debian's unzip 6.0 does not read zstd (method 93).
func TestUnzip(t *testing.T) {
	testtool.Need(t, "unzip")
	for _, c := range []string{"deflate", "store"} {
		t.Run(c, func(t *testing.T) {
			dir := t.TempDir()
			path, data := writePayload(t, dir, c)
			name := filepath.Base(path)
			contains(t, "unzip -t", run(t, dir, "unzip", "-t", name), "No errors detected in compressed data of "+name)
			contains(t, "unzip -l", run(t, dir, "unzip", "-l", name),
				"2024-05-01 00:00   bin/hello\n", "2024-04-01 00:00   etc/hello.conf\n", "shr/hello/ünïcödé.txt\n")
			contains(t, "zipinfo", run(t, dir, "unzip", "-Z", name),
				"-rwsr-xr-x  2.0 unx", "lrwxrwxrwx  2.0 unx", "drwxrwsr-x  2.0 unx", "drwxrwxrwt  2.0 unx")
			x := filepath.Join(dir, "x")
			run(t, dir, "unzip", "-q", name, "-d", x)
			sameTree(t, "unzip", data, x)
		})
	}
	t.Run("zip64", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "many.zip"), manyEntries(t), 0o644); err != nil {
			t.Fatal(err)
		}
		contains(t, "unzip -t", run(t, dir, "unzip", "-tq", "many.zip"), "No errors detected in compressed data of many.zip")
		out := run(t, dir, "unzip", "-l", "many.zip")
		contains(t, "unzip -l", out, fmt.Sprintf(" %d files\n", zip64Entries+1), "shr/f69999\n")
	})
}

// TestBsdtar reads every kind of payload, zstd included, with libarchive.
func TestBsdtar(t *testing.T) {
	testtool.Need(t, "bsdtar")
	for _, c := range []string{"zstd", "deflate", "store"} {
		t.Run(c, func(t *testing.T) {
			dir := t.TempDir()
			path, data := writePayload(t, dir, c)
			contains(t, "bsdtar -tv", run(t, dir, "bsdtar", "-tvf", path),
				"-rwsr-xr-x  0 0      0          16 May  1  2024 bin/hello-suid", "bin/hi -> hello")
			x := filepath.Join(dir, "x")
			if err := os.Mkdir(x, 0o755); err != nil {
				t.Fatal(err)
			}
			run(t, x, "bsdtar", "-xpf", path)
			sameTree(t, "bsdtar", data, x)
		})
	}
}

// Test7zip tests and extracts the zstd payload with 7-Zip, the other
// Debian tool that reads ZIP method 93.
func Test7zip(t *testing.T) {
	testtool.Need(t, "7zz")
	dir := t.TempDir()
	path, data := writePayload(t, dir, "zstd")
	out := run(t, dir, "7zz", "t", path)
	contains(t, "7zz t", out, "Everything is Ok")
	contains(t, "7zz l -slt", run(t, dir, "7zz", "l", "-slt", path), "Method = zstd", "Path = shr/hello/greetings.txt")
	x := filepath.Join(dir, "x")
	// -snld: the cross-category link bin/libhello-link -> ../lib/... stays
	// inside the archive, but 7-Zip flags any ".." in a link target.
	run(t, dir, "7zz", "x", "-snld", "-o"+x, path)
	got := extracted(t, x)
	zr, _ := OpenPayload(bytes.NewReader(data), int64(len(data)))
	for name, v := range readEntries(t, zr) {
		if strings.HasSuffix(name, "/") {
			continue
		}
		// 7-Zip's modes follow its own rules; compare contents.
		_, wantContent, _ := strings.Cut(v, " ")
		_, gotContent, _ := strings.Cut(got[name], " ")
		if gotContent != wantContent {
			t.Errorf("7zz extracted %s as %.60s, want %.60s", name, gotContent, wantContent)
		}
	}
}

// TestZstdTool decompresses a zstd entry's raw data with the zstd tool:
// method 93 entries are plain zstd frames.
func TestZstdTool(t *testing.T) {
	testtool.Need(t, "zstd")
	dir := t.TempDir()
	_, data := writePayload(t, dir, "zstd")
	zr, _ := OpenPayload(bytes.NewReader(data), int64(len(data)))
	for _, f := range zr.File {
		if f.Name != "shr/hello/greetings.txt" {
			continue
		}
		raw, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		frame := make([]byte, f.CompressedSize64)
		if _, err := raw.Read(frame); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "entry.zst"), frame, 0o644); err != nil {
			t.Fatal(err)
		}
		out := run(t, dir, "zstd", "-dc", "entry.zst")
		if out != strings.Repeat("hello, world\n", 2000) {
			t.Errorf("zstd -d gave %.40q", out)
		}
		return
	}
	t.Fatal("entry not found")
}

// TestOpenSSLSigned verifies a signed metainfo with openssl alone
// (sign/testdata/verify.sh): the developer certificate is issued by the
// repository, which is the trust anchor. (pack/syspkg/repo checks its
// signed list the same way.)
func TestOpenSSLSigned(t *testing.T) {
	testtool.Need(t, "openssl", "sed")
	dir := t.TempDir()
	repo := testSigner(t, "repo", "Example Repo", sign.Repository)
	devKey, err := os.ReadFile(filepath.Join("sign", "testdata", "dev.test.key"))
	if err != nil {
		t.Fatal(err)
	}
	devSelf := testSigner(t, "dev", "Jane Doe", sign.Developer)
	repoKey, _ := os.ReadFile(filepath.Join("sign", "testdata", "repo.test.key"))
	repoPEM := pemCert(repo.Cert)
	issued, err := sign.SignCert(repoPEM, repoKey, pemCert(devSelf.Cert), nil)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := sign.NewSigner(issued, devKey)
	if err != nil {
		t.Fatal(err)
	}

	m := seedMeta()
	meta, err := Sign(m, dev)
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join("sign", "testdata", "verify.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"verify.sh": script, "repo.pem": repoPEM, "meta.json": meta} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out := run(t, dir, "sh", "verify.sh", "meta.json", "repo.pem"); out != "Verified OK\nsigner.pem: OK\n" {
		t.Errorf("verify.sh meta.json = %q", out)
	}
	if _, err := VerifyMeta(meta, []*x509.Certificate{repo.Cert}, verifyAt); err != nil {
		t.Errorf("VerifyMeta: %v", err)
	}
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
