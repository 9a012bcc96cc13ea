package integration

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

// TestSignedProvenance: kiln build --sign writes the build's in-toto
// statement (SLSA v1 provenance) next to the packages, naming each file by
// its sha256 and the toolchain image by the digest it resolved to, and
// its DSSE envelope signed in the graph with the developer key; openssl
// verifies the signature with the certificate's public key.
func TestSignedProvenance(t *testing.T) {
	requireIntegration(t)
	keys := t.TempDir()
	kilnIn(t, keys, "cert", "developer", "Jane Doe", "--bits", "2048")
	cert := filepath.Join(keys, "developer.pem")
	out := t.TempDir()
	r := mustKiln(t, nil, "build", "examples/hello", "--target", "armv7", "-o", out, "--progress", "plain",
		"--sign", "--dev-cert", cert, "--dev-key", filepath.Join(keys, "developer.key"))
	if !strings.Contains(r.stderr, "sign provenance") {
		t.Errorf("no provenance signing step in the progress:\n%s", tail(r.stderr, 20))
	}
	statement := readFile(t, filepath.Join(out, "provenance.intoto.json"))
	var st struct {
		Type          string `json:"_type"`
		PredicateType string
		Subject       []struct {
			Name   string
			Digest map[string]string
		}
		Predicate struct {
			BuildDefinition struct {
				ResolvedDependencies []struct {
					Name   string
					Digest map[string]string
				}
			}
			RunDetails struct {
				Builder struct{ Version map[string]string }
			}
		}
	}
	if err := json.Unmarshal([]byte(statement), &st); err != nil {
		t.Fatal(err)
	}
	subjects := map[string]string{}
	for _, s := range st.Subject {
		subjects[s.Name] = s.Digest["sha256"]
	}
	for _, f := range []string{"hello_1.0.0-1_armv7.ipk", "hello_1.0.0-1_armv7.ipk.spdx.json", "Packages"} {
		if subjects[f] != sha(t, filepath.Join(out, f)) {
			t.Errorf("subject %s: %q, file's sha256 %s", f, subjects[f], sha(t, filepath.Join(out, f)))
		}
	}
	image := false
	for _, d := range st.Predicate.BuildDefinition.ResolvedDependencies {
		if strings.Contains(d.Name, "debian") && len(d.Digest["sha256"]) == 64 {
			image = true
		}
	}
	if !image || st.PredicateType != "https://slsa.dev/provenance/v1" || st.Predicate.RunDetails.Builder.Version["buildkit"] == "" {
		t.Errorf("statement lacks the toolchain image digest, the SLSA v1 predicate or the daemon's version:\n%s", statement)
	}

	// The envelope carries the statement, signed over DSSE's PAE.
	var env dsse.Envelope
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(out, "provenance.intoto.dsse.json"))), &env); err != nil {
		t.Fatal(err)
	}
	payload, err := env.DecodeB64Payload()
	if err != nil || string(payload) != statement || env.PayloadType != "application/vnd.in-toto+json" || len(env.Signatures) != 1 {
		t.Fatalf("envelope: payload %d bytes (%v), type %s, %d signatures", len(payload), err, env.PayloadType, len(env.Signatures))
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	pae := filepath.Join(work, "pae")
	sigFile := filepath.Join(work, "sig")
	must(t, os.WriteFile(pae, dsse.PAE(env.PayloadType, payload), 0o644))
	must(t, os.WriteFile(sigFile, sig, 0o644))
	pub := filepath.Join(work, "pub.pem")
	must(t, os.WriteFile(pub, []byte(run(t, "openssl", "x509", "-in", cert, "-pubkey", "-noout")), 0o644))
	if got := run(t, "openssl", "dgst", "-sha256", "-verify", pub, "-signature", sigFile, pae); !strings.Contains(got, "Verified OK") {
		t.Errorf("openssl: %s", got)
	}
	// A changed statement does not verify.
	must(t, os.WriteFile(pae, dsse.PAE(env.PayloadType, append(payload, ' ')), 0o644))
	if out, err := runErr("openssl", "dgst", "-sha256", "-verify", pub, "-signature", sigFile, pae); err == nil {
		t.Errorf("openssl verified a changed statement: %s", out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// runErr runs a command that may fail, returning its output and error.
func runErr(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}
