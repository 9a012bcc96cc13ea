package integration

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/buildkitd"
)

// TestReproducibleAcrossCaches builds examples in every format (ipk with
// its feed index, spk, syspkg, an OCI image) on kiln's daemon and again on
// a new daemon with an empty cache: every artifact must have the same
// sha256.
func TestReproducibleAcrossCaches(t *testing.T) {
	requireIntegration(t)
	serveGreet(t)
	args := func(out string) []string {
		return []string{"build", "examples/hello", "examples/motd", "examples/greet", "--target", "armv7",
			"-o", out, "--progress", "plain", "--oci", filepath.Join(out, "greet.oci.tar")}
	}
	warm := t.TempDir()
	mustKiln(t, nil, args(warm)...)

	fresh := startDaemon(t, buildkitd.Options{})
	cold := t.TempDir()
	r := mustKiln(t, nil, append(args(cold), "--addr", fresh.Remote.Addr)...)
	if s := parseSummary(t, r.stderr); s.ran == 0 {
		t.Fatalf("the new daemon ran nothing: not a cold build\n%s", tail(r.stderr, 20))
	}

	files := artifacts(t, warm)
	kinds := map[string]bool{}
	for _, f := range files {
		kinds[filepath.Ext(f)] = true
		if a, b := sha(t, filepath.Join(warm, f)), sha(t, filepath.Join(cold, f)); a != b {
			t.Errorf("%s differs: %s (warm cache) vs %s (empty cache)", f, a, b)
			if strings.HasSuffix(f, ".tar") {
				t.Logf("%s", run(t, "bash", "-c", `diff <(tar -tvf "$1") <(tar -tvf "$2"); true`,
					"sh", filepath.Join(warm, f), filepath.Join(cold, f)))
			}
		}
	}
	for _, ext := range []string{".ipk", ".spk", ".zip", ".gz", ".tar", ".json"} {
		if !kinds[ext] {
			t.Errorf("no %s artifact was compared (%v)", ext, files)
		}
	}
	if got := artifacts(t, cold); strings.Join(got, " ") != strings.Join(files, " ") {
		t.Errorf("artifacts differ:\n%v\n%v", files, got)
	}
}

// artifacts lists the files under dir, relative and sorted.
func artifacts(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}
