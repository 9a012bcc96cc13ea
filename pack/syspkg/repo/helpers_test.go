package repo

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
	"github.com/kiln-build/kiln/pack/syspkg"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// The fixtures are pack/syspkg's: its fixed test keys and the seed's
// example metainfo.

// verifyAt is a time at which the test certificates are valid.
var verifyAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// testKey reads one of sign's fixed test keys.
func testKey(t testing.TB, name string) []byte {
	t.Helper()
	k, err := os.ReadFile(filepath.Join("..", "sign", "testdata", name+".test.key"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testSigner makes a certificate of kind from a fixed test key at a fixed
// time, so signed golden files are stable.
func testSigner(t testing.TB, key, name string, kind sign.Kind) *sign.Signer {
	t.Helper()
	k := testKey(t, key)
	cert, _, err := sign.NewCert(kind, name, &sign.CertOptions{Key: k, Country: "HU", Now: time.Unix(packtest.Epoch, 0), Serial: big.NewInt(packtest.Epoch)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.NewSigner(cert, k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// issuedSigner is a developer certificate the repository repo issued.
func issuedSigner(t testing.TB, repo *sign.Signer) *sign.Signer {
	t.Helper()
	self := testSigner(t, "dev", "Jane Doe", sign.Developer)
	issued, err := sign.SignCert(pemCert(repo.Cert), testKey(t, "repo"), pemCert(self.Cert), &sign.CertOptions{Now: time.Unix(packtest.Epoch, 0), Serial: big.NewInt(packtest.Epoch)})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := sign.NewSigner(issued, testKey(t, "dev"))
	if err != nil {
		t.Fatal(err)
	}
	return dev
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// seedMeta is the seed's example metainfo.
func seedMeta(t testing.TB) *syspkg.Meta {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "seed_example.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := syspkg.ParseMeta(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// helloPackage is kiln's package metadata of a small package.
func helloPackage() *pack.Package {
	return &pack.Package{
		Name: "hello", Version: "1:1.2~beta1-3", Arch: "x86_64",
		Maintainer: "Jane Doe <jane@example.org>", Summary: "Friendly greeter",
		Description: "Hello prints a friendly greeting.", Section: "tools", License: "MIT",
		Epoch: packtest.Epoch,
	}
}

// writePayload packs a one-file tree as p's payload into dir and returns
// its path.
func writePayload(t testing.TB, dir string, p *pack.Package) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "usr", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "usr", "bin", "hello"), []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := (syspkg.Format{}).Pack(p, root, &b); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, syspkg.Format{}.FileName(p))
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// writeSigned writes m signed by s.
func writeSigned(t testing.TB, file string, m *syspkg.Meta, s *sign.Signer) {
	t.Helper()
	signed, err := syspkg.Sign(m, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, signed, 0o644); err != nil {
		t.Fatal(err)
	}
}

// repoDir writes a repository directory: hello's x86_64 payload and its
// metainfo ("hello pkg.json") signed by a developer certificate the
// repository issued.
func repoDir(t *testing.T) (dir string, repo *sign.Signer, dev *sign.Signer) {
	t.Helper()
	dir = t.TempDir()
	repo = testSigner(t, "repo", "Example Repo", sign.Repository)
	dev = issuedSigner(t, repo)
	p := helloPackage()
	s, err := syspkg.ScanPayloadFile("hello", "x86_64", writePayload(t, dir, p))
	if err != nil {
		t.Fatal(err)
	}
	m, err := syspkg.FromPackage(p, syspkg.DefaultURL("https://example.org/repo", "hello"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Index(s); err != nil {
		t.Fatal(err)
	}
	writeSigned(t, filepath.Join(dir, "hello pkg.json"), m, dev)
	return dir, repo, dev
}
