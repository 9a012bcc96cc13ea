package build

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTarballArtifact: the OCI tarball is a provenance subject by its
// sha256, named by its path in the output directory, else by its name.
func TestTarballArtifact(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "img", "greet.oci.tar"), "img/greet.oci.tar"},
		{filepath.Join(elsewhere, "greet.oci.tar"), "greet.oci.tar"},
	} {
		if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(c.path, []byte("abc"), 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := tarballArtifact(c.path, dir)
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != c.want || a.SHA256 != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
			t.Errorf("%s: %+v, want name %s", c.path, a, c.want)
		}
	}
}
