package repo

import (
	"bytes"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack/internal/packtest"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

func TestList(t *testing.T) {
	repo := testSigner(t, "repo", "Example Repo", sign.Repository)
	urls := []string{"https://example.org/hello.json", "https://example.org/gui.json"}
	signed, err := SignList(urls, repo)
	if err != nil {
		t.Fatal(err)
	}
	packtest.Golden(t, "repolist", string(signed))

	for name, trusted := range map[string][]*x509.Certificate{"first use": nil, "trusted": {repo.Cert}} {
		r, err := ParseList(signed, trusted, verifyAt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Join(r.URLs, " ") != strings.Join(urls, " ") || r.Cert.Subject.CommonName != "Example Repo" {
			t.Errorf("%s: %+v", name, r)
		}
	}
	other := testSigner(t, "other", "Other Repo", sign.Repository)
	if _, err := ParseList(signed, []*x509.Certificate{other.Cert}, verifyAt); err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("untrusted repository: %v", err)
	}
	changed := bytes.Replace(signed, []byte("gui.json"), []byte("evil.json"), 1)
	if _, err := ParseList(changed, nil, verifyAt); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("changed list: %v", err)
	}
	// A list signed by another repository than the certificate it carries.
	body, _, _, _ := sign.Split(signed)
	resigned, _ := other.Sign(body)
	if _, err := ParseList(resigned, nil, verifyAt); err == nil || !strings.Contains(err.Error(), "not the one that signed it") {
		t.Errorf("list signed by another key: %v", err)
	}

	dev := testSigner(t, "dev", "Jane Doe", sign.Developer)
	if _, err := SignList(urls, dev); err == nil || !strings.Contains(err.Error(), "not a repository certificate") {
		t.Errorf("developer signing a list: %v", err)
	}
	if _, err := SignList([]string{"https://a/x.json", "ftp://a/y.json", "https://a/x.json", "https://a/ z"}, repo); err == nil ||
		!strings.Contains(err.Error(), `"ftp://a/y.json" is not an http(s) URL`) || !strings.Contains(err.Error(), "listed twice") ||
		!strings.Contains(err.Error(), `"https://a/ z"`) {
		t.Errorf("bad URLs: %v", err)
	}
}

// TestOpenSSLList verifies a signed repository list with openssl and
// coreutils alone (../sign/testdata/verify.sh), the way a user without
// kiln would.
func TestOpenSSLList(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	dir := t.TempDir()
	repo := testSigner(t, "repo", "Example Repo", sign.Repository)
	list, err := SignList([]string{"https://example.org/myproject.json"}, repo)
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join("..", "sign", "testdata", "verify.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"verify.sh": script, "repo.pem": pemCert(repo.Cert), "repolist.txt": list} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("sh", "verify.sh", "repolist.txt", "repo.pem")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "Verified OK\nsigner.pem: OK\n" {
		t.Errorf("verify.sh repolist.txt: %v\n%s", err, out)
	}
}
