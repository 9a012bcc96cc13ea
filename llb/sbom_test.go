package llb_test

import (
	"context"
	"encoding/json"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

// TestSBOMSpecPinnedImage: a job names the base image its toolchain
// starts from; compiled with it pinned, the toolchain pulls it by digest
// and the SBOM step is told the digest.
func TestSBOMSpecPinnedImage(t *testing.T) {
	r, err := schema.Load(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, "armv7")
	job, err := llb.Compile(r, o)
	if err != nil {
		t.Fatal(err)
	}
	const ref = "registry.test/debian:bookworm"
	if job.BaseImage != ref {
		t.Fatalf("job.BaseImage = %q, want %s", job.BaseImage, ref)
	}
	if specs := sbomSpecs(t, job.Output); len(specs) == 0 || specs[0].Toolchain.Digest != "" {
		t.Fatalf("unpinned: SBOM specs %+v, want one without a digest", specs)
	}
	dg := "sha256:" + strings.Repeat("7", 64)
	o.Toolchain.Pins = toolchains.NewPins(map[string]string{ref: dg})
	if job, err = llb.Compile(r, o); err != nil {
		t.Fatal(err)
	}
	specs := sbomSpecs(t, job.Output)
	for _, s := range specs {
		if s.Toolchain.Image != ref || s.Toolchain.Digest != dg {
			t.Errorf("SBOM spec of %s: toolchain %s @ %q, want %s", s.Package.Name, s.Toolchain.Image, s.Toolchain.Digest, dg)
		}
	}
	if len(specs) == 0 || !strings.Contains(render(t, job.Output), `"identifier": "docker-image://`+ref+"@"+dg) {
		t.Errorf("%d SBOM specs; the toolchain is not pulled by digest", len(specs))
	}
}

// sbomSpecs are the specs the SBOM steps of st's graph are given.
func sbomSpecs(t *testing.T, st bkllb.State) []sbom.Spec {
	t.Helper()
	def, err := st.Marshal(context.Background(), bkllb.Platform(toolchains.BuildPlatform))
	if err != nil {
		t.Fatal(err)
	}
	var out []sbom.Spec
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		for _, a := range op.GetFile().GetActions() {
			if mk := a.GetMkfile(); mk != nil && path.Base(mk.Path) == "sbom.json" {
				var s sbom.Spec
				if err := json.Unmarshal(mk.Data, &s); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
		}
	}
	return out
}
