package sbom

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/golden"
)

// TestReadLock: each generator's lock file gives the dependencies it
// pins, with purl and checksum (golden files under testdata/).
func TestReadLock(t *testing.T) {
	for _, c := range []struct{ dir, kind, file string }{
		{"gomod", "gomod", "go.sum"},
		{"gomod-nosum", "gomod", "go.sum"}, // go.mod's requirements then
		{"cargo", "cargo", "Cargo.lock"},
		{"npm", "npm", "package-lock.json"},
		{"npm-v1", "npm", "package-lock.json"},
		{"pip", "pip", "requirements.txt"},
	} {
		t.Run(c.dir, func(t *testing.T) {
			if f := LockFile(c.kind); f != "" && f != c.file {
				t.Errorf("LockFile(%s) = %s", c.kind, f)
			}
			got, err := ReadLock(c.kind, filepath.Join("testdata", "locks", c.dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, "lock-"+c.dir, string(data)+"\n")
		})
	}
}

// TestReadLockErrors: a broken lock file is an error naming the file and
// where in it.
func TestReadLockErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ kind, name, body, want string }{
		{"gomod", "go.sum", "a v1 h1:x=\nbroken\n", "go.sum: line 2"},
		{"pip", "req.txt", "# c\nsix==1.16.0\n", "req.txt: line 2: six has no --hash"},
		{"pip", "req.txt", "six>=1 --hash=sha256:" + strings.Repeat("0", 64) + "\n", "req.txt: line 1: want NAME==VERSION"},
		{"npm", "package-lock.json", `{"packages":{"node_modules/a":{"version":"1","integrity":"md5-AAAA"}}}`, "package a: integrity"},
		{"cargo", "Cargo.lock", "[[package]]\nname = \n", "Cargo.lock"},
		{"gomod", "missing/go.sum", "", "reading the lock file"},
	} {
		p := filepath.Join(dir, c.name)
		if c.body != "" {
			if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := ReadLock(c.kind, p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: err = %v, want %q", c.kind, c.body, err, c.want)
		}
	}
}
