package testtool

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// TestZipBomb reads the bomb back with archive/zip: the member inflates
// to exactly its size in zeros and its checksum holds.
func TestZipBomb(t *testing.T) {
	var b bytes.Buffer
	if err := ZipBomb(&b, "zeros", 64<<20); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 128<<10 {
		t.Errorf("a 64 MiB bomb takes %d bytes", b.Len())
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := r.Read(buf)
		for _, c := range buf[:k] {
			if c != 0 {
				t.Fatalf("byte %d is %d", n, c)
			}
		}
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", n, err)
		}
	}
	if n != 64<<20 {
		t.Errorf("inflates to %d bytes", n)
	}
}
