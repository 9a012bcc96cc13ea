package syspkg

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sync/semaphore"
)

// Method is a ZIP compression method syspkg reads.
type Method uint16

const (
	Store   Method = 0  // stored as is
	Deflate Method = 8  // for compatibility
	Zstd    Method = 93 // preferred: WinZip's (and APPNOTE 6.3.7's) zstd method
)

func (m Method) String() string {
	switch m {
	case Store:
		return "store"
	case Deflate:
		return "deflate"
	case Zstd:
		return "zstd"
	}
	return fmt.Sprintf("method %d", uint16(m))
}

// ParseCompression reads a compression name: "zstd" (also the default for
// ""), "deflate" or "store".
func ParseCompression(s string) (Method, error) {
	switch s {
	case "", "zstd":
		return Zstd, nil
	case "deflate":
		return Deflate, nil
	case "store":
		return Store, nil
	}
	return 0, fmt.Errorf("unknown syspkg compression %q (want zstd, deflate or store)", s)
}

// item is one payload entry. Directory names end in "/".
type item struct {
	name  string
	mode  fs.FileMode
	mtime int64  // already clamped
	size  int64  // of a regular file on disk
	path  string // file holding a regular file's content, if any
	data  []byte // in-memory content: a symlink target or a generated file
}

// streamAbove is the size above which a file is compressed while it is
// written, by the writing goroutine, instead of in parallel into memory: it
// bounds memory at about window*streamAbove. A constant, so that which
// entries get a data descriptor never depends on the machine.
const streamAbove = 16 << 20

func (it *item) buffered() bool {
	return it.mode.IsRegular() && (it.path == "" || it.size <= streamAbove)
}

// aheadBytes bounds the input read and compressed ahead of the writer, and
// with it the memory a payload takes.
const aheadBytes = 4 * streamAbove

// streamWindow is the zstd window of streamed (large) entries: 2 MiB
// keeps the decoder's memory small on small devices and makes jobs of
// 8 MiB, so a file just over streamAbove is compressed by two goroutines.
const streamWindow = 2 << 20

// weight is what a buffered item counts against aheadBytes: its size, at
// least a page so that many tiny files do not pile up without bound.
func (it *item) weight() int64 {
	n := it.size
	if it.path == "" {
		n = int64(len(it.data))
	}
	return min(max(n, 4096), aheadBytes)
}

// encoder compresses buffered zstd entries. EncodeAll may be called
// concurrently, and its output depends only on the input and the level.
var encoder = sync.OnceValues(func() (*zstd.Encoder, error) {
	return zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault))
})

var flatePool = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

// compressed is a buffered entry ready to be written raw.
type compressed struct {
	data   []byte
	method Method
	crc    uint32
	size   int64
	err    error
	bufs   []*[]byte // pooled buffers behind data, recycled once written
}

func (c *compressed) release() {
	for _, b := range c.bufs {
		bufPool.Put(b)
	}
	c.bufs = nil
}

// bufPool recycles file and output buffers: a payload otherwise allocates
// its size twice over, and the garbage collector's work shows in the
// packing time.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// compress reads and compresses a buffered entry. Empty files, and files
// the method does not shrink, are stored, as Info-ZIP's zip does.
func compress(it *item, m Method) compressed {
	c := compressed{data: it.data}
	if it.path != "" {
		in := bufPool.Get().(*[]byte)
		c.bufs = append(c.bufs, in)
		var err error
		if *in, err = readFile(it.path, (*in)[:0]); err != nil {
			c.release()
			return compressed{err: err}
		}
		c.data = *in
	}
	data := c.data
	c.method, c.crc, c.size = Store, crc32.ChecksumIEEE(data), int64(len(data))
	if len(data) == 0 || m == Store {
		return c
	}
	out := bufPool.Get().(*[]byte)
	c.bufs = append(c.bufs, out)
	switch m {
	case Zstd:
		enc, err := encoder()
		if err != nil {
			c.release()
			return compressed{err: err}
		}
		// Room for incompressible input (zstd's bound) so that the
		// output never grows while it is encoded.
		*out = enc.EncodeAll(data, sized(*out, len(data)+len(data)>>7+512))
	case Deflate:
		b := bytes.NewBuffer((*out)[:0])
		fw := flatePool.Get().(*flate.Writer)
		fw.Reset(b)
		fw.Write(data) // a bytes.Buffer does not fail
		fw.Close()
		flatePool.Put(fw)
		*out = b.Bytes()
	}
	if len(*out) < len(data) {
		c.data, c.method = *out, m
	}
	return c
}

// sized is an empty slice with room for n bytes, b's storage when it is
// big enough. (slices.Grow would copy b's whole old capacity.)
func sized(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:0]
	}
	return make([]byte, 0, n)
}

