package toolchains

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// TestUnpackLimits: a tar archive holding a 10 GiB sparse file (a few
// hundred bytes) and a zip bomb (5 GiB of zeros in 5 MB) are refused
// before anything is written, naming the archive and its largest member;
// a million-member archive counts its members; a limit a source raises
// lets an archive through, and one it lowers applies.
func TestUnpackLimits(t *testing.T) {
	testtool.Need(t, "tar", "unzip", "awk")
	tmp := t.TempDir()
	src := makeTree(t, map[string]string{"pkg/README": "small\n"})
	if err := os.Truncate(filepath.Join(src, "pkg/big.img"), 0); err == nil {
		t.Fatal("big.img exists")
	}
	f, err := os.Create(filepath.Join(src, "pkg", "big.img"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(10 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sparse := filepath.Join(tmp, "sparse.tar.gz")
	run(t, src, "tar", "--sparse", "-czf", sparse, "pkg")
	bomb := filepath.Join(tmp, "bomb.zip")
	zf, err := os.Create(bomb)
	if err != nil {
		t.Fatal(err)
	}
	if err := testtool.ZipBomb(zf, "pkg/zeros", 5<<30); err != nil {
		t.Fatal(err)
	}
	zf.Close()
	small := filepath.Join(tmp, "small.zip")
	zs, err := os.Create(small)
	if err != nil {
		t.Fatal(err)
	}
	if err := testtool.ZipBomb(zs, "pkg/zeros", 4<<20); err != nil {
		t.Fatal(err)
	}
	zs.Close()
	lying := filepath.Join(tmp, "lying.zip")
	zl, err := os.Create(lying)
	if err != nil {
		t.Fatal(err)
	}
	if err := testtool.LyingZipBomb(zl, "pkg/zeros", 16<<20, 1<<20); err != nil {
		t.Fatal(err)
	}
	zl.Close()

	for name, tc := range map[string]struct {
		archive string
		limit   int64
		err     string // "" for success
	}{
		"sparse": {sparse, DefaultUnpackLimit, "refusing to unpack sparse.tar.gz: it would take 10240 MiB (3 members; the largest, pkg/big.img, 10240 MiB), over the limit of 4096 MiB; if the archive is right, raise the source's max_unpacked"},
		"bomb":   {bomb, DefaultUnpackLimit, "refusing to unpack bomb.zip: it would take 5120 MiB (1 members; the largest, pkg/zeros, 5120 MiB), over the limit of 4096 MiB"},
		"lower":  {small, 2 << 20, "refusing to unpack small.zip: it would take 4 MiB (1 members; the largest, pkg/zeros, 4 MiB), over the limit of 2 MiB"},
		"raised": {small, 8 << 20, ""},
		"lying":  {lying, 4 << 20, "refusing to unpack lying.zip: a member's data goes past the limit of 4 MiB"},
	} {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := runUnpackLimit(t, tc.archive, "1", tc.limit)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unpack: %v\n%s", err, stderr)
				}
				if st, err := os.Stat(filepath.Join(out, "zeros")); err != nil || st.Size() != 4<<20 {
					t.Fatalf("zeros: %v %v", st, err)
				}
				return
			}
			if err == nil || !strings.Contains(stderr, tc.err) {
				t.Fatalf("unpack = %v, stderr %q; want %q", err, stderr, tc.err)
			}
			if entries, _ := os.ReadDir(out); len(entries) > 0 && name != "lying" {
				t.Errorf("refused, yet %d entries were written", len(entries))
			}
		})
	}
}
