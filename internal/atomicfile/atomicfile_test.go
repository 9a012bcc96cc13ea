package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// onlyFiles fails when dir holds anything but names: no temporary file may
// be left behind.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("directory holds %q, want %q", got, names)
	}
	for i := range names {
		if got[i] != names[i] {
			t.Fatalf("directory holds %q, want %q", got, names)
		}
	}
}

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "list.txt")
	for _, content := range []string{"one\n", "two\n"} {
		if err := Write(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := read(t, p); got != content {
			t.Errorf("content = %q, want %q", got, content)
		}
	}
	onlyFiles(t, dir, "list.txt")
}

func TestCreateNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "key.pem")
	if err := Create(p, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Create(p, []byte("other"), 0o600)
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrExist) || pe.Path != p {
		t.Fatalf("Create over an existing file: %v, want an *fs.PathError for %s wrapping fs.ErrExist", err, p)
	}
	if got := read(t, p); got != "secret" {
		t.Errorf("existing file changed to %q", got)
	}
	onlyFiles(t, dir, "key.pem")

	// A dangling symlink counts as existing too: nothing is written
	// through it.
	link := filepath.Join(dir, "link.pem")
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), link); err != nil {
		t.Fatal(err)
	}
	if err := Create(link, []byte("x"), 0o600); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over a dangling symlink: %v", err)
	}
	if err := CheckAbsent(filepath.Join(dir, "new"), link); !errors.Is(err, fs.ErrExist) {
		t.Errorf("CheckAbsent with a dangling symlink: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "elsewhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("written through a symlink: %v", err)
	}
}

func TestPermIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for name, perm := range map[string]fs.FileMode{"key": 0o600, "cert": 0o644} {
		p := filepath.Join(dir, name)
		if err := Create(p, []byte(name), perm); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != perm {
			t.Errorf("%s: mode %v, want %v", name, st.Mode().Perm(), perm)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "dir", "f")
	if err := Write(missing, nil, 0o644); err == nil || errors.Is(err, fs.ErrExist) {
		t.Errorf("Write into a missing directory: %v", err)
	}
	if err := CheckAbsent(filepath.Join(dir, "a"), filepath.Join(dir, "b")); err != nil {
		t.Errorf("CheckAbsent of absent files: %v", err)
	}
}

func TestReplaceHint(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.key")
	if err := Create(p, []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := ReplaceHint(Create(p, []byte("b"), 0o600), "--force")
	if err == nil || err.Error() != p+" exists; remove it or pass --force to replace it" {
		t.Errorf("existing file: %v", err)
	}
	other := errors.New("disk full")
	if ReplaceHint(other, "--force") != other {
		t.Errorf("other errors must pass unchanged")
	}
}
