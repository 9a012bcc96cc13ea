package tarball

import (
	"bytes"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/flate"
)

// GzipLevel is the fixed compression level: the compressed bytes depend on
// it, so it is part of the package format, not a tuning knob. 9 is what
// opkg-build (gzip -9n) and Toltec use.
const GzipLevel = flate.BestCompression

// gzipOS is the header's OS byte: 255 ("unknown") says nothing about the
// host that built the package.
const gzipOS = 255

// GzipBlock is the input each part of the deflate stream is compressed
// from. Parts are compressed in parallel, each primed with the last 32 KiB
// of the part before it (so matches still reach back across the seam), and
// each but the last ends in a sync flush so that they concatenate into one
// deflate stream, as pigz and pgzip do. The part boundaries depend on this
// constant only, never on the machine, so the output is a function of the
// input. An input of at most one block is a single part compressed exactly
// as a plain gzip writer would.
const GzipBlock = 1 << 20

// dictSize is how much history each part gets: deflate's whole window.
const dictSize = 32 << 10

// NewGzipWriter returns a gzip writer with a fixed header: no file name, no
// comment, MTIME 0, XFL 2 (best compression), OS byte 255, level
// GzipLevel. It compresses GzipBlock parts on GOMAXPROCS goroutines. Close
// it to flush; it does not close w.
func NewGzipWriter(w io.Writer) io.WriteCloser {
	workers := runtime.GOMAXPROCS(0)
	return &gzipWriter{w: w, crc: crc32.NewIEEE(), slots: make(chan struct{}, workers), maxQueued: 2 * workers}
}

type gzipWriter struct {
	w         io.Writer
	crc       hash.Hash32
	size      uint32  // ISIZE: input length mod 2^32
	cur       *[]byte // input not yet handed to a part, at most GzipBlock
	prev      []byte  // the last dictSize bytes of input handed to parts
	queue     []chan part
	slots     chan struct{} // bounds concurrent compressions
	maxQueued int
	started   bool // the header was written
	err       error
}

type part struct {
	out *bytes.Buffer
	err error
}

// Blocks and outputs are recycled: a large package would otherwise
// allocate its size twice over in short-lived buffers.
var (
	blockPool = sync.Pool{New: func() any { b := make([]byte, 0, GzipBlock); return &b }}
	outPool   = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// Write fills the current block and starts compressing it once more input
// follows: only then is it known not to be the last.
func (z *gzipWriter) Write(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	z.crc.Write(p)
	z.size += uint32(len(p))
	n := len(p)
	for len(p) > 0 {
		if z.cur == nil {
			z.cur = blockPool.Get().(*[]byte)
			*z.cur = (*z.cur)[:0]
		} else if len(*z.cur) == GzipBlock {
			if err := z.dispatch(false); err != nil {
				return 0, err
			}
			continue
		}
		k := min(len(p), GzipBlock-len(*z.cur))
		*z.cur = append(*z.cur, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// dispatch compresses the current block in the background, in order behind
// earlier parts, writing out the oldest part first when too many wait.
func (z *gzipWriter) dispatch(last bool) error {
	if !z.started {
		z.started = true
		if err := z.writeHeader(); err != nil {
			return err
		}
	}
	for len(z.queue) >= z.maxQueued {
		if err := z.writeOldest(); err != nil {
			return err
		}
	}
	block := z.cur
	z.cur = nil
	if block == nil {
		empty := []byte{}
		block = &empty
	}
	dict := z.prev
	// The next part's history: copied, so that the block can be recycled
	// as soon as it is compressed.
	if b := *block; len(b) >= dictSize {
		z.prev = append([]byte(nil), b[len(b)-dictSize:]...)
	} else {
		z.prev = append(append([]byte(nil), z.prev...), b...)
		z.prev = z.prev[max(0, len(z.prev)-dictSize):]
	}
	ch := make(chan part, 1)
	z.queue = append(z.queue, ch)
	z.slots <- struct{}{}
	go func() {
		defer func() { <-z.slots }()
		ch <- compressPart(*block, dict, last)
		if cap(*block) == GzipBlock {
			blockPool.Put(block)
		}
	}()
	return nil
}

func (z *gzipWriter) writeOldest() error {
	p := <-z.queue[0]
	z.queue = z.queue[1:]
	if p.err != nil {
		z.err = p.err
		return p.err
	}
	_, err := z.w.Write(p.out.Bytes())
	outPool.Put(p.out)
	if err != nil {
		z.err = err
	}
	return err
}

var dictWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, GzipLevel)
	return w
}}

// compressPart deflates one part: primed with dict, ending in a sync
// flush, or, for the last part, in the final block. The first part has no
// dictionary and uses a fresh writer, the same state a plain gzip writer
// starts from.
func compressPart(block, dict []byte, last bool) part {
	out := outPool.Get().(*bytes.Buffer)
	out.Reset()
	out.Grow(len(block)/2 + 64)
	var fw *flate.Writer
	if dict == nil {
		var err error
		if fw, err = flate.NewWriter(out, GzipLevel); err != nil {
			return part{err: err}
		}
	} else {
		fw = dictWriters.Get().(*flate.Writer)
		defer dictWriters.Put(fw)
		fw.ResetDict(out, dict)
	}
	if _, err := fw.Write(block); err != nil {
		return part{err: err}
	}
	var err error
	if last {
		err = fw.Close()
	} else {
		err = fw.Flush()
	}
	return part{out: out, err: err}
}

func (z *gzipWriter) writeHeader() error {
	hdr := [10]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, gzipOS} // MTIME 0, XFL 2: level 9
	_, err := z.w.Write(hdr[:])
	if err != nil {
		z.err = err
	}
	return err
}

// Close compresses the rest as the last part, writes every part in order
// and the trailer (CRC-32 and size of the input).
func (z *gzipWriter) Close() error {
	if z.err != nil {
		return z.err
	}
	if err := z.dispatch(true); err != nil {
		return err
	}
	for len(z.queue) > 0 {
		if err := z.writeOldest(); err != nil {
			return err
		}
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], z.crc.Sum32())
	binary.LittleEndian.PutUint32(trailer[4:], z.size)
	if _, err := z.w.Write(trailer[:]); err != nil {
		z.err = err
		return err
	}
	z.err = io.ErrClosedPipe // a second Close or a Write after Close
	return nil
}

// WriteEntriesGzip writes entries as a gzip-compressed tar archive.
func WriteEntriesGzip(w io.Writer, entries []Entry, opts Options) error {
	z := NewGzipWriter(w)
	if err := WriteEntries(z, entries, opts); err != nil {
		return err
	}
	return z.Close()
}
