package tarball

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
	kgzip "github.com/klauspost/compress/gzip"
)

// serialGzip is the plain single-threaded writer with the same header:
// what NewGzipWriter must equal for inputs of up to one block.
func serialGzip(t testing.TB, data []byte, chunk int) []byte {
	var b bytes.Buffer
	z, err := kgzip.NewWriterLevel(&b, GzipLevel)
	if err != nil {
		t.Fatal(err)
	}
	z.Header = kgzip.Header{ModTime: time.Unix(0, 0), OS: gzipOS}
	writeChunks(t, z, data, chunk)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func parallelGzip(t testing.TB, data []byte, chunk int) []byte {
	var b bytes.Buffer
	z := NewGzipWriter(&b)
	writeChunks(t, z, data, chunk)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeChunks(t testing.TB, w io.Writer, data []byte, chunk int) {
	for len(data) > 0 {
		n := min(chunk, len(data))
		if _, err := w.Write(data[:n]); err != nil {
			t.Fatal(err)
		}
		data = data[n:]
	}
}

// mixedData is text-like with incompressible stretches, so that matches
// cross part boundaries and some parts do not compress.
func mixedData(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for b.Len() < n {
		if rng.IntN(8) == 0 {
			for range 512 {
				b.WriteByte(byte(rng.Uint32()))
			}
			continue
		}
		fmt.Fprintf(&b, "line %d: the quick brown fox %d jumps over the lazy dog\n", rng.IntN(500), rng.IntN(50))
	}
	return b.Bytes()[:n]
}

func TestGzipOneBlockIsPlainGzip(t *testing.T) {
	data := mixedData(GzipBlock)
	for _, n := range []int{0, 1, 1000, GzipBlock - 1, GzipBlock} {
		for _, chunk := range []int{1 << 20, 4096, 7} {
			if chunk == 7 && n > 100000 {
				continue
			}
			want := serialGzip(t, data[:n], 512)
			if got := parallelGzip(t, data[:n], chunk); !bytes.Equal(got, want) {
				t.Errorf("%d bytes in writes of %d: differs from a plain gzip writer", n, chunk)
			}
		}
	}
}

// TestGzipParts: larger inputs decompress to the input (with Go's reader
// and the real gzip), and the bytes depend on nothing but the input: not on
// how it is written, not on GOMAXPROCS.
func TestGzipParts(t *testing.T) {
	data := mixedData(3*GzipBlock + GzipBlock/2 + 17)
	ref := parallelGzip(t, data, 1<<16)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 5} {
		runtime.GOMAXPROCS(procs)
		for _, chunk := range []int{4093, GzipBlock + 3, len(data)} {
			if got := parallelGzip(t, data, chunk); !bytes.Equal(got, ref) {
				t.Errorf("GOMAXPROCS %d, writes of %d: output differs", procs, chunk)
			}
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(ref))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Go's gzip reader: %d bytes, %v", len(got), err)
	}
	t.Run("gzip -dc", func(t *testing.T) {
		testtool.Need(t, "gzip")
		cmd := exec.Command("gzip", "-dc")
		cmd.Stdin = bytes.NewReader(ref)
		out, err := cmd.Output()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("gzip -dc: %d bytes, %v", len(out), err)
		}
	})
	// The parts share history: the output is within 1% of one stream's.
	if serial := serialGzip(t, data, 1<<16); float64(len(ref)) > 1.01*float64(len(serial)) {
		t.Errorf("parallel output %d bytes, serial %d", len(ref), len(serial))
	}
	// Exactly n blocks: the last part is a whole block, not an empty one.
	exact := data[:2*GzipBlock]
	zr, _ = gzip.NewReader(bytes.NewReader(parallelGzip(t, exact, 1<<16)))
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, exact) {
		t.Errorf("two whole blocks: %d bytes, %v", len(got), err)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, fmt.Errorf("disk full")
	}
	return len(p), nil
}

func TestGzipWriteError(t *testing.T) {
	z := NewGzipWriter(&failWriter{n: 100})
	data := mixedData(4 * GzipBlock)
	_, werr := z.Write(data)
	cerr := z.Close()
	if werr == nil && cerr == nil {
		t.Fatal("a failing destination gave no error")
	}
	if _, err := z.Write([]byte("x")); err == nil {
		t.Error("Write after a failure succeeded")
	}
}
