package graphcache

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	bkllb "github.com/moby/buildkit/client/llb"
)

type header struct{ Name string }

func def(t *testing.T) *bkllb.Definition {
	t.Helper()
	d, err := bkllb.Image("docker.io/library/debian:bookworm").File(bkllb.Mkdir("/x", 0o755)).Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func marshal(t *testing.T, d *bkllb.Definition) []byte {
	t.Helper()
	b, err := d.ToPB().MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRoundTrip: what Put stores Get returns, with or without a graph;
// another key, a damaged file and the zero Cache are misses.
func TestRoundTrip(t *testing.T) {
	c := Cache{Dir: t.TempDir()}
	k := NewKey("salt")
	k.Add("recipe a", []byte("x"))
	d := def(t)
	c.Put(k.String(), header{"a"}, marshal(t, d))
	var h header
	raw, ok := c.Get(k.String(), &h)
	if !ok || h.Name != "a" {
		t.Fatalf("get: %v %+v", ok, h)
	}
	got, err := Decode(raw)
	if err != nil || len(got.Def) != len(d.Def) || string(got.Def[0]) != string(d.Def[0]) {
		t.Fatalf("decoded %v (%v), want %v", got, err, d)
	}

	other := NewKey("salt")
	other.Add("recipe a", []byte("y"))
	if _, ok := c.Get(other.String(), &h); ok || other.String() == k.String() {
		t.Error("another file's content hit")
	}
	parts := NewKey("salt")
	parts.Add("recipe a", []byte("x"))
	parts.Add("", nil)
	if parts.String() == k.String() {
		t.Error("an empty part leaves the key as it was")
	}

	c.Put(other.String(), header{"b"}, nil)
	if raw, ok := c.Get(other.String(), &h); !ok || raw != nil || h.Name != "b" {
		t.Errorf("header only: %v %v %+v", ok, raw, h)
	}

	data, err := os.ReadFile(c.file(k.String()))
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 1
	if err := os.WriteFile(c.file(k.String()), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(k.String(), &h); ok {
		t.Error("a damaged graph hit")
	}
	if err := os.WriteFile(c.file(k.String()), []byte("kiln-graph 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(k.String(), &h); ok {
		t.Error("an entry of another layout hit")
	}
	if _, ok := (Cache{}).Get(k.String(), &h); ok {
		t.Error("the zero cache hit")
	}
}

// TestPrune: the cache keeps the most recently used graphs only, and
// what an interrupted Put left an hour ago.
func TestPrune(t *testing.T) {
	c := Cache{Dir: t.TempDir()}
	d := def(t)
	old := time.Now().Add(-2 * time.Hour)
	leftover := filepath.Join(c.Dir, ".graph-123")
	if err := os.WriteFile(leftover, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(leftover, old, old)
	var keys []string
	put := func(i int) {
		k := NewKey("salt")
		k.Add("n", []byte{byte(i)})
		keys = append(keys, k.String())
		c.Put(k.String(), header{}, marshal(t, d))
	}
	for i := range keep {
		put(i)
		at := old.Add(time.Duration(i) * time.Minute)
		os.Chtimes(c.file(keys[i]), at, at)
	}
	var h header
	// Reading the oldest makes it the most recently used.
	if _, ok := c.Get(keys[0], &h); !ok {
		t.Fatal("a graph went before the cache was full")
	}
	for i := keep; i < keep+4; i++ {
		put(i)
	}
	entries, _ := os.ReadDir(c.Dir)
	if len(entries) != keep {
		t.Errorf("%d files, want %d", len(entries), keep)
	}
	for i, want := range map[int]bool{0: true, 1: false, 2: false, 4: false, 5: true, keep + 3: true} {
		if _, err := os.Stat(c.file(keys[i])); (err == nil) != want {
			t.Errorf("graph %d kept: %v, want %v", i, err == nil, want)
		}
	}
}
