package llb_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// execs compiles a recipe and returns its exec ops by vertex name.
func execs(t *testing.T, src string, o llb.Options) map[string]*pb.Op {
	t.Helper()
	g := ops(t, compile(t, src, o))
	out := map[string]*pb.Op{}
	for d, op := range g.ops {
		if op.GetExec() != nil {
			out[g.names[d]] = op
		}
	}
	return out
}

func compile(t *testing.T, src string, o llb.Options) *llb.Job {
	t.Helper()
	r, err := schema.Parse("kiln.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	job, err := llb.Compile(r, o)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

const goRecipe = `name: app
version: 1.0-1
summary: App
license: MIT
maintainer: A <a@example.org>
timestamp: 2024-05-01
targets: [aarch64]
sources:
  - path: src
  - gomod: .%s
build: go build -o app .
package: install -D app "$pkgdir/usr/bin/app"
`

func find(t *testing.T, ops map[string]*pb.Op, part string) *pb.Op {
	t.Helper()
	for name, op := range ops {
		if strings.Contains(name, part) {
			return op
		}
	}
	t.Fatalf("no step named like %q", part)
	return nil
}

// TestFixedOutputSteps: only the fetch step may use the network; it does
// not depend on the declared digest (pinning a digest re-uses the fetched
// tree), the check step does; build steps get the module cache, Go and
// Go's offline settings.
func TestFixedOutputSteps(t *testing.T) {
	o := testOptions(t, "aarch64")
	o.Toolchain.Fetch = toolchains.Fetch{GoProxy: "http://proxy.test", GolangImage: "registry.test/golang:1"}
	pinned := execs(t, strings.Replace(goRecipe, "%s", "\n    digest: sha256:"+strings.Repeat("a", 64), 1), o)
	open := execs(t, strings.Replace(goRecipe, "%s", "", 1), o)

	fetch := find(t, pinned, ": fetch step (gomod .)")
	if fetch.GetExec().Network == pb.NetMode_NONE {
		t.Error("the fetch step has no network")
	}
	if env := strings.Join(fetch.GetExec().Meta.Env, " "); !strings.Contains(env, "GOPROXY=http://proxy.test") || strings.Contains(env, "sha256:") {
		t.Errorf("fetch step env: %s", env)
	}
	a, _ := fetch.MarshalVT()
	b, _ := find(t, open, ": fetch step (gomod .)").MarshalVT()
	if string(a) != string(b) {
		t.Error("the fetch step depends on the declared digest")
	}
	check := find(t, pinned, "check digest")
	if args := strings.Join(check.GetExec().Meta.Args, " "); !strings.Contains(args, "--digest=sha256:aaaa") {
		t.Errorf("check step args: %s", args)
	}
	for name, op := range pinned {
		if strings.Contains(name, "fetch step") || strings.Contains(name, ": install ") {
			continue // the fetch, and the toolchain's apt-get
		}
		if op.GetExec().Network != pb.NetMode_NONE {
			t.Errorf("%s has network", name)
		}
	}
	build := find(t, pinned, "[aarch64] build")
	mounts := map[string]bool{}
	for _, m := range build.GetExec().Mounts {
		mounts[m.Dest] = true
	}
	for _, m := range []string{llb.SrcDir, "/kiln/deps/gomod", llb.GoRoot, llb.GoBuildCache} {
		if !mounts[m] {
			t.Errorf("build step lacks mount %s", m)
		}
	}
	env := strings.Join(build.GetExec().Meta.Env, " ")
	for _, want := range []string{"GOPROXY=off", "GOFLAGS=-mod=mod", "GOMODCACHE=/kiln/deps/gomod", "GOARCH=arm64", "GOOS=linux", "PATH=/usr/local/go/bin:"} {
		if !strings.Contains(env, want) {
			t.Errorf("build env lacks %s: %s", want, env)
		}
	}
}

// TestSeveralGenerators: two gomod sources (two Go modules) each get
// their own lock files, fetch step and digest check; build steps see
// one module cache, the merge of both trees. Two Go images are an error.
func TestSeveralGenerators(t *testing.T) {
	o := testOptions(t, "aarch64")
	o.Toolchain.Fetch = toolchains.Fetch{GolangImage: "registry.test/golang:1"}
	g := ops(t, compile(t, strings.Replace(goRecipe, "%s", "\n  - gomod: tools", 1), o))
	for _, n := range []string{"app source 1: fetch step (gomod .)", "app source 2: fetch step (gomod tools)",
		"app gomod .: go.mod and go.sum", "app gomod tools: go.mod and go.sum"} {
		if len(g.named(n)) != 1 {
			t.Errorf("no step %q", n)
		}
	}
	build := g.named("[aarch64] build")
	if len(build) != 1 {
		t.Fatalf("build steps: %v", build)
	}
	in, _ := g.mountInput(t, build[0], "/kiln/deps/gomod")
	if merge := g.ops[in]; merge.GetMerge() == nil || len(merge.Inputs) != 2 || merge.Inputs[0].Digest == merge.Inputs[1].Digest {
		t.Fatalf("the module cache is not the merge of two trees: %v", merge)
	}

	r, err := schema.Parse("kiln.yaml", []byte(strings.Replace(goRecipe, "%s", "\n  - gomod: tools\n    image: registry.test/golang:2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = llb.Compile(r, o)
	if err == nil || !strings.Contains(err.Error(), "sources.2.image: build steps have one Go: gomod source 2 runs registry.test/golang:2, source 1 registry.test/golang:1") {
		t.Errorf("two Go images: %v", err)
	}
}

// TestLockingUnchecked: for kiln lock (Fetch.Locking) a source without
// digest passes its fetched tree on unchecked, so the fetch step of a
// later source (which sees $srcdir) does not fail on the missing digest;
// a pinned one is still checked. A build checks them all.
func TestLockingUnchecked(t *testing.T) {
	src := `name: app
version: 1.0-1
summary: App
license: MIT
maintainer: A <a@example.org>
timestamp: 2024-05-01
targets: [x86_64]
sources:
  - {script: "echo a > a", network: true}
  - {script: "cat $srcdir/a > b", network: true}
  - {script: "echo c > c", network: true, digest: "sha256:` + strings.Repeat("c", 64) + `"}
package: "true"
`
	o := testOptions(t, "x86_64")
	if n := len(ops(t, compile(t, src, o)).named(": check digest")); n != 3 {
		t.Errorf("a build checks %d sources, want 3", n)
	}
	o.Toolchain.Fetch.Locking = true
	g := ops(t, compile(t, src, o))
	if checks := g.named(": check digest"); len(checks) != 1 || !strings.Contains(g.names[checks[0]], "source 2: check digest sha256:cccc") {
		t.Errorf("kiln lock checks %v, want only the pinned source 2", checks)
	}
}

// TestLockFilesReadEarlierSources: a generator source reads its lock files
// from the tree the earlier sources made: gohello's go.mod and go.sum come
// from the copy of its local source into $srcdir, not from an empty tree.
func TestLockFilesReadEarlierSources(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "gohello"))
	if err != nil {
		t.Fatal(err)
	}
	job, err := llb.Compile(r, testOptions(t, "aarch64"))
	if err != nil {
		t.Fatal(err)
	}
	g := ops(t, job)
	locks := g.named("go.mod and go.sum")
	if len(locks) != 1 {
		t.Fatalf("%d lock-file ops, want 1", len(locks))
	}
	in := g.ops[locks[0]].Inputs
	if len(in) != 1 || !strings.Contains(g.names[digest.Digest(in[0].Digest)], "source 0: copy to $srcdir") {
		t.Errorf("the lock files are copied from %v, not from source 0's copy into $srcdir", in)
	}
}
