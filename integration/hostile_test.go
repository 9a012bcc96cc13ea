package integration

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
)

// TestHostileSources: url sources served over HTTP that would unpack to
// far more than they weigh, a tar archive holding a 10 GiB sparse file
// (a few hundred bytes) and a zip bomb (5 GiB of zeros in 5 MB), are
// refused by the unpack step before it writes anything, naming the
// archive, its largest member and the limit (max_unpacked) to raise.
func TestHostileSources(t *testing.T) {
	requireIntegration(t)
	testtool.Need(t, "tar")
	www := t.TempDir()
	src := t.TempDir()
	if err := testtool.SparseFile(filepath.Join(src, "pkg", "disk.img"), 10<<30); err != nil {
		t.Fatal(err)
	}
	run(t, "tar", "--sparse", "-C", src, "-czf", filepath.Join(www, "sparse.tar.gz"), "pkg")
	if err := testtool.ZipBombFile(filepath.Join(www, "bomb.zip"), "pkg/zeros", 5<<30, 5<<30); err != nil {
		t.Fatal(err)
	}
	addr := serveAnywhere(t, www)

	for file, want := range map[string]string{
		"sparse.tar.gz": "refusing to unpack sparse.tar.gz: it would take 10240 MiB (2 members; the largest, pkg/disk.img, 10240 MiB), over the limit of 4096 MiB; if the archive is right, raise the source's max_unpacked",
		"bomb.zip":      "refusing to unpack bomb.zip: it would take 5120 MiB (1 members; the largest, pkg/zeros, 5120 MiB), over the limit of 4096 MiB",
	} {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{
				"hostile/kiln.yaml": testRecipe("hostile") + fmt.Sprintf(`sources:
  - url: http://%s/%s
    sha256: %s
package: "true"
`, addr, file, sha(t, filepath.Join(www, file))),
			})
			start := time.Now()
			r := kiln(t, nil, "build", filepath.Join(dir, "hostile"), "-o", t.TempDir(), "--progress", "plain")
			if r.err == nil {
				t.Fatal("a build unpacking a bomb succeeded")
			}
			if !strings.Contains(r.stderr, want) {
				t.Errorf("the error does not say what was refused (want %q):\n%s", want, tail(r.stderr, 15))
			}
			if d := time.Since(start); d > 3*time.Minute {
				t.Errorf("refusing took %v", d)
			}
		})
	}
}
