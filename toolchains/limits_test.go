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
	if err := testtool.SparseFile(filepath.Join(src, "pkg", "big.img"), 10<<30); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(tmp, "sparse.tar.gz")
	run(t, src, "tar", "--sparse", "-czf", sparse, "pkg")
	bomb, small, lying := filepath.Join(tmp, "bomb.zip"), filepath.Join(tmp, "small.zip"), filepath.Join(tmp, "lying.zip")
	for _, b := range []struct {
		path           string
		size, declared int64
	}{{bomb, 5 << 30, 5 << 30}, {small, 4 << 20, 4 << 20}, {lying, 16 << 20, 1 << 20}} {
		if err := testtool.ZipBombFile(b.path, "pkg/zeros", b.size, b.declared); err != nil {
			t.Fatal(err)
		}
	}

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
