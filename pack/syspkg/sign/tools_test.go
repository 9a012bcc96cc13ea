package sign

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// run runs a host tool in dir and returns its combined output; wantOK says
// whether it must succeed or fail. A missing tool skips the test, or fails
// it under make test (testtool.Need).
func run(t *testing.T, dir string, wantOK bool, name string, args ...string) string {
	t.Helper()
	testtool.Need(t, name)
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if (err == nil) != wantOK {
		t.Fatalf("%s %s: err=%v, want success=%v\n%s", name, strings.Join(args, " "), err, wantOK, out)
	}
	return string(out)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenSSL(t *testing.T) {
	testtool.Need(t, "openssl", "sed")
	f := newFixture(t)
	dir := t.TempDir()
	write(t, dir, "repo.pem", f.repoCert)
	write(t, dir, "dev.pem", f.devCert)
	write(t, dir, "dev-signed.pem", f.devSigned)
	copyFile(t, filepath.Join("testdata", "verify.sh"), filepath.Join(dir, "verify.sh"))

	t.Run("x509 -text", func(t *testing.T) {
		out := run(t, dir, true, "openssl", "x509", "-in", "dev.pem", "-noout", "-text")
		for _, want := range []string{
			"Signature Algorithm: sha256WithRSAEncryption",
			"Issuer: CN = Jane Doe, O = maintainer, C = HU",
			"Subject: CN = Jane Doe, O = maintainer, C = HU",
			"Not Before: Jan  1 00:00:00 2024 GMT",
			"Serial Number: 1714566600 (0x663235c8)",
			"CA:FALSE",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("openssl x509 -text lacks %q:\n%s", want, out)
			}
		}
		out = run(t, dir, true, "openssl", "x509", "-in", "repo.pem", "-noout", "-text")
		if !strings.Contains(out, "CA:TRUE, pathlen:0") || !strings.Contains(out, "Certificate Sign") {
			t.Errorf("repository certificate is not a CA for openssl:\n%s", out)
		}
	})

	t.Run("verify chain", func(t *testing.T) {
		out := run(t, dir, true, "openssl", "verify", "-CAfile", "repo.pem", "dev-signed.pem")
		if out != "dev-signed.pem: OK\n" {
			t.Errorf("openssl verify = %q", out)
		}
		// Not issued by the repository: openssl must refuse it.
		run(t, dir, false, "openssl", "verify", "-CAfile", "repo.pem", "dev.pem")
	})

	t.Run("signature block", func(t *testing.T) {
		signed, err := Sign(f.devSigned, f.devKey, []byte("{\n    \"id\": \"hello\"\n}\n"))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, "good.json", signed)
		out := run(t, dir, true, "sh", "verify.sh", "good.json", "repo.pem")
		if out != "Verified OK\nsigner.pem: OK\n" {
			t.Errorf("verify.sh = %q", out)
		}
		write(t, dir, "bad.json", []byte(strings.Replace(string(signed), "hello", "HELLO", 1)))
		out = run(t, dir, false, "sh", "verify.sh", "bad.json", "repo.pem")
		if !strings.Contains(out, "Verification failure") {
			t.Errorf("tampered file: openssl said %q", out)
		}
	})

	t.Run("openssl-made key", func(t *testing.T) {
		// A key made by openssl in PKCS#1 form is accepted too.
		run(t, dir, true, "openssl", "genrsa", "-traditional", "-out", "ossl.key", "2048")
		key, err := os.ReadFile(filepath.Join(dir, "ossl.key"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(key), "-----BEGIN RSA PRIVATE KEY-----") {
			t.Fatalf("openssl did not write PKCS#1: %.40q", key)
		}
		cert, _, err := NewCert(Developer, "Ossl", &CertOptions{Key: key, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Sign(cert, key, []byte("x\n")); err != nil {
			t.Fatal(err)
		}
	})
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
