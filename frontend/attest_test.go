package frontend

import (
	"github.com/kiln-build/kiln/internal/llbtest"
	"slices"
	"strings"
	"testing"

	intoto "github.com/in-toto/in-toto-golang/in_toto"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	digest "github.com/opencontainers/go-digest"
)

func TestWantsAttestations(t *testing.T) {
	for _, c := range []struct {
		opts      map[string]string
		any, sbom bool
	}{
		{map[string]string{"target": "x"}, false, false},
		{map[string]string{"attest:provenance": "mode=max"}, true, false},
		{map[string]string{"attest:sbom": "generator=registry.test/scanner"}, true, true},
	} {
		a, s, err := wantsAttestations(c.opts)
		if err != nil || a != c.any || s != c.sbom {
			t.Errorf("%v: any %v sbom %v (%v), want %v %v", c.opts, a, s, err, c.any, c.sbom)
		}
	}
}

// TestSBOMState: each package's SBOM is copied from beside the package to
// its attestation's name, variants' subdirectories flattened.
func TestSBOMState(t *testing.T) {
	out := bkllb.Scratch().File(bkllb.Mkfile("/x", 0o644, nil))
	var got []string
	for _, cp := range llbtest.Copies(t, sbomState(out, []string{"hello_1.0_armv7.ipk", "debug/hello_1.0_armv7.ipk"})) {
		got = append(got, cp.Src+" -> "+cp.Dest)
	}
	want := "/debug/hello_1.0_armv7.ipk.spdx.json -> /debug_hello_1.0_armv7.ipk.sbom.intoto.json " +
		"/hello_1.0_armv7.ipk.spdx.json -> /hello_1.0_armv7.ipk.sbom.intoto.json"
	if strings.Join(sortedCopy(got), " ") != want {
		t.Errorf("copies %v, want %s", got, want)
	}
}

func TestSBOMAttestation(t *testing.T) {
	d := digest.FromString("package")
	a := sbomAttestation(nil, "debug/hello_1.0_armv7.ipk", d)
	if a.Kind != gwpb.AttestationKind_InToto || a.Path != "/debug_hello_1.0_armv7.ipk.sbom.intoto.json" || a.InToto.PredicateType != intoto.PredicateSPDX {
		t.Errorf("attestation %+v", a)
	}
	if s := a.InToto.Subjects; len(s) != 1 || s[0].Kind != gwpb.InTotoSubjectKind_Raw || s[0].Name != "debug/hello_1.0_armv7.ipk" || s[0].Digest[0] != d {
		t.Errorf("subjects %+v", s)
	}
}

func TestEnsurePlatforms(t *testing.T) {
	res := gwclient.NewResult()
	if err := ensurePlatforms(res); err != nil {
		t.Fatal(err)
	}
	ps, err := exptypes.ParsePlatforms(res.Metadata)
	if err != nil || len(ps.Platforms) != 1 || ps.Platforms[0].ID != "linux/amd64" {
		t.Errorf("platforms %+v, %v", ps, err)
	}
	res.AddMeta(exptypes.ExporterPlatformsKey, []byte(`{"platforms":[{"id":"linux/arm64","platform":{"os":"linux","architecture":"arm64"}}]}`))
	if err := ensurePlatforms(res); err != nil {
		t.Fatal(err)
	}
	if ps, _ := exptypes.ParsePlatforms(res.Metadata); ps.Platforms[0].ID != "linux/arm64" {
		t.Errorf("existing platforms replaced: %+v", ps)
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
