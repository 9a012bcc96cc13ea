package sign

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/pack/internal/packtest"
)

// now is the creation time of the test certificates; at is a time at which
// they are valid.
var (
	now = time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC)
	at  = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

func testKey(t testing.TB, name string) []byte {
	t.Helper()
	k, err := os.ReadFile(filepath.Join("testdata", name+".test.key"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixture is a repository certificate, a developer certificate (self-signed
// and as issued by the repository) and their keys, all deterministic.
type fixture struct {
	repoCert, repoKey, devCert, devKey, devSigned []byte
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	var f fixture
	var err error
	f.repoKey = testKey(t, "repo")
	f.devKey = testKey(t, "dev")
	if f.repoCert, _, err = NewCert(Repository, "Example Repo", &CertOptions{Country: "HU", Now: now, Serial: big.NewInt(now.Unix()), Key: f.repoKey}); err != nil {
		t.Fatal(err)
	}
	if f.devCert, _, err = NewCert(Developer, "Jane Doe", &CertOptions{Country: "HU", Now: now, Serial: big.NewInt(now.Unix()), Key: f.devKey}); err != nil {
		t.Fatal(err)
	}
	if f.devSigned, err = SignCert(f.repoCert, f.repoKey, f.devCert, &CertOptions{Now: now.Add(time.Hour), Serial: big.NewInt(now.Add(time.Hour).Unix())}); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustCert(t testing.TB, pemData []byte) *x509.Certificate {
	t.Helper()
	c, err := ParseCert(pemData)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSerialsDiffer: certificates made in the same second get different
// random serial numbers (they came from the clock, so they collided).
func TestSerialsDiffer(t *testing.T) {
	key := testKey(t, "dev")
	seen := map[string]bool{}
	for i := 0; i < 2; i++ {
		pemCert, _, err := NewCert(Developer, "Jane Doe", &CertOptions{Now: now, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		c := mustCert(t, pemCert)
		if c.SerialNumber.Sign() <= 0 || c.SerialNumber.BitLen() > 128 {
			t.Errorf("serial %v is not a positive number of at most 128 bits", c.SerialNumber)
		}
		if c.SerialNumber.Cmp(big.NewInt(now.Unix())) == 0 {
			t.Errorf("serial %v is the creation time", c.SerialNumber)
		}
		if seen[c.SerialNumber.String()] {
			t.Errorf("serial %v issued twice", c.SerialNumber)
		}
		seen[c.SerialNumber.String()] = true
	}
	f := newFixture(t)
	a := must2(SignCert(f.repoCert, f.repoKey, f.devCert, &CertOptions{Now: now}))
	b := must2(SignCert(f.repoCert, f.repoKey, f.devCert, &CertOptions{Now: now}))
	if mustCert(t, a).SerialNumber.Cmp(mustCert(t, b).SerialNumber) == 0 {
		t.Errorf("SignCert gave serial %v twice", mustCert(t, a).SerialNumber)
	}
}

func TestNewCertFields(t *testing.T) {
	f := newFixture(t)
	dev := mustCert(t, f.devCert)
	repo := mustCert(t, f.repoCert)
	signed := mustCert(t, f.devSigned)

	if got := dev.Subject.String(); got != "CN=Jane Doe,O=maintainer,C=HU" {
		t.Errorf("developer subject = %q", got)
	}
	if dev.SerialNumber.Int64() != now.Unix() {
		t.Errorf("serial = %v, want the given %d", dev.SerialNumber, now.Unix())
	}
	if want := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); !dev.NotBefore.Equal(want) {
		t.Errorf("NotBefore = %v, want %v", dev.NotBefore, want)
	}
	if want := time.Date(2033, 12, 31, 23, 59, 59, 0, time.UTC); !dev.NotAfter.Equal(want) {
		t.Errorf("NotAfter = %v, want %v", dev.NotAfter, want)
	}
	if dev.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Errorf("signature algorithm = %v", dev.SignatureAlgorithm)
	}
	if KindOf(dev) != Developer || KindOf(repo) != Repository || KindOf(signed) != Developer {
		t.Errorf("kinds: %q %q %q", KindOf(dev), KindOf(repo), KindOf(signed))
	}
	if !repo.IsCA || repo.MaxPathLen != 0 || !repo.MaxPathLenZero || repo.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("repository certificate is not a path-length-0 CA: %+v", repo.BasicConstraintsValid)
	}
	if dev.IsCA || dev.KeyUsage&x509.KeyUsageCertSign != 0 {
		t.Error("developer certificate may issue certificates")
	}
	if err := dev.CheckSignature(dev.SignatureAlgorithm, dev.RawTBSCertificate, dev.Signature); err != nil {
		t.Errorf("self-signature: %v", err)
	}
	// The issued certificate keeps the subject and key, changes the issuer.
	if signed.Subject.String() != dev.Subject.String() || signed.Issuer.String() != repo.Subject.String() {
		t.Errorf("issued certificate: subject %q issuer %q", signed.Subject, signed.Issuer)
	}
	if !signed.PublicKey.(*rsa.PublicKey).Equal(dev.PublicKey) {
		t.Error("issued certificate has another key")
	}
	if err := signed.CheckSignatureFrom(repo); err != nil {
		t.Errorf("issued certificate: %v", err)
	}
}

// TestCertGolden pins the certificates and a signature block made from the
// fixed test keys: same inputs, same bytes.
func TestCertGolden(t *testing.T) {
	f := newFixture(t)
	g := newFixture(t)
	if !bytes.Equal(f.devCert, g.devCert) || !bytes.Equal(f.devSigned, g.devSigned) || !bytes.Equal(f.repoCert, g.repoCert) {
		t.Fatal("certificates differ between two runs with the same inputs")
	}
	packtest.Golden(t, "repo_cert", string(f.repoCert))
	packtest.Golden(t, "dev_cert", string(f.devCert))
	packtest.Golden(t, "dev_signed_cert", string(f.devSigned))

	signed, err := Sign(f.devSigned, f.devKey, []byte("hello\n"))
	if err != nil {
		t.Fatal(err)
	}
	packtest.Golden(t, "signed_hello", string(signed))
}

func TestNewCertGeneratesKey(t *testing.T) {
	if testing.Short() {
		t.Skip("RSA-4096 key generation takes a while")
	}
	certPEM, keyPEM, err := NewCert(Developer, "Gen", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if bits := s.Cert.PublicKey.(*rsa.PublicKey).N.BitLen(); bits != DefaultBits {
		t.Errorf("key has %d bits, want %d", bits, DefaultBits)
	}
	if !strings.HasPrefix(string(keyPEM), "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("key is not PKCS#8 PEM: %.40q", keyPEM)
	}
}

func TestSignVerify(t *testing.T) {
	f := newFixture(t)
	repo, dev, devSigned := mustCert(t, f.repoCert), mustCert(t, f.devCert), mustCert(t, f.devSigned)
	data := []byte("{\n    \"id\": \"hello\"\n}\n")

	bySelf, err := Sign(f.devCert, f.devKey, data)
	if err != nil {
		t.Fatal(err)
	}
	byIssued, err := Sign(f.devSigned, f.devKey, data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Sign(f.devSigned, f.devKey, data)
	if !bytes.Equal(byIssued, again) {
		t.Error("signing twice gives different blocks")
	}

	for _, tc := range []struct {
		name    string
		signed  []byte
		trusted []*x509.Certificate
		at      time.Time
		wantErr string
	}{
		{"self-signed, trusted directly", bySelf, []*x509.Certificate{dev}, at, ""},
		{"issued, trusted through the repository", byIssued, []*x509.Certificate{repo}, at, ""},
		{"issued, trusted directly", byIssued, []*x509.Certificate{devSigned}, at, ""},
		{"self-signed, only the repository trusted", bySelf, []*x509.Certificate{repo}, at, "not trusted"},
		{"nothing trusted", byIssued, nil, at, "not trusted"},
		{"expired", byIssued, []*x509.Certificate{repo}, time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), "not trusted"},
		{"data changed", bytes.Replace(byIssued, []byte("hello"), []byte("hellp"), 1), []*x509.Certificate{repo}, at, "does not verify"},
		{"block missing", data, []*x509.Certificate{repo}, at, "no signature block"},
		{"block cut", byIssued[:len(byIssued)-40], []*x509.Certificate{repo}, at, "no " + EndMarker},
		{"trailing data", append(append([]byte{}, byIssued...), "more\n"...), []*x509.Certificate{repo}, at, "data after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, signer, err := Verify(tc.signed, tc.trusted, tc.at)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Verify error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) || signer.Subject.CommonName != "Jane Doe" {
				t.Errorf("Verify = %q by %q", got, signer.Subject.CommonName)
			}
		})
	}
}

func TestSignerRejects(t *testing.T) {
	f := newFixture(t)
	if _, err := NewSigner(f.devCert, testKey(t, "other")); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Errorf("mismatched key: %v", err)
	}
	if _, err := NewSignerOf(Repository, f.devSigned, f.devKey); err == nil || !strings.Contains(err.Error(), `"Jane Doe" is not a repository certificate`) {
		t.Errorf("developer certificate as a repository's: %v", err)
	}
	if s, err := NewSignerOf(Developer, f.devSigned, f.devKey); err != nil || s.Cert.Subject.CommonName != "Jane Doe" {
		t.Errorf("NewSignerOf(Developer) = %v", err)
	}
	if _, err := SignCert(f.devCert, f.devKey, f.devCert, nil); err == nil || !strings.Contains(err.Error(), "not a repository certificate") {
		t.Errorf("developer signing a certificate: %v", err)
	}
	if _, err := SignCert(f.repoCert, f.repoKey, f.repoCert, nil); err == nil || !strings.Contains(err.Error(), "not a developer certificate") {
		t.Errorf("signing a repository certificate: %v", err)
	}
	if _, _, err := NewCert("vendor", "x", nil); err == nil || !strings.Contains(err.Error(), "unknown certificate kind") {
		t.Errorf("unknown kind: %v", err)
	}
	if _, _, err := NewCert(Developer, "x", &CertOptions{Bits: 1024}); err == nil || !strings.Contains(err.Error(), "too small") {
		t.Errorf("small key: %v", err)
	}
	if _, err := ParseKey([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("encrypted key: %v", err)
	}
}

func TestLoadSigner(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	cp, kp := filepath.Join(dir, "dev.pem"), filepath.Join(dir, "dev.key")
	if err := os.WriteFile(cp, f.devSigned, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kp, f.devKey, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSigner(cp, kp)
	if err != nil {
		t.Fatal(err)
	}
	if s.Cert.Subject.CommonName != "Jane Doe" {
		t.Errorf("loaded %q", s.Cert.Subject.CommonName)
	}
	if _, err := LoadSigner(cp, filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "reading private key") {
		t.Errorf("missing key file: %v", err)
	}
}
