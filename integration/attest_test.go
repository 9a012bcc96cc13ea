package integration

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kiln-build/kiln/sbom/sbomtest"
)

// TestBuildxSBOM: docker buildx build --sbom=true with the kiln frontend
// carries kiln's own SBOM of each package as an SPDX in-toto attestation
// (BuildKit's scanner, which needs an image this machine lacks, is
// skipped): the local exporter writes it beside the package as
// FILE.sbom.intoto.json, its subject the package file with its sha256 and
// its predicate the SBOM beside the package. Without --platform (every
// target side by side) as with one.
func TestBuildxSBOM(t *testing.T) {
	requireIntegration(t)
	root := repoRoot(t)
	ctx := t.TempDir()
	copyDir(t, filepath.Join(root, "examples/hello"), filepath.Join(ctx, "examples/hello"))
	withSyntax(t, filepath.Join(root, "examples/hello/kiln.cue"), filepath.Join(ctx, "examples/hello/kiln.cue"))
	for name, c := range map[string]struct {
		args []string
		pkgs []string
	}{
		"one-platform": {[]string{"--platform", "linux/arm/v7"}, []string{"hello_1.0.0-1_armv7.ipk"}},
		"all-targets":  {nil, []string{"hello_1.0.0-1_aarch64.ipk", "hello_1.0.0-1_armv7.ipk", "hello_1.0.0-1_x86_64.ipk"}},
	} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"build", "--builder", buildxBuilder, "--progress", "plain", "-f", "examples/hello/kiln.cue",
				"--sbom=true", "--output", "type=local,dest=" + out}, c.args...)
			mustBuildx(t, ctx, nil, append(args, ".")...)
			for _, pkg := range c.pkgs {
				var st struct {
					PredicateType string
					Subject       []struct {
						Name   string
						Digest map[string]string
					}
					Predicate json.RawMessage
				}
				if err := json.Unmarshal([]byte(readFile(t, filepath.Join(out, pkg+".sbom.intoto.json"))), &st); err != nil {
					t.Fatal(err)
				}
				if st.PredicateType != "https://spdx.dev/Document" || len(st.Subject) != 1 || st.Subject[0].Name != pkg ||
					st.Subject[0].Digest["sha256"] != sha(t, filepath.Join(out, pkg)) {
					t.Errorf("%s: attestation %s, subjects %+v", pkg, st.PredicateType, st.Subject)
				}
				if err := sbomtest.Validate(st.Predicate); err != nil {
					t.Errorf("%s: the attested SBOM is not valid SPDX 2.3: %v", pkg, err)
				}
				var attested, beside any
				json.Unmarshal(st.Predicate, &attested)
				json.Unmarshal([]byte(readFile(t, filepath.Join(out, pkg+".spdx.json"))), &beside)
				if !reflect.DeepEqual(attested, beside) {
					t.Errorf("%s: the attested SBOM is not the one beside the package", pkg)
				}
			}
		})
	}
}
