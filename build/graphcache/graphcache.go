// Package graphcache keeps compiled build graphs on disk, keyed by
// everything the compiler read to make them, so that a run over unchanged
// recipes skips loading, planning, compiling and marshalling them: the Go
// build cache's idea applied to kiln's LLB. The caller owns the key (what
// goes into it is what makes a hit correct); this package owns the files.
package graphcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"time"

	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

// keep is how many graphs a cache holds: the least recently used go
// first. A 2,500-recipe feed's graph is about 15 MB.
const keep = 8

// magic starts every entry; a new layout changes it, and an entry of
// another layout is a miss.
var magic = []byte("kiln-graph 2\n")

// crcTable checks an entry's graph: a damaged one is a miss, never
// decoded or written out (CRC-32C, which CPUs compute in hardware).
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Cache is a directory of graphs. The zero Cache (Dir "") caches nothing.
type Cache struct{ Dir string }

// Key hashes what a graph was compiled from. Each part is written with its
// length, so parts never run into each other.
type Key struct{ h [32]byte }

// NewKey starts a key from salt (what identifies the compiler: a new kiln
// must not read an old one's graphs).
func NewKey(salt string) *Key {
	k := &Key{}
	k.h = sha256.Sum256([]byte("kiln graph key\x00" + salt))
	return k
}

// Add mixes one named part into the key.
func (k *Key) Add(name string, data []byte) {
	h := sha256.New()
	h.Write(k.h[:])
	var n [8]byte
	for _, part := range [][]byte{[]byte(name), data} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	h.Sum(k.h[:0])
}

// AddJSON mixes v, encoded as JSON, into the key.
func (k *Key) AddJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("graph cache key %s: %w", name, err)
	}
	k.Add(name, b)
	return nil
}

// String is the key as a file name.
func (k *Key) String() string { return hex.EncodeToString(k.h[:]) }

func (c Cache) file(key string) string { return filepath.Join(c.Dir, key+".graph") }

// Get reads the graph stored under key, decoding its header (what the
// caller stored beside it) into hdr. Any problem is a miss. The graph is
// returned marshalled, as bkllb.WriteTo writes it (Decode reads it), or
// empty when the entry holds only its header.
func (c Cache) Get(key string, hdr any) ([]byte, bool) {
	if c.Dir == "" {
		return nil, false
	}
	b, err := os.ReadFile(c.file(key))
	if err != nil || !bytes.HasPrefix(b, magic) {
		return nil, false
	}
	b = b[len(magic):]
	if len(b) < 8 {
		return nil, false
	}
	n := binary.BigEndian.Uint64(b)
	if uint64(len(b)-8) < n {
		return nil, false
	}
	if err := json.Unmarshal(b[8:8+n], hdr); err != nil {
		return nil, false
	}
	b = b[8+n:]
	if len(b) < 4 || binary.BigEndian.Uint32(b) != crc32.Checksum(b[4:], crcTable) {
		return nil, false
	}
	now := time.Now()
	os.Chtimes(c.file(key), now, now) // least recently used goes first
	if len(b) == 4 {
		return nil, true
	}
	return b[4:], true
}

// Decode reads a marshalled definition (Get's).
func Decode(data []byte) (*bkllb.Definition, error) {
	var x pb.Definition
	if err := x.UnmarshalVT(data); err != nil {
		return nil, fmt.Errorf("graph cache: %w", err)
	}
	def := &bkllb.Definition{}
	def.FromPB(&x)
	return def, nil
}

// Put stores d, a marshalled definition (nil: none; Get returns it), and
// hdr under key, whole or not at all; failing to is only a missed
// speed-up, so it returns no error to act on.
func (c Cache) Put(key string, hdr any, d []byte) {
	if c.Dir == "" {
		return
	}
	h, err := json.Marshal(hdr)
	if err != nil {
		return
	}
	if os.MkdirAll(c.Dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(c.Dir, ".graph-*")
	if err != nil {
		return
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(h)))
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.Checksum(d, crcTable))
	_, werr := tmp.Write(slices.Concat(magic, n[:], h, sum[:], d))
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), c.file(key)) != nil {
		os.Remove(tmp.Name())
		return
	}
	c.prune()
}

// prune keeps the keep most recently used graphs, and removes what a
// killed Put left behind an hour ago.
func (c Cache) prune() {
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return
	}
	type graph struct {
		name string
		used time.Time
	}
	var graphs []graph
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		switch {
		case filepath.Ext(e.Name()) == ".graph":
			graphs = append(graphs, graph{e.Name(), fi.ModTime()})
		case time.Since(fi.ModTime()) > time.Hour:
			os.Remove(filepath.Join(c.Dir, e.Name()))
		}
	}
	slices.SortFunc(graphs, func(a, b graph) int { return b.used.Compare(a.used) })
	for _, g := range graphs[min(keep, len(graphs)):] {
		os.Remove(filepath.Join(c.Dir, g.name))
	}
}
