package syspkg

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack"
)

// TestRecipeOptions: formats.syspkg options in the package metadata pick
// the compression and the category layout; unknown keys are refused.
func TestRecipeOptions(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "opt/motd/cli"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "opt/motd/cli/motd"), bytes.Repeat([]byte("hello\n"), 100), 0o755); err != nil {
		t.Fatal(err)
	}
	p := &pack.Package{Name: "motd", Version: "1.0-1", Arch: "all", Epoch: 1700000000,
		Options: []byte(`{"compression": "deflate", "override": {"bin": "opt/motd/cli"}, "category": "tools"}`)}
	if err := (Format{}).Check(p); err != nil {
		t.Fatalf("Check: %v", err)
	}
	var buf bytes.Buffer
	if err := (Format{}).Pack(p, root, &buf); err != nil {
		t.Fatalf("Pack: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range zr.File {
		if f.Name == "bin/motd" {
			found = true
			if f.Method != zip.Deflate {
				t.Errorf("bin/motd method %d, want deflate", f.Method)
			}
		}
	}
	if !found {
		t.Errorf("override did not put opt/motd/cli/motd at bin/motd")
	}

	for opts, want := range map[string]string{
		`{"compresion": "store"}`:       `unknown option "compresion" (did you mean "compression"?)`,
		`{"compression": "lz4"}`:        `unknown syspkg compression "lz4"`,
		`{"override": {"binx": "opt"}}`: `"binx" is not a category`,
	} {
		p.Options = []byte(opts)
		if err := (Format{}).Check(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%s) = %v, want %q", opts, err, want)
		}
	}
}
