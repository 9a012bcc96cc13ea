package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	digest "github.com/opencontainers/go-digest"
)

// family is a Toltec-style device family: rmall's packages serve rm1 and
// rm2, which build in the same armv7 toolchain under their own names.
func family(t *testing.T) *toolchains.Set {
	t.Helper()
	set, err := toolchains.Load(toolchains.Source{File: "targets/rm.yaml", Data: []byte(`targets:
  rmall: {extends: armv7, description: every reMarkable, formats: {ipk: {arch: rmall}}}
  rm1: {extends: rmall, description: reMarkable 1, families: [rmall], formats: {ipk: {arch: rm1}}}
  rm2: {extends: rmall, description: reMarkable 2, families: [rmall], formats: {ipk: {arch: rm2}}}
`)})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// vertexDigests maps the custom names of a job's graph to their digests.
func vertexDigests(t *testing.T, j *llb.Job) map[string]digest.Digest {
	def, err := j.Output.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]digest.Digest{}
	for d, md := range def.Metadata {
		if n := md.Description["llb.customname"]; n != "" {
			out[n] = d
		}
	}
	return out
}

// TestNoarchHostDependency: a noarch recipe's package satisfies host: for
// a recipe built for any target; its job is compiled once.
func TestNoarchHostDependency(t *testing.T) {
	data := recipe("fonts", "1.0-1")
	data.Targets = []string{"noarch"}
	app := recipe("app", "1.0-1", "host:fonts >= 1.0")
	p, err := New(options(app, data))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.IDs, " "); got != "app/x86_64 app/armv7 fonts/noarch" {
		t.Fatalf("jobs %s", got)
	}
	if p.Jobs[0].IPK["app"].File == "" {
		t.Fatal("no ipk")
	}
	for i, tg := range []string{"x86_64", "armv7"} {
		names := vertexDigests(t, p.Jobs[i])
		pack := names["fonts [noarch] pack fonts_1.0-1_all.ipk"]
		if pack == "" || names["app ["+tg+"] install fonts_1.0-1_all into $SYSROOT"] == "" {
			t.Errorf("app/%s does not install fonts_1.0-1_all:\n%v", tg, names)
		}
		if want := vertexDigests(t, p.Jobs[2])["fonts [noarch] pack fonts_1.0-1_all.ipk"]; pack != want {
			t.Errorf("app/%s installs another fonts build (%s, not %s)", tg, pack, want)
		}
	}
	if g := p.Groups(); len(g) != 1 {
		t.Errorf("groups %v: the noarch job is shared by both", g)
	}

	// Asked for one target only, the noarch dependency is still built.
	o := options(app, data)
	o.Targets = []string{"armv7"}
	if p, err = New(o); err != nil || strings.Join(p.IDs, " ") != "app/armv7 fonts/noarch" {
		t.Errorf("--target armv7: %v %v", err, p)
	}
}

