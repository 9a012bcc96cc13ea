package toolchains

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// runUnpack runs unpackScript with /bin/sh on archive, with a temporary
// directory in place of /kiln/out. It returns that directory, the
// script's stderr and its error.
func runUnpack(t *testing.T, archive string, strip string) (string, string, error) {
	t.Helper()
	return runUnpackLimit(t, archive, strip, DefaultUnpackLimit)
}

// runUnpackLimit is runUnpack with the unpacked bytes bounded by limit.
func runUnpackLimit(t *testing.T, archive string, strip string, limit int64) (string, string, error) {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command("/bin/sh", "-c", strings.ReplaceAll(unpackScript, "/kiln/out", out))
	cmd.Env = append(os.Environ(), "ARCHIVE="+archive, "STRIP="+strip, "LIMIT="+strconv.FormatInt(limit, 10))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	return out, stderr.String(), err
}

// makeTree writes files (path → content) under a new directory.
func makeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, s := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
}

func TestUnpackScriptTar(t *testing.T) {
	testtool.Need(t, "tar", "awk")
	flat := makeTree(t, map[string]string{"a.c": "a\n", "b.c": "b\n"})
	top := makeTree(t, map[string]string{"pkg-1.0/a.c": "a\n", "pkg-1.0/src/b.c": "b\n"})
	mixed := makeTree(t, map[string]string{"pkg-1.0/a.c": "a\n", "NOTES": "n\n"})
	tmp := t.TempDir()
	archive := func(name, dir string, members ...string) string {
		path := filepath.Join(tmp, name)
		run(t, dir, append([]string{"tar", "-cf", path}, members...)...)
		return path
	}
	flatTar := archive("flat.tar", flat, "a.c", "b.c")
	dotTar := archive("dot.tar", flat, ".")
	topTar := archive("top.tar", top, "pkg-1.0")
	mixedTar := archive("mixed.tar", mixed, "pkg-1.0", "NOTES")
	emptyTar := archive("empty.tar", t.TempDir(), "--files-from=/dev/null")
	dotTopTar := archive("dottop.tar", top, "./pkg-1.0")
	singleTar := archive("single.tar", flat, "a.c")
	dirsTar := archive("dirs.tar", makeTree(t, map[string]string{}), ".")

	for name, tc := range map[string]struct {
		archive string
		strip   string
		want    string // a file the tree must hold; "" for a failure
		err     string
	}{
		"flat strip 0":  {flatTar, "0", "a.c", ""},
		"top strip 1":   {topTar, "1", "src/b.c", ""},
		"dot strip 1":   {dotTar, "1", "a.c", ""}, // tar counts "." as a component
		"top strip 0":   {topTar, "0", "pkg-1.0/a.c", ""},
		"flat strip 1":  {flatTar, "1", "", "flat.tar: strip 1 removes the whole path of members: a.c b.c"},
		"mixed strip 1": {mixedTar, "1", "", "mixed.tar: strip 1 removes the whole path of members: NOTES"},
		"top strip 2":   {topTar, "2", "", "top.tar: strip 2 removes the whole path of members: pkg-1.0/a.c"},
		"empty":         {emptyTar, "0", "", "unpacking empty.tar with strip 0 left nothing"},
		"only dirs":     {dirsTar, "1", "", "unpacking dirs.tar with strip 1 left nothing"},
		// auto: the single top directory goes, if there is one.
		"flat auto":    {flatTar, "auto", "a.c", ""},
		"top auto":     {topTar, "auto", "src/b.c", ""},
		"dot top auto": {dotTopTar, "auto", "src/b.c", ""},
		"dot auto":     {dotTar, "auto", "a.c", ""},
		"mixed auto":   {mixedTar, "auto", "NOTES", ""},
		"single auto":  {singleTar, "auto", "a.c", ""},
		"empty auto":   {emptyTar, "auto", "", "unpacking empty.tar with strip 0 left nothing"},
	} {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := runUnpack(t, tc.archive, tc.strip)
			if tc.err != "" {
				if err == nil || !strings.Contains(stderr, tc.err) {
					t.Fatalf("unpack = %v, stderr %q; want a failure saying %q", err, stderr, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unpack: %v\n%s", err, stderr)
			}
			if _, err := os.Stat(filepath.Join(out, tc.want)); err != nil {
				t.Errorf("unpacked tree lacks %s: %v", tc.want, err)
			}
		})
	}
}

func TestUnpackScriptZip(t *testing.T) {
	testtool.Need(t, "zip", "unzip", "awk")
	tmp := t.TempDir()
	flat := filepath.Join(tmp, "flat.zip")
	run(t, makeTree(t, map[string]string{"a.c": "a\n"}), "zip", "-q", "-r", flat, ".")
	top := filepath.Join(tmp, "top.zip")
	run(t, makeTree(t, map[string]string{"pkg/a.c": "a\n"}), "zip", "-q", "-r", top, "pkg")
	if out, stderr, err := runUnpack(t, top, "1"); err != nil {
		t.Fatalf("top.zip strip 1: %v\n%s", err, stderr)
	} else if _, err := os.Stat(filepath.Join(out, "a.c")); err != nil {
		t.Errorf("top.zip strip 1: %v", err)
	}
	if out, stderr, err := runUnpack(t, top, "auto"); err != nil {
		t.Fatalf("top.zip strip auto: %v\n%s", err, stderr)
	} else if _, err := os.Stat(filepath.Join(out, "a.c")); err != nil {
		t.Errorf("top.zip strip auto: %v", err)
	}
	if _, stderr, err := runUnpack(t, flat, "1"); err == nil || !strings.Contains(stderr, "flat.zip: strip 1 removes the whole path of members: a.c") {
		t.Fatalf("flat.zip strip 1 = %v, stderr %q", err, stderr)
	}
}
