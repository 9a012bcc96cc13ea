package testtool

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// ZipBomb writes a zip archive to w holding one member, name, of size
// bytes of zeros (a multiple of 1 MiB) deflated about 1000 to 1: a
// 5 GiB member takes 5 MB. The deflate stream is one compressed MiB
// repeated, so writing it takes no longer than copying it.
func ZipBomb(w io.Writer, name string, size int64) error {
	return LyingZipBomb(w, name, size, size)
}

// LyingZipBomb is ZipBomb with a header that says the member is declared
// bytes long (its CRC is that of declared zeros too).
func LyingZipBomb(w io.Writer, name string, size, declared int64) error {
	const chunk = 1 << 20
	zeros := make([]byte, chunk)
	var block bytes.Buffer
	fw, err := flate.NewWriter(&block, flate.BestCompression)
	if err != nil {
		return err
	}
	// A fresh writer's output for one chunk refers only to its own bytes
	// (a literal zero, then copies at distance 1): flushed, it is a run
	// of non-final blocks that can follow itself any number of times.
	if _, err := fw.Write(zeros); err != nil {
		return err
	}
	if err := fw.Flush(); err != nil {
		return err
	}
	var crc uint32
	for n := int64(0); n < declared; n += chunk {
		crc = crc32.Update(crc, crc32.IEEETable, zeros[:min(chunk, declared-n)])
	}
	final := []byte{0x03, 0x00} // an empty final block (fixed Huffman)
	zw := zip.NewWriter(w)
	mw, err := zw.CreateRaw(&zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc,
		CompressedSize64:   uint64(size/chunk)*uint64(block.Len()) + uint64(len(final)),
		UncompressedSize64: uint64(declared),
	})
	if err != nil {
		return err
	}
	for n := int64(0); n < size; n += chunk {
		if _, err := mw.Write(block.Bytes()); err != nil {
			return err
		}
	}
	if _, err := mw.Write(final); err != nil {
		return err
	}
	return zw.Close()
}

// ZipBombFile writes LyingZipBomb(name, size, declared) to a new file at
// path.
func ZipBombFile(path, name string, size, declared int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := LyingZipBomb(f, name, size, declared); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SparseFile makes path a file of size bytes that takes no disk space
// (a hole: it reads as zeros).
func SparseFile(path string, size int64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
