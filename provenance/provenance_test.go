package provenance

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack/syspkg/sign"
	"github.com/kiln-build/kiln/sbom"
)

// outDir is a build's output: a package and its SBOM, whose toolchain
// image resolved to digest ("" = not recorded).
func outDir(t *testing.T, digest string) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	spec := &sbom.Spec{
		Package: sbom.Package{Name: "hello", Version: "1.0", Target: "armv7", Epoch: 1},
		Recipe:  sbom.Recipe{Name: "hello", Digest: "sha256:aa"},
		Sources: []sbom.Source{
			{Kind: "url", URL: "https://example.org/h.tar.gz", SHA256: strings.Repeat("ab", 32)},
			{Kind: "git", Git: "https://example.org/h.git", Commit: strings.Repeat("c", 40)},
		},
		Toolchain: sbom.Toolchain{Target: "armv7", Image: "registry.test/debian:bookworm", Digest: digest},
	}
	doc, err := sbom.Document(spec, nil, "kiln-test")
	if err != nil {
		t.Fatal(err)
	}
	data, err := sbom.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"hello_1.0_armv7.ipk": []byte("package"), "hello_1.0_armv7.ipk.spdx.json": data}
	for n, d := range files {
		if err := os.WriteFile(filepath.Join(dir, n), d, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, []string{"hello_1.0_armv7.ipk.spdx.json", "hello_1.0_armv7.ipk"}
}

func TestStatement(t *testing.T) {
	dir, files := outDir(t, "")
	docs, err := ReadSBOMs(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if refs := docs.ImageRefs(); strings.Join(refs, " ") != "registry.test/debian:bookworm" {
		t.Fatalf("ImageRefs = %v", refs)
	}
	refs := docs.ImageRefs()
	b := Build{Jobs: []Job{{Recipe: "hello", Target: "armv7", Digest: "sha256:aa"}}, Kiln: "v1", BuildKit: "v0.26.3",
		Images: map[string]string{refs[0]: "sha256:" + strings.Repeat("d", 64)}}
	st, err := Statement(b, dir, append(files, File), docs)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Statement(b, dir, []string{files[1], files[0]}, docs)
	if data2, _ := Marshal(again); !bytes.Equal(data, data2) {
		t.Error("the statement depends on the order of the files")
	}
	var got struct {
		Type      string `json:"_type"`
		Subject   []struct{ Name string }
		Predicate struct {
			BuildDefinition struct {
				BuildType            string
				ExternalParameters   Build
				ResolvedDependencies []struct {
					URI, Name string
					Digest    map[string]string
				}
			}
			RunDetails struct{ Builder struct{ ID string } }
		}
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Subject) != 2 || got.Subject[0].Name != "hello_1.0_armv7.ipk" {
		t.Errorf("subjects %+v", got.Subject)
	}
	deps := map[string]string{}
	for _, d := range got.Predicate.BuildDefinition.ResolvedDependencies {
		for k, v := range d.Digest {
			deps[d.Name+" "+k] = v
		}
	}
	if deps["https://example.org/h.tar.gz sha256"] != strings.Repeat("ab", 32) ||
		deps["https://example.org/h.git gitCommit"] != strings.Repeat("c", 40) ||
		deps["registry.test/debian:bookworm sha256"] != strings.Repeat("d", 64) {
		t.Errorf("resolved dependencies: %v", deps)
	}
	if j := got.Predicate.BuildDefinition.ExternalParameters.Jobs; len(j) != 1 || j[0].Digest != "sha256:aa" {
		t.Errorf("jobs %+v", j)
	}
	if !strings.Contains(string(data), `"predicateType": "https://slsa.dev/provenance/v1"`) {
		t.Errorf("no SLSA v1 predicate:\n%s", data)
	}
}

// TestStatementRecordedDigest: the toolchain image's digest the SBOM
// records (the one the build pulled) is the provenance's; the daemon is
// not asked for it. The container image's artifacts are subjects too.
func TestStatementRecordedDigest(t *testing.T) {
	dir, files := outDir(t, "sha256:"+strings.Repeat("e", 64))
	docs, err := ReadSBOMs(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if refs := docs.ImageRefs(); len(refs) != 0 {
		t.Fatalf("ImageRefs = %v; want none to resolve", refs)
	}
	b := Build{Images: map[string]string{"registry.test/debian:bookworm": "sha256:" + strings.Repeat("d", 64)},
		Artifacts: []Artifact{{Name: "registry.test/hello:1.0", SHA256: strings.Repeat("2", 64)}, {Name: "hello.oci.tar", SHA256: strings.Repeat("1", 64)}}}
	st, err := Statement(b, dir, files, docs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range st.Subject {
		names = append(names, s.Name+"="+s.Digest["sha256"][:1])
	}
	if got := strings.Join(names, " "); !strings.HasSuffix(got, " hello.oci.tar=1 registry.test/hello:1.0=2") || len(names) != 4 {
		t.Errorf("subjects %s: want the files, then the image's artifacts", got)
	}
	var found bool
	for _, d := range st.Predicate.BuildDefinition.ResolvedDependencies {
		if d.Name == "registry.test/debian:bookworm" {
			found = true
			if len(d.Digest) != 1 || d.Digest["sha256"] != strings.Repeat("e", 64) {
				t.Errorf("toolchain image digest %v, want the SBOM's", d.Digest)
			}
		}
	}
	if !found {
		t.Error("no toolchain image among the resolved dependencies")
	}
}

func TestSignVerify(t *testing.T) {
	certPEM, keyPEM, err := sign.NewCert(sign.Developer, "Jane Doe", &sign.CertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	statement := []byte(`{"_type":"https://in-toto.io/Statement/v0.1"}` + "\n")
	env, err := Sign(statement, certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := Sign(statement, certPEM, keyPEM); !bytes.Equal(env, again) {
		t.Error("signing twice gave different envelopes")
	}
	cert, err := sign.ParseCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(env, cert)
	if err != nil || !bytes.Equal(got, statement) {
		t.Fatalf("Verify = %q, %v", got, err)
	}
	tampered := bytes.Replace(env, []byte(`"payload": "ey`), []byte(`"payload": "ez`), 1)
	if _, err := Verify(tampered, cert); err == nil {
		t.Error("a changed payload verified")
	}
}
