package integration

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const recipeHead = `name: %s
version: 1.0-1
summary: Test recipe
license: MIT
maintainer: Kiln Tests <tests@example.org>
timestamp: 2024-05-01
targets: [x86_64]
`

// TestBuildHasNoNetwork: a build script that connects to a server on the
// host's loopback must fail, and the server must see no connection.
func TestBuildHasNoNetwork(t *testing.T) {
	requireIntegration(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "netcheck") +
		fmt.Sprintf("build: |\n  echo probing 127.0.0.1:%d\n  exec 3<>/dev/tcp/127.0.0.1/%d\n  echo connected\n", port, port)})
	r := kiln(t, nil, "build", dir, "-o", t.TempDir(), "--progress", "plain")
	if r.err == nil {
		t.Fatalf("build with a network connection succeeded:\n%s", tail(r.stderr, 30))
	}
	if !strings.Contains(r.stderr, "netcheck [x86_64] build") {
		t.Errorf("error does not name the failing step:\n%s", tail(r.stderr, 30))
	}
	if strings.Contains(r.stderr, "\nconnected") || conns.Load() != 0 {
		t.Errorf("build step reached the host (%d connections)", conns.Load())
	}
}

// TestWrongChecksum: a url source whose sha256 is wrong fails, naming the
// source and both digests, and leaves the output directory untouched.
func TestWrongChecksum(t *testing.T) {
	requireIntegration(t)
	files := t.TempDir()
	writeFiles(t, files, map[string]string{"data.txt": "some upstream bytes\n"})
	addr := serveAnywhere(t, files)
	actual := sha(t, filepath.Join(files, "data.txt"))
	wrong := strings.Repeat("ab", 32)
	dir := t.TempDir()
	url := "http://" + addr + "/data.txt"
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "badsum") +
		fmt.Sprintf("sources:\n  - url: %s\n    sha256: %s\npackage: cp data.txt \"$pkgdir/\"\n", url, wrong)})
	out := t.TempDir()
	writeFiles(t, out, map[string]string{"keep.txt": "user data"})
	r := kiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	if r.err == nil {
		t.Fatal("build with a wrong checksum succeeded")
	}
	last := tail(r.stderr, 3)
	for _, want := range []string{url, "sha256:" + wrong, "sha256:" + actual, "badsum source 0: fetch"} {
		if !strings.Contains(last, want) {
			t.Errorf("error lacks %q:\n%s", want, last)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 || entries[0].Name() != "keep.txt" {
		t.Errorf("output dir changed by a failed build: %v", entries)
	}
}

// TestArchiveTraversal: an upstream archive with a member that climbs out
// of $srcdir is refused, naming the archive and the member.
func TestArchiveTraversal(t *testing.T) {
	requireIntegration(t)
	files := t.TempDir()
	// A tarball whose second member is "../evil", as tar writes with -P.
	run(t, "sh", "-c", `cd "$1" && mkdir -p top && echo ok >top/good && echo bad >evil &&
		tar -cPf evil.tar top/good top/../evil`, "sh", files)
	if list := run(t, "tar", "-tPf", filepath.Join(files, "evil.tar")); !strings.Contains(list, "top/../evil") {
		t.Fatalf("test archive lacks the climbing member:\n%s", list)
	}
	addr := serveAnywhere(t, files)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "climber") +
		fmt.Sprintf("sources:\n  - url: http://%s/evil.tar\n    sha256: %s\npackage: cp -r . \"$pkgdir/\"\n", addr, sha(t, filepath.Join(files, "evil.tar")))})
	r := kiln(t, nil, "build", dir, "-o", t.TempDir(), "--progress", "plain")
	if r.err == nil {
		t.Fatal("an archive member climbing out of $srcdir was unpacked")
	}
	if !strings.Contains(r.stderr, "refusing to unpack evil.tar: members outside the source directory: top/../evil") {
		t.Errorf("error does not name the archive and member:\n%s", tail(r.stderr, 15))
	}
}
