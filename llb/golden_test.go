package llb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/golden"
	"github.com/kiln-build/kiln/llb"
	_ "github.com/kiln-build/kiln/pack/all"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

func testOptions(t *testing.T, target string) llb.Options {
	tg, err := toolchains.Lookup(target)
	if err != nil {
		t.Fatal(err)
	}
	return llb.Options{
		Target:    tg,
		Toolchain: toolchains.Options{BaseImage: "registry.test/debian:bookworm", AptMirror: "http://mirror.test/debian"},
		Context:   llb.LocalContext{Name: "recipe", Excludes: []string{".git"}, UniqueID: "recipe-dir"},
		Packer:    llb.Packer{State: bkllb.Local("kiln-packer", bkllb.LocalUniqueID("packer-dir")), Path: "/kiln"},
	}
}

// render prints every op of a definition as indented JSON, in the
// definition's (topological) order, keyed by digest: a stable text form.
func render(t *testing.T, st bkllb.State) string {
	def, err := st.Marshal(context.Background(), bkllb.Platform(toolchains.BuildPlatform))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		js, err := json.MarshalIndent(&op, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "# %s\n", digest.FromBytes(dt))
		if md, ok := def.Metadata[digest.FromBytes(dt)]; ok && md.Description != nil {
			fmt.Fprintf(&b, "# name: %s\n", md.Description["llb.customname"])
		}
		b.Write(js)
		b.WriteString("\n")
	}
	return b.String()
}

// TestGolden compiles the examples and compares their LLB with golden files.
func TestGolden(t *testing.T) {
	for _, c := range []struct{ example, target string }{
		{"hello", "armv7"},
		{"hello", "x86_64"},
		{"greet", "aarch64"},
		{"gohello", "aarch64"},
	} {
		t.Run(c.example+"-"+c.target, func(t *testing.T) {
			r, err := schema.Load(filepath.Join("..", "examples", c.example))
			if err != nil {
				t.Fatal(err)
			}
			job, err := llb.Compile(r, testOptions(t, c.target))
			if err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, c.example+"-"+c.target, render(t, job.Output))
		})
	}
}

// TestCompileIsDeterministic: the same input gives the same graph.
func TestCompileIsDeterministic(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := llb.Compile(r, testOptions(t, "armv7"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := llb.Compile(r, testOptions(t, "armv7"))
	if err != nil {
		t.Fatal(err)
	}
	if render(t, a.Output) != render(t, b.Output) {
		t.Fatal("compiling twice gave different graphs")
	}
}

func TestCompileErrors(t *testing.T) {
	for name, src := range map[string]schema.Source{
		"no file name": {URL: "http://x.test/", SHA256: strings.Repeat("a", 64)},
	} {
		t.Run(name, func(t *testing.T) {
			r := &schema.Recipe{Name: "x", Version: "1", Sources: []schema.Source{src}}
			if _, err := llb.Compile(r, testOptions(t, "x86_64")); err == nil || !strings.Contains(err.Error(), "recipe x: source 0") {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// TestSplitPackages: a recipe with three output packages compiles into one
// split step and one pack step per package, uses becoming exact depends.
func TestSplitPackages(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	r.Packages = map[string]*schema.PackageSpec{
		"hello":     {Files: []string{"bin:opt/bin/hello"}},
		"hello-doc": {Files: []string{"rsc:opt/share/doc"}, Summary: "Docs of hello", Uses: []string{"hello"}},
		"hello-dev": {Files: []string{"opt/include/**"}, Depends: []string{"libc6-dev"}},
	}
	r.Flags = []string{"nostrip"}
	job, err := llb.Compile(r, testOptions(t, "armv7"))
	if err != nil {
		t.Fatal(err)
	}
	want := "hello_1.0.0-1_armv7.ipk hello-dev_1.0.0-1_armv7.ipk hello-doc_1.0.0-1_armv7.ipk"
	if got := strings.Join(job.Files, " "); got != want {
		t.Errorf("files = %s, want %s", got, want)
	}
	golden.Compare(t, "hello-split-armv7", render(t, job.Output))
}

func TestVariantEnv(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, "x86_64")
	o.Variant = map[string]string{"debug": "on", "log-level": "2"}
	job, err := llb.Compile(r, o)
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, job.Output)
	for _, want := range []string{`"KILN_OPT_DEBUG=on"`, `"KILN_OPT_LOG_LEVEL=2"`} {
		if !strings.Contains(got, want) {
			t.Errorf("graph lacks %s", want)
		}
	}
}

// TestTestStages: tests become vertices at their stage, filtered by
// selectors, and are part of the job's output graph.
func TestTestStages(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	r.Tests = []schema.Test{
		{Stage: "sources", Script: "test -f hello.c"},
		{Stage: "build", Script: "./hello"},
		{Stage: "install", Script: "hello", Checks: []schema.Check{{Path: "/opt/bin/hello", Exists: &yes, Mode: "0755"}}},
		{Stage: "install", Script: "echo debug only", Selectors: []map[string]string{{"debug": "on"}}},
	}
	o := testOptions(t, "armv7")
	o.Variant = map[string]string{"debug": "off"}
	job, err := llb.Compile(r, o)
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, job.Output)
	for _, want := range []string{"test 0 (sources)", "test 1 (build)", "test 2 (install)", "install 1 package(s) for tests",
		`"QEMU_LD_PREFIX=/usr/arm-linux-gnueabihf"`, "check --spec /kiln/checks/checks.json"} {
		if !strings.Contains(got, want) {
			t.Errorf("graph lacks %q", want)
		}
	}
	if strings.Contains(got, "test 3") {
		t.Error("test 3 runs although its selector does not match the variant")
	}
}

// TestPatchLevel: patches apply with -p1 unless the recipe's patch_level
// says otherwise (spksrc's -p0).
func TestPatchLevel(t *testing.T) {
	for _, c := range []struct {
		level *int
		want  string
	}{{nil, "patch -p1 "}, {new(int), "patch -p0 "}} {
		r, err := schema.Load(filepath.Join("..", "examples", "hello"))
		if err != nil {
			t.Fatal(err)
		}
		r.Patches, r.PatchLevel = []string{"fix.patch"}, c.level
		job, err := llb.Compile(r, testOptions(t, "x86_64"))
		if err != nil {
			t.Fatal(err)
		}
		if got := render(t, job.Output); !strings.Contains(got, c.want) {
			t.Errorf("patch level %v: the graph has no %q", c.level, c.want)
		}
	}
}

// TestSpkIconBesideRecipe: an spk icon given relative to the recipe is
// mounted into the pack step from the recipe's directory, and the pack
// step reads it there.
func TestSpkIconBesideRecipe(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	r.Formats = map[string]map[string]any{"spk": {"icon": "art/icon.png", "displayname": "Hello"}}
	job, err := llb.Compile(r, testOptions(t, "x86_64"))
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, job.Output)
	for _, want := range []string{`"dest": "/kiln/recipe"`, `"local.followpaths": "[\"art/icon.png\"]"`} {
		if !strings.Contains(got, want) {
			t.Errorf("graph lacks %s", want)
		}
	}
	found := false
	for i, p := range job.Metas {
		if job.Formats[i] == "spk" {
			found = strings.Contains(string(p.Options), `"icon":"/kiln/recipe/art/icon.png"`)
		}
	}
	if !found {
		t.Error("the spk metadata does not name the icon where the pack step sees it")
	}
}
