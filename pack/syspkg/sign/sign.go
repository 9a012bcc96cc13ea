package sign

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// The lines around a signature block, as in the seed. They have six dashes,
// unlike PEM's five, so PEM tools do not mistake the block for theirs.
const (
	BeginMarker = "------BEGIN SIGNATURE------"
	EndMarker   = "------END SIGNATURE------"
)

// lineLen is the base64 line length inside a block, as in the seed and PEM.
const lineLen = 64

// Signer signs with one certificate and its private key.
type Signer struct {
	// Cert is the certificate written into every block.
	Cert *x509.Certificate
	key  *rsa.PrivateKey
}

// NewSigner pairs a PEM certificate with its PEM private key, checking that
// they belong together.
func NewSigner(certPEM, keyPEM []byte) (*Signer, error) {
	cert, err := ParseCert(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := ParseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, fmt.Errorf("private key does not belong to certificate %q", cert.Subject.CommonName)
	}
	return &Signer{Cert: cert, key: key}, nil
}

// NewSignerOf is NewSigner for a certificate of kind only.
func NewSignerOf(kind Kind, certPEM, keyPEM []byte) (*Signer, error) {
	s, err := NewSigner(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	if KindOf(s.Cert) != kind {
		return nil, fmt.Errorf("%q is not a %s certificate (make one with kiln cert %s)", s.Cert.Subject.CommonName, kind, kind)
	}
	return s, nil
}

// LoadSigner is NewSigner on files (e.g. BuildKit secret mounts).
func LoadSigner(certPath, keyPath string) (*Signer, error) {
	c, err := readFile("certificate", certPath)
	if err != nil {
		return nil, err
	}
	k, err := readFile("private key", keyPath)
	if err != nil {
		return nil, err
	}
	return NewSigner(c, k)
}

// Block returns the signature block for data: BeginMarker, the base64 of
// the signer's DER certificate immediately followed by the RSA PKCS#1 v1.5
// signature of SHA-256(data), in 64-character lines, and EndMarker, each
// line ending in "\n". PKCS#1 v1.5 is deterministic, so the same data and
// key always give the same block.
func (s *Signer) Block(data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	sig, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, sum[:])
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	raw := append(append([]byte{}, s.Cert.Raw...), sig...)
	enc := base64.StdEncoding.EncodeToString(raw)
	var b bytes.Buffer
	b.WriteString(BeginMarker + "\n")
	for len(enc) > 0 {
		n := min(lineLen, len(enc))
		b.WriteString(enc[:n] + "\n")
		enc = enc[n:]
	}
	b.WriteString(EndMarker + "\n")
	return b.Bytes(), nil
}

// Sign returns data followed by its signature block. data should end with
// a newline so that the block starts on a line of its own.
func (s *Signer) Sign(data []byte) ([]byte, error) {
	blk, err := s.Block(data)
	if err != nil {
		return nil, err
	}
	return append(append([]byte{}, data...), blk...), nil
}

// Sign signs data with a PEM certificate and key: data followed by its
// signature block.
func Sign(certPEM, keyPEM, data []byte) ([]byte, error) {
	s, err := NewSigner(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	return s.Sign(data)
}

// Split takes signed text apart: the signed bytes (everything before the
// last BeginMarker line), the certificate and the raw signature. It checks
// the block's shape but not the signature; see Verify.
func Split(signed []byte) (data []byte, cert *x509.Certificate, sig []byte, err error) {
	begin := []byte(BeginMarker + "\n")
	i := bytes.LastIndex(signed, begin)
	if i < 0 || (i > 0 && signed[i-1] != '\n') {
		return nil, nil, nil, errors.New("no signature block (" + BeginMarker + ")")
	}
	data = signed[:i]
	body := signed[i+len(begin):]
	j := bytes.Index(body, []byte(EndMarker))
	if j < 0 || (j > 0 && body[j-1] != '\n') {
		return nil, nil, nil, errors.New("signature block has no " + EndMarker + " line")
	}
	if tail := bytes.TrimSpace(body[j+len(EndMarker):]); len(tail) > 0 {
		return nil, nil, nil, errors.New("data after the signature block")
	}
	raw, err := base64.StdEncoding.DecodeString(string(bytes.ReplaceAll(body[:j], []byte("\n"), nil)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("signature block: %w", err)
	}
	// The certificate is one DER SEQUENCE; the signature is what follows.
	rest, err := asn1.Unmarshal(raw, &asn1.RawValue{})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("signature block: certificate: %w", err)
	}
	cert, err = x509.ParseCertificate(raw[:len(raw)-len(rest)])
	if err != nil {
		return nil, nil, nil, fmt.Errorf("signature block: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, nil, nil, fmt.Errorf("signature block: certificate key is %T, not RSA", cert.PublicKey)
	}
	if len(rest) != pub.Size() {
		return nil, nil, nil, fmt.Errorf("signature block: signature is %d bytes, want %d", len(rest), pub.Size())
	}
	return data, cert, rest, nil
}

// Verify checks signed text: the signature over the data must be made by the
// block's certificate, and that certificate must be one of trusted or be
// issued by one of them (a repository), valid at time at (zero: now). It
// returns the signed data and the signer's certificate.
func Verify(signed []byte, trusted []*x509.Certificate, at time.Time) (data []byte, signer *x509.Certificate, err error) {
	data, cert, sig, err := Split(signed)
	if err != nil {
		return nil, nil, err
	}
	if err := cert.CheckSignature(x509.SHA256WithRSA, data, sig); err != nil {
		return nil, nil, fmt.Errorf("signature by %q does not verify: %w", cert.Subject.CommonName, err)
	}
	if err := VerifyCert(cert, trusted, at); err != nil {
		return nil, nil, err
	}
	return data, cert, nil
}

// VerifyCert checks that cert is trusted: one of trusted itself, or issued
// by one of them, valid at time at (zero: now).
func VerifyCert(cert *x509.Certificate, trusted []*x509.Certificate, at time.Time) error {
	roots := x509.NewCertPool()
	for _, t := range trusted {
		roots.AddCert(t)
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:       roots,
		CurrentTime: at,
		// syspkg certificates carry no extended key usage; the default
		// would demand TLS server auth.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("certificate %q is not trusted: %w", cert.Subject.CommonName, err)
	}
	return nil
}