// TestDeviceFamily: a recipe for rmall builds once and serves rm1 and rm2:
// their host: dependencies install its package, a build for the devices
// builds it as rmall, and the device jobs share the toolchain vertex.
func TestDeviceFamily(t *testing.T) {
	lib := recipe("libshared", "1.0-1")
	lib.Targets = []string{"rmall"}
	app := recipe("app", "1.0-1", "host:libshared")
	app.Targets = []string{"rm1", "rm2"}
	o := options(app, lib)
	o.Toolchains = family(t)
	o.Targets = []string{"rm1", "rm2"}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.IDs, " "); got != "app/rm1 app/rm2 libshared/rmall" {
		t.Fatalf("jobs %s", got)
	}
	rm1, rm2, all := vertexDigests(t, p.Jobs[0]), vertexDigests(t, p.Jobs[1]), vertexDigests(t, p.Jobs[2])
	for dev, names := range map[string]map[string]digest.Digest{"rm1": rm1, "rm2": rm2} {
		pack := "libshared [rmall] pack libshared_1.0-1_rmall.ipk"
		if names[pack] == "" || names[pack] != all[pack] || names["app ["+dev+"] install libshared_1.0-1_rmall into $SYSROOT"] == "" {
			t.Errorf("app/%s does not install libshared built for rmall:\n%v", dev, names)
		}
		if names["app ["+dev+"] pack app_1.0-1_"+dev+".ipk"] == "" {
			t.Errorf("app/%s writes no %s package:\n%v", dev, dev, names)
		}
	}
	var tc []digest.Digest
	for _, names := range []map[string]digest.Digest{rm1, rm2, all} {
		for n, d := range names {
			if strings.HasPrefix(n, "toolchain ") {
				if !strings.HasPrefix(n, "toolchain armv7: install ") {
					t.Errorf("toolchain vertex %q", n)
				}
				tc = append(tc, d)
			}
		}
	}
	if len(tc) != 3 || tc[0] != tc[1] || tc[1] != tc[2] {
		t.Errorf("rm1, rm2 and rmall do not share one toolchain vertex: %v", tc)
	}
	if rm1["app [rm1] build"] == rm2["app [rm2] build"] {
		t.Error("rm1 and rm2 share the build step although KILN_TARGET differs")
	}
	// A platform built for rm2 (the frontend) holds rmall's package too.
	if part := p.ForTarget("rm2"); part == nil || strings.Join(part.IDs, " ") != "app/rm2 libshared/rmall" {
		t.Errorf("ForTarget(rm2) = %v", part)
	}

	// Every target by default: the same three jobs.
	o.Targets = nil
	if p, err = New(o); err != nil || strings.Join(p.IDs, " ") != "app/rm1 app/rm2 libshared/rmall" {
		t.Errorf("all targets: %v %v", err, p)
	}
	// A target outside the family finds no package.
	app.Targets = []string{"armv7"}
	o.Targets = nil
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), `makedepends "host:libshared": recipe libshared does not build for target armv7, nor for noarch (its targets: rmall)`) {
		t.Errorf("armv7: %v", err)
	}
}

// TestSameFileTwice: two targets of a recipe naming a format's
// architecture alike would overwrite each other's packages.
func TestSameFileTwice(t *testing.T) {
	r := recipe("app", "1.0-1")
	r.Targets = []string{"rm1", "rm2"}
	r.Formats = map[string]map[string]any{"ipk": {}, "syspkg": {}}
	o := options(r)
	o.Toolchains = family(t)
	_, err := New(o)
	want := "recipe app: targets rm1 and rm2 both write app-1.0.0-armv7.zip, as both name their syspkg architecture armv7: give each target its own formats.syspkg.arch"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestPerTargetMakedepends: per_target's makedepends decide what one
// target's job installs into $SYSROOT, and which jobs it depends on.
func TestPerTargetMakedepends(t *testing.T) {
	lib := recipe("libshared", "1.0-1")
	lib.Targets = []string{"rmall"}
	fb := recipe("rm2fb", "2.0-1")
	fb.Targets = []string{"rm2"}
	app := recipe("app", "1.0-1", "host:libshared")
	app.Targets = []string{"rm1", "rm2"}
	app.PerTarget = map[string]*schema.TargetFields{"rm2": {Makedepends: []string{"host:libshared", "host:rm2fb >= 2"}}}
	o := options(app, lib, fb)
	o.Toolchains = family(t)
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.IDs, " "); got != "app/rm1 app/rm2 libshared/rmall rm2fb/rm2" {
		t.Fatalf("jobs %s", got)
	}
	if n := vertexNames(t, p.Jobs[0]); !strings.Contains(n, "app [rm1] install libshared_1.0-1_rmall into $SYSROOT") || strings.Contains(n, "rm2fb") {
		t.Errorf("rm1 installs:\n%s", n)
	}
	if n := vertexNames(t, p.Jobs[1]); !strings.Contains(n, "app [rm2] install libshared_1.0-1_rmall, rm2fb_2.0-1_rm2 into $SYSROOT") {
		t.Errorf("rm2 installs:\n%s", n)
	}
	if got := p.deps["app/rm2"]; strings.Join(got, " ") != "libshared/rmall rm2fb/rm2" {
		t.Errorf("app/rm2 depends on %v", got)
	}
	if got := p.deps["app/rm1"]; strings.Join(got, " ") != "libshared/rmall" {
		t.Errorf("app/rm1 depends on %v", got)
	}
}
