package build

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/cache"
	"github.com/kiln-build/kiln/daemon"
	_ "github.com/kiln-build/kiln/pack/all"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/solve"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/moby/buildkit/client"
	bkllb "github.com/moby/buildkit/client/llb"
)

func examples(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, filepath.Join("..", "examples", n))
	}
	return out
}

func prepare(t *testing.T, cfg Config) *Build {
	t.Helper()
	t.Setenv("KILN_RECIPE_CACHE", "off")
	t.Setenv("KILN_GRAPH_CACHE", "off")
	cfg.Toolchain = toolchains.Options{AptMirror: "http://mirror.test/debian"}
	b, err := Prepare(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPrepare: one plan, one definition holding every job, and the locals
// the graph reads.
func TestPrepare(t *testing.T) {
	b := prepare(t, Config{Paths: examples("hello", "libgreet", "greeter"), Targets: []string{"armv7,x86_64"}})
	want := "hello/armv7 hello/x86_64 libgreet/armv7 libgreet/x86_64 greeter/armv7/mode-debug greeter/armv7/mode-release greeter/x86_64/mode-debug greeter/x86_64/mode-release"
	if got := strings.Join(mustPlan(t, b).IDs, " "); got != want {
		t.Errorf("jobs = %s\nwant %s", got, want)
	}
	for _, want := range []string{"recipe-hello", "recipe-libgreet", "recipe-greeter", packerLocal} {
		if b.Locals[want] == "" {
			t.Errorf("no local %s in %v", want, b.Locals)
		}
	}
	if steps, _ := b.stepKinds(context.Background()); steps["index opkg feed (12 packages)"] != "exec" {
		t.Errorf("the graph has no feed index step over the 12 packages")
	}
	if hasStep(b, "sign syspkg metainfo") {
		t.Errorf("unsigned build has a signing step")
	}
	if c := b.BuildctlCommand(); !strings.HasPrefix(c, "buildctl build --local kiln-packer=") || !strings.Contains(c, " --local recipe-greeter=") {
		t.Errorf("BuildctlCommand = %s", c)
	}
}

func hasStep(b *Build, prefix string) bool {
	steps, _ := b.stepKinds(context.Background())
	for name := range steps {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// TestPrepareSigned: signing is part of the one daemon's graph, with the
// key only a secret.
func TestPrepareSigned(t *testing.T) {
	s := &Signing{Signing: graph.Signing{Cert: []byte("cert"), BaseURL: "https://example.test/repo"}, Key: []byte("KEY")}
	b := prepare(t, Config{Paths: examples("motd"), Sign: s})
	if !hasStep(b, "sign syspkg metainfo") {
		t.Errorf("signed build has no signing step")
	}
	for _, dt := range definition(t, b).Def {
		if strings.Contains(string(dt), "KEY") {
			t.Errorf("the key is in the definition")
		}
	}
	if got := b.secrets()[graph.SigningKeySecret]; string(got) != "KEY" {
		t.Errorf("secret = %q", got)
	}
	// Without syspkg packages only the provenance is signed, after the build.
	if b, err := Prepare(context.Background(), Config{Paths: examples("hello"), Sign: s,
		Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"}}); err != nil || hasStep(b, "sign syspkg metainfo") {
		t.Errorf("signing a build without syspkg: %v", err)
	}
}

// TestPrepareImage: a container image is checked before anything builds.
func TestPrepareImage(t *testing.T) {
	b := prepare(t, Config{Paths: examples("greet"), Image: &Image{Ref: "registry.test/greet:1"}})
	if got := strings.Join(b.image.platform, " "); got != "linux/amd64 linux/arm/v7 linux/arm64" {
		t.Errorf("image platforms = %s", got)
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Paths: examples("hello"), Image: &Image{OCI: "x.tar"}}, "no recipe in this build asks for a container image"},
		{Config{Paths: examples("greet"), Image: &Image{Ref: "Bad Ref"}}, `--image "Bad Ref"`},
	} {
		c.cfg.Toolchain = toolchains.Options{AptMirror: "http://mirror.test/debian"}
		if _, err := Prepare(context.Background(), c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.cfg.Image, err, c.want)
		}
	}
}

// TestSpread: with several daemons each gets a share of the one plan, and
// a daemon without work is still listed, to be contacted.
func TestSpread(t *testing.T) {
	b := prepare(t, Config{Paths: examples("hello", "libgreet", "greeter"), Targets: []string{"x86_64"}})
	ds := []daemon.Remote{{Addr: "tcp://a:1"}, {Addr: "tcp://b:1"}, {Addr: "tcp://c:1"}, {Addr: "tcp://d:1"}}
	nodes, err := b.spread(context.Background(), Target{Daemons: ds})
	if err != nil {
		t.Fatal(err)
	}
	var busy []string
	for _, n := range nodes {
		if n.Build != nil {
			busy = append(busy, n.Daemon.Addr)
		}
	}
	// hello alone, libgreet with greeter's two variants (host: dependency).
	if len(nodes) != 4 || !slices.Equal(busy, []string{"tcp://a:1", "tcp://b:1"}) {
		t.Errorf("busy daemons = %v of %d", busy, len(nodes))
	}
	one, err := b.spread(context.Background(), Target{Daemons: ds[:1]})
	if err != nil || len(one) != 1 || one[0].Build == nil {
		t.Errorf("one daemon: %v, %v", one, err)
	}
}

// TestChunks: a graph larger than one request may carry is solved as
// consecutive shares of the jobs on the one daemon, each node exporting
// its cache to its own reference; a usual graph stays one request.
func TestChunks(t *testing.T) {
	b := prepare(t, Config{Paths: examples("hello", "libgreet", "greeter"), Targets: []string{"armv7,x86_64"}})
	def := definition(t, b)
	if c := chunks(def.ToPB().SizeVT(), mustPlan(t, b).IDs); len(c) != 1 || !slices.Equal(c[0], mustPlan(t, b).IDs) {
		t.Fatalf("chunks of a small graph: %v", c)
	}
	defer func(m int) { maxRequest = m }(maxRequest)
	maxRequest = def.ToPB().SizeVT()/3 + 1
	cs := chunks(def.ToPB().SizeVT(), mustPlan(t, b).IDs)
	if len(cs) != 3 || !slices.Equal(slices.Concat(cs...), mustPlan(t, b).IDs) {
		t.Fatalf("chunks = %v, want 3 consecutive shares of %v", cs, mustPlan(t, b).IDs)
	}
	d := daemon.Remote{Addr: "tcp://a:1"}
	nodes, err := b.spread(context.Background(), Target{Daemons: []daemon.Remote{d}, Cache: cache.Options{Exports: []client.CacheOptionsEntry{{Type: "registry", Attrs: map[string]string{"ref": "reg/c:x"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, n := range nodes {
		if n.Daemon != d || n.Build == nil {
			t.Errorf("node %+v", n)
		}
		refs = append(refs, n.Cache.Exports[0].Attrs["ref"])
	}
	if strings.Join(refs, " ") != "reg/c:x-0 reg/c:x-1 reg/c:x-2" {
		t.Errorf("cache exports %v", refs)
	}
}

func TestReport(t *testing.T) {
	r := &Result{Summary: &solve.Summary{Steps: 9, Cached: 5, Ran: 1, Checked: 3,
		Files: []string{"out/a_1_x86_64.ipk", "out/Packages", "out/Packages.gz", "out/b_1_x86_64.ipk"},
		Nodes: []*solve.Summary{{Daemon: "tcp://a:1", Steps: 9, Cached: 5, Ran: 1, Checked: 3, Files: []string{"out/a_1_x86_64.ipk"}}}},
		Image: "pushed reg/x:1 (linux/amd64)"}
	want := "daemon tcp://a:1: 1 packages, 9 steps: 5 cached, 1 run, 3 checked|2 packages, 9 steps: 5 cached, 1 run, 3 checked|image pushed reg/x:1 (linux/amd64)"
	if got := strings.Join(r.Report(), "|"); got != want {
		t.Errorf("Report:\n%s\nwant\n%s", got, want)
	}
}

// TestPrepareExamples: every example plans, all of them together as
// `kiln build examples/*` (and the demo) builds them; the device family
// example builds its rmall package once, for both devices.
func TestPrepareExamples(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "examples", "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("examples: %v", err)
	}
	b := prepare(t, Config{Paths: paths})
	for _, id := range []string{"hello/armv7", "motd/noarch", "rmutil/rmall", "rmsplash/rm1", "rmsplash/rm2"} {
		if !slices.Contains(mustPlan(t, b).IDs, id) {
			t.Errorf("no job %s in %v", id, mustPlan(t, b).IDs)
		}
	}
	b = prepare(t, Config{Paths: examples("remarkable"), Targets: []string{"rm1", "rm2"}})
	if got := strings.Join(mustPlan(t, b).IDs, " "); got != "rmutil/rmall rmsplash/rm1 rmsplash/rm2" {
		t.Errorf("--target rm1,rm2: jobs %s", got)
	}
	var files []string
	for _, j := range mustPlan(t, b).Jobs {
		files = append(files, j.Files...)
	}
	if got := strings.Join(files, " "); got != "rmutil_1.0-1_rmall.ipk rmsplash_0.3-1_rm1.ipk rmsplash_0.3-1_rm2.ipk" {
		t.Errorf("files %s", got)
	}
	rm1, rm2 := mustPlan(t, b).Jobs[1].Metas[0], mustPlan(t, b).Jobs[2].Metas[0]
	if strings.Join(rm1.Depends, ", ") != "rmutil" || strings.Join(rm2.Depends, ", ") != "rmutil, rm2fb" || len(rm1.Replaces) != 0 || rm2.Replaces[0] != "rm2fb-splash" {
		t.Errorf("per_target: rm1 %v %v, rm2 %v %v", rm1.Depends, rm1.Replaces, rm2.Depends, rm2.Replaces)
	}
}

// TestSpreadSigned: the developer key reaches only the daemon that signs:
// the one daemon of a single-daemon build; with several, none of those
// that build the shares (signCollected signs on the first afterwards).
func TestSpreadSigned(t *testing.T) {
	s := &Signing{Signing: graph.Signing{Cert: []byte("cert"), BaseURL: "https://example.test/repo"}, Key: []byte("KEY")}
	b := prepare(t, Config{Paths: examples("motd", "hello"), Sign: s})
	ds := []daemon.Remote{{Addr: "unix:///a.sock"}, {Addr: "unix:///b.sock"}}
	nodes, err := b.spread(context.Background(), Target{Daemons: ds})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if _, ok := n.Secrets[graph.SigningKeySecret]; ok {
			t.Errorf("daemon %s, which signs nothing, is offered the key", n.Daemon.Addr)
		}
	}
	one, err := b.spread(context.Background(), Target{Daemons: ds[:1]})
	if err != nil || len(one) != 1 || string(one[0].Secrets[graph.SigningKeySecret]) != "KEY" {
		t.Errorf("the one daemon is not given the key: %v", err)
	}
}

// TestRunRefusesSigningOverPlainTCP: the key would cross the network in
// clear; the daemon that signs must be a unix socket or verified by TLS.
func TestRunRefusesSigningOverPlainTCP(t *testing.T) {
	s := &Signing{Signing: graph.Signing{Cert: []byte("cert"), BaseURL: "https://example.test/repo"}, Key: []byte("KEY")}
	b := prepare(t, Config{Paths: examples("motd"), Sign: s})
	_, err := b.Run(context.Background(), Target{Daemons: []daemon.Remote{{Addr: "tcp://127.0.0.1:1"}}, OutDir: t.TempDir()})
	want := "--sign: daemon tcp://127.0.0.1:1 is plain TCP: the developer key would cross the network unencrypted; give it --tlscacert (TLS), or sign on a unix:// daemon"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// definition is b's whole graph marshalled.
func definition(t *testing.T, b *Build) *bkllb.Definition {
	t.Helper()
	def, err := b.Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func mustPlan(t *testing.T, b *Build) *plan.Plan {
	t.Helper()
	p, err := b.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
