package graph

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

// TestSignCarriesFoundDependencies: the step signing a syspkg package's
// metainfo gets each architecture's shared-library result (mounted, and
// named by --shlibs), so the metainfo carries the dependencies the build
// found as the packages do; a noarch package has none to pass.
func TestSignCarriesFoundDependencies(t *testing.T) {
	app := recipe("app", "x86_64", "armv7")
	app.Formats = map[string]map[string]any{"syspkg": {}}
	data := recipe("data", "noarch")
	data.Formats = map[string]map[string]any{"syspkg": {}}
	p, err := plan.New(plan.Options{
		Recipes:   []*schema.Recipe{app, data},
		Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"},
		Context:   func(*schema.Recipe) llb.LocalContext { return llb.LocalContext{Name: "context"} },
		Packer:    packerFor(),
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := signed(bkllb.Scratch(), p.Jobs, &Signing{Cert: []byte("cert"), BaseURL: "https://example.test/repo"}, packerFor())
	if err != nil {
		t.Fatal(err)
	}
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	signs := map[string][]string{} // package -> --shlibs files
	mounts := map[string][]string{}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		e := op.GetExec()
		if e == nil || !slices.Contains(e.Meta.Args, "sign") {
			continue
		}
		args := e.Meta.Args
		pkg := args[slices.Index(args, "--package")+1]
		signs[pkg] = nil
		for i, a := range args {
			if a == "--shlibs" {
				signs[pkg] = append(signs[pkg], args[i+1])
			}
		}
		for _, m := range e.Mounts {
			if strings.HasPrefix(m.Dest, "/kiln/shlibs/") {
				mounts[pkg] = append(mounts[pkg], m.Dest)
			}
		}
	}
	want := map[string]string{
		"/kiln/meta/app.json":  "/kiln/shlibs/0/app.json /kiln/shlibs/1/app.json",
		"/kiln/meta/data.json": "",
	}
	if len(signs) != len(want) {
		t.Fatalf("sign steps %v", signs)
	}
	for pkg, w := range want {
		if got := strings.Join(signs[pkg], " "); got != w {
			t.Errorf("%s: --shlibs %q, want %q", pkg, got, w)
		}
		if got := strings.Join(mounts[pkg], " "); got != strings.ReplaceAll(strings.ReplaceAll(w, "/app.json", ""), "/data.json", "") {
			t.Errorf("%s: mounts %q", pkg, got)
		}
	}
}
