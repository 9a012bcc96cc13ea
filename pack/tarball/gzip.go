package tarball

import (
	"io"
	"time"

	"github.com/klauspost/compress/gzip"
)

// GzipLevel is the fixed compression level: the compressed bytes depend on
// it, so it is part of the package format, not a tuning knob. 9 is what
// opkg-build (gzip -9n) and Toltec use.
const GzipLevel = gzip.BestCompression

// gzipOS is the header's OS byte: 255 ("unknown") says nothing about the
// host that built the package.
const gzipOS = 255

// NewGzipWriter returns a gzip writer with a fixed header: no file name, no
// comment, MTIME 0, OS byte 255, level GzipLevel. Close it to flush.
func NewGzipWriter(w io.Writer) io.WriteCloser {
	z, err := gzip.NewWriterLevel(w, GzipLevel)
	if err != nil {
		panic(err) // GzipLevel is a valid constant level
	}
	// MTIME must be set to the Unix epoch explicitly: this writer stores
	// uint32(ModTime.Unix()) as is, so the zero time.Time would not be 0.
	z.Header = gzip.Header{ModTime: time.Unix(0, 0), OS: gzipOS}
	return z
}

// WriteGzip writes the tree at root as a gzip-compressed tar archive.
func WriteGzip(w io.Writer, root string, opts Options) error {
	entries, err := Scan(root)
	if err != nil {
		return err
	}
	return WriteEntriesGzip(w, entries, opts)
}

// WriteEntriesGzip writes entries as a gzip-compressed tar archive.
func WriteEntriesGzip(w io.Writer, entries []Entry, opts Options) error {
	z := NewGzipWriter(w)
	if err := WriteEntries(z, entries, opts); err != nil {
		return err
	}
	return z.Close()
}
