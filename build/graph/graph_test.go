package graph

import (
	"context"
	"github.com/kiln-build/kiln/internal/llbtest"
	"sort"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/llb"
	_ "github.com/kiln-build/kiln/pack/all"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
)

func recipe(name string, targets ...string) *schema.Recipe {
	return &schema.Recipe{Name: name, Version: "1.0-1", Summary: name + " summary", License: "MIT",
		Maintainer: "A <a@b.org>", Targets: targets, Build: "make", Package: "make install", File: "kiln.yaml"}
}

func packerFor() llb.Packer {
	return llb.Packer{State: bkllb.Image("example.test/kiln/frontend:dev"), Path: "/bin/kiln"}
}

func jobs(t *testing.T) []*llb.Job {
	t.Helper()
	r := recipe("hello", "x86_64", "armv7")
	r.Packages = map[string]*schema.PackageSpec{
		"hello":     {Files: []string{"opt/bin/**"}},
		"hello-doc": {Files: []string{"opt/share/**"}, Summary: "Hello docs"},
	}
	p, err := plan.New(plan.Options{
		Recipes:   []*schema.Recipe{r},
		Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"},
		Context:   func(*schema.Recipe) llb.LocalContext { return llb.LocalContext{Name: "context"} },
		Packer:    packerFor(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.Jobs
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
	var out []string
	for _, cp := range llbtest.Copies(t, st) {
		out = append(out, cp.Src)
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
		// Every selected package comes with its SBOM (the copies of the
		// SBOM from each package's tree are the pack steps' own).
		var got, want []string
		for _, src := range copied(t, st) {
			if !strings.Contains(src, "/usr/share/kiln/sbom/") {
				got = append(got, src)
			}
		}
		for _, f := range strings.Fields(c.want) {
			want = append(want, f, f+".spdx.json")
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
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
		def, err := Marshal(context.Background(), st, noCache)
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
