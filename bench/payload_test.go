package bench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// The pack benchmark's input: a ~300 MiB installed tree, the same bytes on
// every machine (seeded ChaCha8), made once and kept under the temp dir.
// About a third is incompressible (like compressed assets and stripped
// code), the rest text-like (docs, scripts, data) that compresses about 3x;
// thousands of small files, a body of medium ones and a few over 16 MiB.

const (
	payloadVersion = "v1" // bump when the generator changes
	payloadSeed    = 2024
)

// payloadTree returns the directory holding the benchmark tree and its
// total size in bytes, generating it on first use.
func payloadTree() (string, int64, error) {
	dir := filepath.Join(os.TempDir(), "kiln-bench-payload-"+payloadVersion)
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		size, err := treeSize(filepath.Join(dir, "root"))
		return filepath.Join(dir, "root"), size, err
	}
	tmp := dir + ".partial"
	if err := os.RemoveAll(tmp); err != nil {
		return "", 0, err
	}
	if err := generate(filepath.Join(tmp, "root")); err != nil {
		return "", 0, fmt.Errorf("generating benchmark payload: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return "", 0, err
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return "", 0, err
	}
	size, err := treeSize(filepath.Join(dir, "root"))
	return filepath.Join(dir, "root"), size, err
}

func treeSize(root string) (int64, error) {
	var n int64
	err := filepath.Walk(root, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

type fileSpec struct {
	dir    string
	count  int
	min    int // bytes
	max    int
	random bool // incompressible, else text
}

// layout lists the tree's files: paths every format maps (syspkg needs
// known top-level directories).
var layout = []fileSpec{
	{"usr/bin", 40, 64 << 10, 2 << 20, true},
	{"usr/lib", 24, 256 << 10, 4 << 20, true},
	{"usr/share/assets", 1, 20 << 20, 20 << 20, true},
	{"usr/include/bench", 800, 1 << 10, 48 << 10, false},
	{"usr/share/doc/bench", 1500, 512, 64 << 10, false},
	{"usr/share/bench/data", 150, 64 << 10, 1 << 20, false},
	{"usr/share/bench/big", 2, 24 << 20, 24 << 20, false},
	{"etc/bench", 50, 256, 8 << 10, false},
}

func generate(root string) error {
	rng := rand.New(rand.NewChaCha8([32]byte{payloadSeed % 256, payloadSeed / 256}))
	words := vocabulary(rng, 3000)
	for _, spec := range layout {
		for i := 0; i < spec.count; i++ {
			size := spec.min
			if spec.max > spec.min {
				size += rng.IntN(spec.max - spec.min)
			}
			sub := ""
			if spec.count > 100 {
				sub = fmt.Sprintf("d%02d", i%16) // directories of a realistic width
			}
			name := filepath.Join(root, spec.dir, sub, fmt.Sprintf("f%04d", i))
			if err := writeGenerated(name, size, spec.random, rng, words); err != nil {
				return err
			}
		}
	}
	return nil
}

func vocabulary(rng *rand.Rand, n int) []string {
	const letters = "etaoinshrdlucmfwypvbgkqjxz"
	words := make([]string, n)
	for i := range words {
		var b strings.Builder
		for l := 2 + rng.IntN(9); l > 0; l-- {
			// Skewed towards common letters, like text.
			b.WriteByte(letters[min(rng.IntN(len(letters)), rng.IntN(len(letters)))])
		}
		words[i] = b.String()
	}
	return words
}

func writeGenerated(name string, size int, random bool, rng *rand.Rand, words []string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if random {
		buf := make([]byte, 64<<10)
		for left := size; left > 0; left -= len(buf) {
			chunk := buf[:min(len(buf), left)]
			for i := 0; i+8 <= len(chunk); i += 8 {
				v := rng.Uint64()
				for k := 0; k < 8; k++ {
					chunk[i+k] = byte(v >> (8 * k))
				}
			}
			w.Write(chunk)
		}
	} else {
		n := 0
		for n < size {
			// Zipf-like: low word indices are far more frequent.
			idx := int(float64(len(words)) * rng.Float64() * rng.Float64() * rng.Float64())
			word := words[idx]
			sep := " "
			if rng.IntN(12) == 0 {
				sep = "\n"
			}
			if n+len(word)+1 > size {
				word, sep = strings.Repeat("x", size-n), ""
			}
			w.WriteString(word)
			w.WriteString(sep)
			n += len(word) + len(sep)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func gomaxprocs() int { return runtime.GOMAXPROCS(0) }
