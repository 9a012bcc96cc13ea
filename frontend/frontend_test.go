package frontend

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/kiln-build/kiln/llb"
	_ "github.com/kiln-build/kiln/pack/all"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

func recipe(name string, targets ...string) *schema.Recipe {
	return &schema.Recipe{Name: name, Version: "1.0-1", Summary: name + " summary", License: "MIT",
		Maintainer: "A <a@b.org>", Targets: targets, Build: "make", Package: "make install", File: "kiln.yaml"}
}

func TestTargetFor(t *testing.T) {
	cross := []*schema.Recipe{recipe("hello", "x86_64", "aarch64", "armv7")}
	noarch := []*schema.Recipe{recipe("data", "noarch")}
	for _, c := range []struct {
		platform string
		rs       []*schema.Recipe
		want     string // target, or "error: ..." substring
	}{
		{"linux/amd64", cross, "x86_64"},
		{"linux/arm64", cross, "aarch64"},
		{"linux/arm64/v8", cross, "aarch64"},
		{"linux/arm/v7", cross, "armv7"},
		{"linux/arm", cross, "armv7"}, // arm normalises to v7
		{"linux/amd64/v3", cross, "x86_64"},
		{"linux/arm/v6", cross, "error: platform linux/arm/v6: no kiln target builds for it"},
		{"linux/s390x", cross, "error: known: linux/arm64 (aarch64), linux/arm/v7 (armv7), linux/amd64 (x86_64)"},
		{"linux/arm64", noarch, "noarch"},
		{"linux/s390x", noarch, "noarch"},
	} {
		p, err := platforms.Parse(c.platform)
		if err != nil {
			t.Fatal(err)
		}
		got, err := TargetFor(p, c.rs)
		if err != nil {
			got = "error: " + err.Error()
		}
		if strings.HasPrefix(c.want, "error: ") {
			if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, strings.TrimPrefix(c.want, "error: ")) {
				t.Errorf("%s: got %q, want %q", c.platform, got, c.want)
			}
		} else if got != c.want {
			t.Errorf("%s: got %q, want %q", c.platform, got, c.want)
		}
	}
}

func TestRecipeOptions(t *testing.T) {
	r := recipe("hello", "x86_64")
	r.Options = map[string]schema.Option{"word": {Default: "hello"}, "debug": {Default: "off"}}
	args := map[string]string{"word": "bonjour", "KILN_APT_MIRROR": "http://m", "BUILDKIT_SYNTAX": "img",
		"HTTP_PROXY": "http://p", "SOURCE_DATE_EPOCH": "0"}
	set, err := recipeOptions(args, []*schema.Recipe{r})
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != 1 || set["word"] != "bonjour" {
		t.Errorf("options = %v, want only word=bonjour", set)
	}
	_, err = recipeOptions(map[string]string{"colour": "red"}, []*schema.Recipe{r})
	if err == nil || !strings.Contains(err.Error(), `--build-arg colour: the recipe has no option "colour" (options: debug, word;`) {
		t.Errorf("unknown build arg: %v", err)
	}
}

func packerFor() llb.Packer {
	return llb.Packer{State: bkllb.Image("example.test/kiln/frontend:dev"), Path: PackerPath}
}

func jobs(t *testing.T) []*llb.Job {
	t.Helper()
	r := recipe("hello", "x86_64", "armv7")
	r.Packages = map[string]*schema.PackageSpec{
		"hello":     {Files: []string{"opt/bin/**"}},
		"hello-doc": {Files: []string{"opt/share/**"}, Summary: "Hello docs"},
	}
	js, err := Plan(Options{
		Recipes:   []*schema.Recipe{r},
		Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"},
		Context:   func(*schema.Recipe) llb.LocalContext { return llb.LocalContext{Name: "context"} },
		Packer:    packerFor(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func TestSelectors(t *testing.T) {
	var got []string
	for _, s := range Selectors(jobs(t)) {
		got = append(got, s.Name+"="+s.Description)
	}
	want := "hello=package: hello summary|hello-doc=package: Hello docs|ipk=format: every ipk package"
	if strings.Join(got, "|") != want {
		t.Errorf("selectors:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}

// copied lists the files the selection copies out of the package outputs.
func copied(t *testing.T, st bkllb.State) []string {
	t.Helper()
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		for _, a := range op.GetFile().GetActions() {
			if cp := a.GetCopy(); cp != nil {
				out = append(out, cp.Src)
			}
		}
	}
	return out
}

func TestSelected(t *testing.T) {
	js := jobs(t)
	for _, c := range []struct{ sel, want string }{
		{"hello", "/hello_1.0-1_armv7.ipk /hello_1.0-1_x86_64.ipk"},
		{"hello-doc", "/hello-doc_1.0-1_armv7.ipk /hello-doc_1.0-1_x86_64.ipk"},
		{"hello-doc/ipk", "/hello-doc_1.0-1_armv7.ipk /hello-doc_1.0-1_x86_64.ipk"},
		{"ipk", "/hello-doc_1.0-1_armv7.ipk /hello-doc_1.0-1_x86_64.ipk /hello_1.0-1_armv7.ipk /hello_1.0-1_x86_64.ipk"},
	} {
		st, err := Selected(js, c.sel, packerFor())
		if err != nil {
			t.Fatalf("%s: %v", c.sel, err)
		}
		got := copied(t, st)
		sort.Strings(got)
		if strings.Join(got, " ") != c.want {
			t.Errorf("--target %s copies %v, want %s", c.sel, got, c.want)
		}
	}
	for _, sel := range []string{"nosuch", "hello/spk"} {
		if _, err := Selected(js, sel, packerFor()); err == nil || !strings.Contains(err.Error(), "have: hello, hello-doc, ipk") {
			t.Errorf("--target %s: %v", sel, err)
		}
	}
}

func TestNoCache(t *testing.T) {
	st := bkllb.Image("example.test/img").Run(bkllb.Shlex("true")).Root()
	for _, noCache := range []bool{false, true} {
		def, err := marshal(context.Background(), st, noCache)
		if err != nil {
			t.Fatal(err)
		}
		ignored := 0
		for _, md := range def.Metadata {
			if md.IgnoreCache {
				ignored++
			}
		}
		if want := map[bool]int{false: 0, true: 2}[noCache]; ignored != want {
			t.Errorf("noCache=%v: %d steps ignore the cache, want %d", noCache, ignored, want)
		}
	}
}
