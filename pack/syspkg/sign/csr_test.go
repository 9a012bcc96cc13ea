package sign

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

func TestSignCSR(t *testing.T) {
	f := newFixture(t)
	csr, key, err := NewCSR("Jane Doe", &CertOptions{Country: "HU", Key: f.devKey})
	if err != nil {
		t.Fatal(err)
	}
	// The given key comes back, as PKCS#8.
	k1, k2 := must2(ParseKey(key)), must2(ParseKey(f.devKey))
	if !k1.Equal(k2) || !strings.HasPrefix(string(key), "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("key = %.40q", key)
	}
	issued, err := SignRequest(f.repoCert, f.repoKey, csr, &CertOptions{Now: now, Serial: big.NewInt(now.Unix())})
	if err != nil {
		t.Fatal(err)
	}
	c, repo := mustCert(t, issued), mustCert(t, f.repoCert)
	// The same certificate as a self-signed one sent for signing gives.
	fromCert := mustCert(t, f.devSigned)
	if c.Subject.String() != fromCert.Subject.String() || string(c.RawSubject) != string(fromCert.RawSubject) {
		t.Errorf("subject %q, want %q", c.Subject, fromCert.Subject)
	}
	if !c.NotBefore.Equal(fromCert.NotBefore) || !c.NotAfter.Equal(fromCert.NotAfter) || c.SerialNumber.Int64() != now.Unix() {
		t.Errorf("validity %v..%v serial %v", c.NotBefore, c.NotAfter, c.SerialNumber)
	}
	if KindOf(c) != Developer {
		t.Errorf("kind %q", KindOf(c))
	}
	if err := VerifyCert(c, []*x509.Certificate{repo}, at); err != nil {
		t.Error(err)
	}
	s, err := NewSigner(issued, f.devKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Verify(must(s.Sign([]byte("x\n"))), []*x509.Certificate{repo}, at); err != nil {
		t.Error(err)
	}
}

func must2[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestSignCSRRejects(t *testing.T) {
	f := newFixture(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	csrFor := func(subject pkix.Name, key any) []byte {
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject}, key)
		if err != nil {
			t.Fatal(err)
		}
		return encodePEM("CERTIFICATE REQUEST", der)
	}
	devKey, _ := ParseKey(f.devKey)
	good, _, _ := NewCSR("Jane", &CertOptions{Key: f.devKey})
	// The subject changed after signing: the self-signature breaks.
	blk, _ := pem.Decode(good)
	tampered := encodePEM("CERTIFICATE REQUEST", bytes.Replace(blk.Bytes, []byte("Jane"), []byte("Jone"), 1))
	for _, tc := range []struct {
		name     string
		repo     []byte
		repoKey  []byte
		request  []byte
		contains string
	}{
		{"repository O", f.repoCert, f.repoKey, csrFor(pkix.Name{CommonName: "X", Organization: []string{"repository"}}, devKey), `a developer's is "maintainer"`},
		{"no CN", f.repoCert, f.repoKey, csrFor(pkix.Name{Organization: []string{"maintainer"}}, devKey), "no common name"},
		{"small key", f.repoCert, f.repoKey, csrFor(pkix.Name{CommonName: "X", Organization: []string{"maintainer"}}, small), "too small"},
		{"not a repository", f.devCert, f.devKey, good, "not a repository certificate"},
		{"tampered", f.repoCert, f.repoKey, tampered, `certificate request "Jone": bad signature`},
		{"no PEM", f.repoCert, f.repoKey, []byte("hello"), "no PEM CERTIFICATE or CERTIFICATE REQUEST block"},
		{"key", f.repoCert, f.repoKey, f.devKey, "no PEM CERTIFICATE or CERTIFICATE REQUEST block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SignRequest(tc.repo, tc.repoKey, tc.request, &CertOptions{Now: now})
			if err == nil || !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("err = %v, want one containing %q", err, tc.contains)
			}
		})
	}
}

func TestOpenSSLRequest(t *testing.T) {
	testtool.Need(t, "openssl")
	f := newFixture(t)
	dir := t.TempDir()
	write(t, dir, "repo.pem", f.repoCert)
	// A request made by openssl is signed by kiln and verified by openssl.
	run(t, dir, true, "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "ossl.key",
		"-subj", "/CN=Ossl Dev/O=maintainer/C=DE", "-out", "ossl.csr")
	issued, err := SignRequest(f.repoCert, f.repoKey, readTestFile(t, filepath.Join(dir, "ossl.csr")), &CertOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "ossl.pem", issued)
	if out := run(t, dir, true, "openssl", "verify", "-CAfile", "repo.pem", "ossl.pem"); out != "ossl.pem: OK\n" {
		t.Errorf("openssl verify = %q", out)
	}
	// And a request made by kiln passes openssl's own check.
	csr, _, err := NewCSR("Jane Doe", &CertOptions{Country: "HU", Key: f.devKey})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "kiln.csr", csr)
	out := run(t, dir, true, "openssl", "req", "-in", "kiln.csr", "-noout", "-verify", "-subject")
	if !strings.Contains(out, "subject=CN = Jane Doe, O = maintainer, C = HU") {
		t.Errorf("openssl req = %q", out)
	}
}