// readFile is os.ReadFile into buf's storage (emptied first).
func readFile(name string, buf []byte) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil {
		buf = sized(buf, int(st.Size())+1)
	}
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 4096)
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// writeZip writes items, in order, as a ZIP archive. Regular files up to
// streamAbove are read and compressed by GOMAXPROCS workers, at most
// aheadBytes of them ahead of the writer, and written raw with their sizes
// and CRC in the local header; larger files are compressed while written
// (with a data descriptor; zstd in parallel jobs). archive/zip switches to ZIP64 records by itself past
// 65535 entries or 4 GiB, which raw writes allow: no entry written raw
// reaches 4 GiB.
func writeZip(w io.Writer, items []item, m Method) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(uint16(Zstd), func(w io.Writer) (io.WriteCloser, error) {
		// A large file is one zstd frame cut into jobs of 4x the
		// window, compressed in parallel, each primed with the end of
		// the one before. The cuts depend on the window only; the
		// concurrency is pinned anyway so no machine property shows.
		return zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithWindowSize(streamWindow),
			zstd.WithEncoderConcurrency(4), zstd.WithConcurrentBlocks(true))
	})
	zw.RegisterCompressor(uint16(Deflate), func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.DefaultCompression)
	})

	batches := makeBatches(items)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Workers run ahead of the writer by up to aheadBytes of input, so
	// they keep compressing small files while it streams a large one.
	ahead := semaphore.NewWeighted(aheadBytes)
	jobs := make(chan *batch)
	go func() {
		defer close(jobs)
		for _, b := range batches {
			if b.done == nil {
				continue
			}
			if ahead.Acquire(ctx, b.weight) != nil {
				return
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for b := range jobs {
				for k := range b.res {
					if it := &items[b.start+k]; it.buffered() {
						b.res[k] = compress(it, m)
					}
				}
				close(b.done)
			}
		}()
	}

	for _, b := range batches {
		if b.done != nil {
			<-b.done
		}
		for k := range b.end - b.start {
			it := &items[b.start+k]
			var err error
			switch {
			case b.done != nil && it.buffered():
				c := &b.res[k]
				if c.err != nil {
					return fmt.Errorf("%s: %w", it.name, c.err)
				}
				err = writeRaw(zw, it, *c)
				c.release()
			case it.mode.IsRegular():
				err = writeStream(zw, it, m)
			default: // a directory or a symlink
				err = writeRaw(zw, it, compressed{data: it.data, crc: crc32.ChecksumIEEE(it.data), size: int64(len(it.data))})
			}
			if err != nil {
				return fmt.Errorf("%s: %w", it.name, err)
			}
		}
		if b.done != nil {
			ahead.Release(b.weight)
		}
	}
	return zw.Close()
}

// batch is a run of consecutive items: either files compressed by one
// worker and written together, so that a worker hand-off costs little
// next to the work (most payload files are small), or one streamed file
// (done is nil) that the writer compresses itself.
type batch struct {
	start, end int
	weight     int64         // against aheadBytes
	done       chan struct{} // closed when res is filled
	res        []compressed  // of items[start:end]; buffered ones only
}

// batchBytes and batchItems bound a batch: big enough to amortise the
// hand-off, small enough to spread a payload over the workers.
const (
	batchBytes = 1 << 20
	batchItems = 256
)

// makeBatches cuts items into batches, a streamed file always alone.
func makeBatches(items []item) []*batch {
	var out []*batch
	var cur *batch
	flush := func() {
		if cur != nil {
			cur.res = make([]compressed, cur.end-cur.start)
			cur.done = make(chan struct{})
			out = append(out, cur)
			cur = nil
		}
	}
	for i := range items {
		it := &items[i]
		if it.mode.IsRegular() && !it.buffered() {
			flush()
			out = append(out, &batch{start: i, end: i + 1})
			continue
		}
		if cur == nil {
			cur = &batch{start: i, end: i}
		}
		cur.end++
		if it.buffered() {
			cur.weight = min(cur.weight+it.weight(), aheadBytes)
		}
		if cur.weight >= batchBytes || cur.end-cur.start >= batchItems {
			flush()
		}
	}
	flush()
	return out
}

func writeRaw(zw *zip.Writer, it *item, c compressed) error {
	fh := header(it, c.method)
	fh.CRC32 = c.crc
	fh.CompressedSize64 = uint64(len(c.data))
	fh.UncompressedSize64 = uint64(c.size)
	ew, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	_, err = ew.Write(c.data)
	return err
}

func writeStream(zw *zip.Writer, it *item, m Method) error {
	f, err := os.Open(it.path)
	if err != nil {
		return err
	}
	defer f.Close()
	ew, err := zw.CreateHeader(header(it, m))
	if err != nil {
		return err
	}
	_, err = io.Copy(ew, f)
	return err
}

// header is the entry header: Unix mode in the external attributes, the
// clamped mtime as MS-DOS time (in UTC) and in an Info-ZIP extended
// timestamp, no other extra field (no uid/gid: files belong to whoever
// installs them), the UTF-8 flag for non-ASCII names.
func header(it *item, m Method) *zip.FileHeader {
	fh := &zip.FileHeader{Name: it.name, Method: uint16(m)}
	fh.SetMode(it.mode)
	fh.CreatorVersion |= 20
	fh.ReaderVersion = 20
	for _, r := range it.name {
		if r >= utf8.RuneSelf {
			fh.Flags |= 0x800
			break
		}
	}
	// Not fh.Modified: archive/zip would encode years outside 1980-2107
	// wrongly instead of clamping them.
	//lint:ignore SA1019 the MS-DOS fields are set directly on purpose
	fh.ModifiedDate, fh.ModifiedTime = dosTime(it.mtime)
	fh.Extra = binary.LittleEndian.AppendUint16(nil, 0x5455) // extended timestamp
	fh.Extra = binary.LittleEndian.AppendUint16(fh.Extra, 5)
	fh.Extra = append(fh.Extra, 1) // flags: mtime only
	fh.Extra = binary.LittleEndian.AppendUint32(fh.Extra, uint32(min(it.mtime, 1<<32-1)))
	return fh
}

// dosTime encodes t (Unix seconds) as MS-DOS date and time in UTC, clamped
// to the range the fields hold (1980 to 2107).
func dosTime(sec int64) (date, tm uint16) {
	t := time.Unix(sec, 0).UTC()
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	} else if t.Year() > 2107 {
		t = time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC)
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}
