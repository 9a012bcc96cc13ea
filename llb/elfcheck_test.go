package llb_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/elfcheck"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/schema"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// graphOps are a definition's ops by digest, with their custom names.
type graphOps struct {
	ops   map[digest.Digest]*pb.Op
	names map[digest.Digest]string
}

func ops(t *testing.T, job *llb.Job) graphOps {
	t.Helper()
	def, err := job.Output.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	g := graphOps{map[digest.Digest]*pb.Op{}, map[digest.Digest]string{}}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		d := digest.FromBytes(dt)
		g.ops[d] = &op
		if md, ok := def.Metadata[d]; ok {
			g.names[d] = md.Description["llb.customname"]
		}
	}
	return g
}

// named returns the ops whose name contains s.
func (g graphOps) named(s string) []digest.Digest {
	var out []digest.Digest
	for d, n := range g.names {
		if strings.Contains(n, s) {
			out = append(out, d)
		}
	}
	return out
}

// mountInput is the op and output index mounted at dest in exec op d.
func (g graphOps) mountInput(t *testing.T, d digest.Digest, dest string) (digest.Digest, int64) {
	t.Helper()
	op := g.ops[d]
	for _, m := range op.GetExec().GetMounts() {
		if m.Dest == dest {
			if m.Input < 0 {
				return "", -1
			}
			in := op.Inputs[m.Input]
			return digest.Digest(in.Digest), in.Index
		}
	}
	t.Fatalf("%s has no mount at %s", g.names[d], dest)
	return "", 0
}

// elfSpec reads the spec file the check step mounts at /kiln/meta.
func (g graphOps) elfSpec(t *testing.T, check digest.Digest) elfcheck.Spec {
	t.Helper()
	var s elfcheck.Spec
	if err := json.Unmarshal(g.metaFile(t, check, "elfcheck.json"), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// metaFile is the file name in the directory the step d mounts at
// /kiln/meta: one of its job's spec files (one file op writes them all).
func (g graphOps) metaFile(t *testing.T, d digest.Digest, name string) []byte {
	t.Helper()
	meta, _ := g.mountInput(t, d, "/kiln/meta")
	var dir string
	for _, m := range g.ops[d].GetExec().Mounts {
		if m.Dest == "/kiln/meta" {
			dir = m.Selector
		}
	}
	for _, a := range g.ops[meta].GetFile().GetActions() {
		if mk := a.GetMkfile(); mk != nil && mk.Path == dir+"/"+name {
			return mk.Data
		}
	}
	t.Fatalf("%s: no %s in %s (mounted at /kiln/meta)", g.names[d], dir+"/"+name, g.names[meta])
	return nil
}

// TestELFCheckStep: one check step between split and packing, without
// network, reading the split packages and handing them on to every pack
// step, with the target's machine and glibc floor.
func TestELFCheckStep(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	r.Packages = map[string]*schema.PackageSpec{
		"hello":     {Files: []string{"opt/bin/**"}},
		"hello-doc": {Files: []string{"opt/share/**"}},
	}
	r.Formats = map[string]map[string]any{"ipk": {}, "syspkg": {}}
	job, err := llb.Compile(r, testOptions(t, "armv7"))
	if err != nil {
		t.Fatal(err)
	}
	g := ops(t, job)
	checks := g.named("check ELF files")
	if len(checks) != 1 || g.names[checks[0]] != "hello [armv7] check ELF files (glibc <= 2.36, ARM)" {
		t.Fatalf("check steps: %v", checks)
	}
	check := checks[0]
	exec := g.ops[check].GetExec()
	if got := strings.Join(exec.Meta.Args, " "); got != "/kiln/bin/kiln elfcheck --spec /kiln/meta/elfcheck.json --root /kiln/split" {
		t.Errorf("args: %s", got)
	}
	if exec.Network != pb.NetMode_NONE {
		t.Errorf("network %v", exec.Network)
	}
	split := g.named("split and strip")
	if in, idx := g.mountInput(t, check, "/kiln/split"); len(split) != 1 || in != split[0] || idx != 1 {
		t.Errorf("check step reads %s[%d], not the split step's output", g.names[in], idx)
	}
	if in, _ := g.mountInput(t, check, "/"); in != "" {
		t.Errorf("check step runs in %s, want an empty root", g.names[in])
	}
	want := elfcheck.Spec{Target: "armv7", Platform: "linux/arm/v7", Libc: &elfcheck.Libc{Name: "glibc", Version: "2.36"},
		Packages: []string{"hello", "hello-doc"}}
	if got := g.elfSpec(t, check); got.Target != want.Target || got.Platform != want.Platform || *got.Libc != *want.Libc ||
		strings.Join(got.Packages, " ") != "hello hello-doc" || got.AllowNewerLibc {
		t.Errorf("spec %+v, want %+v", got, want)
	}
	packs := g.named(" pack ")
	if len(packs) != 4 {
		t.Fatalf("%d pack steps, want 4", len(packs))
	}
	for _, p := range packs {
		// Each packs the checked packages merged with its SBOM.
		in, _ := g.mountInput(t, p, llb.PkgDir)
		merge := g.ops[in]
		if merge.GetMerge() == nil || len(merge.Inputs) != 2 {
			t.Fatalf("%s packs %s, not a merge of the checked tree and its SBOM", g.names[p], g.names[in])
		}
		if first := merge.Inputs[0]; digest.Digest(first.Digest) != check || first.Index != 1 {
			t.Errorf("%s packs %s[%d], not the checked packages", g.names[p], g.names[digest.Digest(first.Digest)], first.Index)
		}
		if sb := g.names[digest.Digest(merge.Inputs[1].Digest)]; !strings.Contains(sb, " sbom ") {
			t.Errorf("%s: the merged tree's second input is %s, not the sbom step", g.names[p], sb)
		}
	}
}

// TestELFCheckNoarch: noarch packages may hold no machine code: the spec
// names no platform and no C library.
func TestELFCheckNoarch(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "motd"))
	if err != nil {
		t.Fatal(err)
	}
	job, err := llb.Compile(r, testOptions(t, "noarch"))
	if err != nil {
		t.Fatal(err)
	}
	g := ops(t, job)
	checks := g.named("check ELF files")
	if len(checks) != 1 || g.names[checks[0]] != "motd [noarch] check ELF files (noarch: no machine code)" {
		t.Fatalf("check steps: %v", checks)
	}
	if s := g.elfSpec(t, checks[0]); s.Platform != "" || s.Libc != nil {
		t.Errorf("noarch spec %+v", s)
	}
}

