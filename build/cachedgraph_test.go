package build

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	logtest "github.com/sirupsen/logrus/hooks/test"
)

// TestGraphCache: an unchanged build's graph is read back from the graph
// cache, the very definition compiling gives, with the plan facts a build
// needs; and every input the compiler read beyond the key's files (a
// .gitignore, a file a recipe names, the host's fetch settings) or in it
// (recipes, configuration, pins) makes kiln compile again.
func TestGraphCache(t *testing.T) {
	t.Setenv("KILN_RECIPE_CACHE", "off")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("GOPROXY", "http://goproxy.test")
	repo := copyExamples(t, "hello", "libgreet", "greeter", "gohello")
	base := Config{Paths: []string{repo}, Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"}}
	prep := func(cfg Config) *Build { return prepareCached(t, cfg) }
	first := prep(base)
	if first.cached != nil {
		t.Fatal("an empty cache gave a graph")
	}
	want := definition(t, first)
	second := prep(base)
	if second.cached == nil {
		t.Fatal("an unchanged repository compiled again")
	}
	if got := definition(t, second); !slices.EqualFunc(got.Def, want.Def, func(a, b []byte) bool { return string(a) == string(b) }) {
		t.Fatal("the graph read back is not the graph compiled")
	}
	t.Setenv("KILN_GRAPH_CACHE", "off")
	if fresh := definition(t, prep(base)); !sameOps(fresh, want) {
		t.Fatal("the cached graph differs from a compile without the cache")
	}
	t.Setenv("KILN_GRAPH_CACHE", "")
	// What a build asks of its plan comes with the graph, and planning
	// later gives the same.
	if !slices.Equal(second.cached.IDs, mustPlan(t, first).IDs) || !slices.Equal(mustPlan(t, second).IDs, mustPlan(t, first).IDs) {
		t.Errorf("jobs: cached %v, planned %v", second.cached.IDs, mustPlan(t, first).IDs)
	}
	jobs, err := first.provenanceJobs(context.Background())
	if err != nil || !sameJSON(t, second.cached.Jobs, jobs) {
		t.Errorf("provenance jobs: cached %v, planned %v (%v)", second.cached.Jobs, jobs, err)
	}
	if len(second.cached.Images) == 0 || !reflect.DeepEqual(second.Locals, first.Locals) {
		t.Errorf("images %v, locals %v (want %v)", second.cached.Images, second.Locals, first.Locals)
	}

	// miss: the change compiles again, then the new graph is read back.
	miss := func(what string, cfg Config, change func()) {
		t.Helper()
		if change != nil {
			change()
		}
		if b := prep(cfg); b.cached != nil {
			t.Errorf("%s: the old graph was read back", what)
		} else {
			definition(t, b)
		}
		if prep(cfg).cached == nil {
			t.Errorf("%s: the new graph was not kept", what)
		}
	}
	write := func(name, data string) func() {
		return func() {
			if err := os.WriteFile(filepath.Join(repo, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	targets := base
	targets.Targets = []string{"x86_64"}
	miss("another target", targets, nil)
	set := base
	set.Set = map[string]string{"mode": "debug"}
	miss("an option", set, nil)
	pinned := base
	pinned.Toolchain.Pins = toolchains.NewPins(map[string]string{second.cached.Images[0]: "sha256:" + strings.Repeat("a", 64)})
	miss("a pinned image", pinned, nil)
	hello, _ := os.ReadFile(filepath.Join(repo, "hello", "kiln.cue"))
	miss("a recipe edited", base, write("hello/kiln.cue", string(hello)+"\n// edited\n"))
	miss("a .gitignore", base, write("hello/.gitignore", "*.o\n"))
	miss("a new target file", base, func() {
		if err := os.Mkdir(filepath.Join(repo, "targets"), 0o755); err != nil {
			t.Fatal(err)
		}
		write("targets/mine.yaml", "targets:\n  mine:\n    extends: x86_64\n")()
	})
	miss("the host's Go proxy", base, func() { t.Setenv("GOPROXY", "http://other.test") })

	// A file a recipe names that went is the loader's error, never a hit.
	if err := os.RemoveAll(filepath.Join(repo, "hello", "src")); err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(context.Background(), base); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("hello's src removed: %v", err)
	}
}

func sameJSON(t *testing.T, a, b any) bool {
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

func copyExamples(t *testing.T, names ...string) string {
	t.Helper()
	repo := t.TempDir()
	for _, n := range names {
		if err := os.CopyFS(filepath.Join(repo, n), os.DirFS(filepath.Join("..", "examples", n))); err != nil {
			t.Fatal(err)
		}
	}
	return repo
}

func prepareCached(t *testing.T, cfg Config) *Build {
	t.Helper()
	b, err := Prepare(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGraphCacheEntries: kiln llb writes the cached bytes as they are; a
// damaged graph is compiled again; the entry a build stores before
// pinning (no graph, only what pinning needs) lets the next run pin
// without planning, and a run that needs that graph compiles it.
func TestGraphCacheEntries(t *testing.T) {
	t.Setenv("KILN_RECIPE_CACHE", "off")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := Config{Paths: []string{copyExamples(t, "hello", "libgreet")}, Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"}}
	ctx := context.Background()

	// Before pinning: only the entry is kept.
	b := prepareCached(t, cfg)
	images, err := b.unpinned(ctx)
	if err != nil || len(images) == 0 {
		t.Fatalf("images to pin: %v %v", images, err)
	}
	again := prepareCached(t, cfg)
	if again.cached == nil || again.raw != nil || !slices.Equal(again.cached.Images, images) {
		t.Fatalf("the entry kept before pinning: %+v, graph %d bytes", again.cached, len(again.raw))
	}
	if got, err := again.unpinned(ctx); err != nil || !slices.Equal(got, images) || again.plan != nil {
		t.Fatalf("pinning after a kept entry planned (%v) or found %v (%v)", again.plan != nil, got, err)
	}
	want := definition(t, again) // compiled: the entry had no graph
	if !sameOps(want, definition(t, b)) {
		t.Fatal("the graph compiled after an entry without one differs")
	}

	full := prepareCached(t, cfg)
	var out strings.Builder
	if err := full.WriteDefinition(ctx, &out); err != nil || full.raw == nil || out.String() != string(full.raw) {
		t.Fatalf("kiln llb of a cached graph: %v, %d bytes of %d", err, out.Len(), len(full.raw))
	}

	// A damaged graph (its checksum fails): compiled again, and the entry
	// mended.
	entries, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_CACHE_HOME"), "kiln", "graphs", "*.graph"))
	for _, e := range entries {
		data, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(data) - 64; i < len(data); i++ {
			data[i] = 0xff
		}
		if err := os.WriteFile(e, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	damaged := prepareCached(t, cfg)
	if got := definition(t, damaged); damaged.cached != nil || !sameOps(got, want) {
		t.Fatal("a damaged graph was not compiled again")
	}
	if mended := prepareCached(t, cfg); mended.raw == nil || !sameOps(definition(t, mended), want) {
		t.Fatal("the damaged entry was not replaced")
	}
}

// sameOps: two definitions hold the same operations (their order may
// differ between compiles).
func sameOps(a, b *bkllb.Definition) bool {
	sorted := func(d *bkllb.Definition) []string {
		var out []string
		for _, op := range d.Def {
			out = append(out, string(op))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(sorted(a), sorted(b))
}

// TestGraphCacheKeysConfig: every field of Config and of the toolchain
// options is either in the graph cache's key (or the entry), or turns the
// cache off, or cannot change the graph. A new field fails this test
// until it is sorted into one of those.
func TestGraphCacheKeysConfig(t *testing.T) {
	known := map[reflect.Type][]string{
		reflect.TypeOf(Config{}): {
			"Paths", "Targets", "Toolchain", "Set", "Variant", "Sign", "NoCache", // keyed
			"Image",   // turns the cache off
			"Indexes", // reads the feeds' indexes, whose sha256 the recipes pin
		},
		reflect.TypeOf(toolchains.Options{}): {
			"BaseImage", "AptMirror", "Fetch", // keyed
			"Pins",   // keyed by graphCache.key
			"Images", // turns the cache off
		},
		reflect.TypeOf(Signing{}): {"Signing", "Key"}, // graphSigning; the key never reaches the graph
	}
	for typ, fields := range known {
		for i := range typ.NumField() {
			if f := typ.Field(i); !slices.Contains(fields, f.Name) {
				t.Errorf("%s.%s: is it in the graph cache's key (openGraphCache)?", typ, f.Name)
			}
		}
	}
}

// TestGraphCacheShares: the graphs of a build's shares (a graph too large
// for one request, or several daemons) are kept together once all are
// compiled, and an unchanged build reads them back without planning.
func TestGraphCacheShares(t *testing.T) {
	t.Setenv("KILN_RECIPE_CACHE", "off")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := Config{Paths: []string{copyExamples(t, "hello", "libgreet", "greeter")}, Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"}}
	ctx := context.Background()
	first := prepareCached(t, cfg)
	ids := mustPlan(t, first).IDs
	shares := [][]string{ids[:3], nil, ids[3:]}
	compiled := first.shareGraphs(shares)
	if compiled.raw != nil {
		t.Fatal("an empty cache gave share graphs")
	}
	var want []*bkllb.Definition
	for i, s := range shares {
		if len(s) == 0 {
			want = append(want, nil)
			continue
		}
		def, err := compiled.definition(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, def)
	}
	definition(t, first) // the whole graph's entry, which the shares' stands beside

	again := prepareCached(t, cfg)
	read := again.shareGraphs(shares)
	if read.raw == nil {
		t.Fatal("the shares' graphs were not kept")
	}
	for i, s := range shares {
		if len(s) == 0 {
			continue
		}
		def, err := read.definition(ctx, i)
		if err != nil || !sameOps(def, want[i]) {
			t.Fatalf("share %d read back differs (%v)", i, err)
		}
	}
	if other := again.shareGraphs([][]string{ids[:2], ids[2:]}); other.raw != nil {
		t.Error("other shares were given the kept graphs")
	}
	// Several daemons: the groups come with the graph, no plan is made.
	nodes, err := again.spread(ctx, Target{Daemons: []daemon.Remote{{Addr: "tcp://a:1"}, {Addr: "tcp://b:1"}}})
	if err != nil || len(nodes) != 2 {
		t.Fatalf("spread: %v %v", nodes, err)
	}
	if again.plan != nil {
		t.Error("spreading a cached graph over two daemons planned the build")
	}
}

// TestGraphCachePinned: pinning reads the pinned graph back; its entry is
// checked again unless it records what the unpinned entry, just checked,
// does (a run stopped between keeping the two leaves them apart).
func TestGraphCachePinned(t *testing.T) {
	t.Setenv("KILN_RECIPE_CACHE", "off")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	repo := copyExamples(t, "hello")
	cfg := Config{Paths: []string{repo}, Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"}}
	ctx := context.Background()
	pin := func(b *Build) {
		t.Helper()
		refs, err := b.unpinned(ctx)
		if err != nil || len(refs) == 0 {
			t.Fatalf("images: %v %v", refs, err)
		}
		digests := map[string]string{}
		for _, r := range refs {
			digests[r] = "sha256:" + strings.Repeat("b", 64)
		}
		if err := b.pinTo(ctx, refs, digests); err != nil {
			t.Fatal(err)
		}
	}
	first := prepareCached(t, cfg)
	pin(first)
	want := definition(t, first)
	if !strings.Contains(string(slices.Concat(want.Def...)), strings.Repeat("b", 64)) {
		t.Fatal("the pinned graph does not pull by digest")
	}
	second := prepareCached(t, cfg)
	pin(second)
	if second.raw == nil || second.plan != nil || !sameOps(definition(t, second), want) {
		t.Fatal("pinning an unchanged build did not read its pinned graph back")
	}

	// The pinned graph's entry records the .gitignore of before; the
	// unpinned one's (kept while pinning) the new one.
	if err := os.WriteFile(filepath.Join(repo, "hello", ".gitignore"), []byte("*.o\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	third := prepareCached(t, cfg) // compiles: the unpinned entry is stale
	if _, err := third.unpinned(ctx); err != nil {
		t.Fatal(err)
	}
	fourth := prepareCached(t, cfg)
	if fourth.cached == nil {
		t.Fatal("the entry kept before pinning was not read back")
	}
	pin(fourth)
	if fourth.raw != nil {
		t.Fatal("a pinned graph of other inputs was read back")
	}
	if got := definition(t, fourth); sameOps(got, want) {
		t.Fatal("the .gitignore is not in the pinned graph")
	}
}

// TestGraphCacheNotes: what planning told the user (a recipe left out of
// a target) is told again when the graph is read back.
func TestGraphCacheNotes(t *testing.T) {
	t.Setenv("KILN_RECIPE_CACHE", "off")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	repo := copyExamples(t, "hello", "libgreet")
	f := filepath.Join(repo, "hello", "kiln.cue")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	one := strings.Replace(string(data), `targets: ["x86_64", "aarch64", "armv7"]`, `targets: ["x86_64"]`, 1)
	if one == string(data) || os.WriteFile(f, []byte(one), 0o644) != nil {
		t.Fatal("could not narrow hello's targets")
	}
	cfg := Config{Paths: []string{repo}, Targets: []string{"armv7"}, Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"}}
	hook := logtest.NewGlobal()
	want := "recipe hello does not build for target armv7: skipped there"
	for _, run := range []string{"compiled", "read back"} {
		hook.Reset()
		b := prepareCached(t, cfg)
		definition(t, b)
		if (b.cached != nil) != (run == "read back") {
			t.Fatalf("%s: cached %v", run, b.cached != nil)
		}
		var said []string
		for _, e := range hook.AllEntries() {
			said = append(said, e.Message)
		}
		if !slices.Contains(said, want) {
			t.Errorf("%s: said %q, want %q", run, said, want)
		}
	}
}