// TestELFCheckAllowNewerLibc: validation rule NewerLibc lifts the floor
// (the machine is still checked).
func TestELFCheckAllowNewerLibc(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	r.Validation = []schema.ValidationRule{{Allow: "NewerLibc"}}
	job, err := llb.Compile(r, testOptions(t, "aarch64"))
	if err != nil {
		t.Fatal(err)
	}
	g := ops(t, job)
	checks := g.named("check ELF files (AArch64, newer glibc allowed)")
	if len(checks) != 1 || !g.elfSpec(t, checks[0]).AllowNewerLibc {
		t.Fatalf("check steps: %v", g.named("check ELF"))
	}
}

// TestELFCheckUnknownPlatform: a target whose platform has no known ELF
// machine fails to compile, naming it, rather than going unchecked.
func TestELFCheckUnknownPlatform(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, "armv7")
	tg := *o.Target
	tg.Name, tg.Platform = "sparcy", "linux/sparc64"
	o.Target = &tg
	_, err = llb.Compile(r, o)
	if err == nil || !strings.Contains(err.Error(), "recipe hello: target sparcy: platform linux/sparc64: kiln does not know the ELF machine") {
		t.Errorf("err = %v", err)
	}
}

// TestELFCheckNothingBuilt: a recipe without scripts packs empty packages,
// with nothing to check.
func TestELFCheckNothingBuilt(t *testing.T) {
	r := &schema.Recipe{Name: "empty", Version: "1", Validation: []schema.ValidationRule{{Allow: "EmptyPackage"}}}
	job, err := llb.Compile(r, testOptions(t, "x86_64"))
	if err != nil {
		t.Fatal(err)
	}
	if checks := ops(t, job).named("check ELF"); len(checks) != 0 {
		t.Errorf("check steps without a build: %v", checks)
	}
}
