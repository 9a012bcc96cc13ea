package sign

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// A developer may send a repository owner a certificate signing request
// instead of a self-signed certificate: the usual form in X.509 tooling
// (openssl req), and it proves key possession the same way. SignRequest
// accepts either and issues the same developer certificate.

// NewCSR makes a developer key (or takes opts.Key) and a certificate
// signing request for name, both PEM ("CERTIFICATE REQUEST", PKCS#8
// "PRIVATE KEY"). Its subject is what NewCert would write.
func NewCSR(name string, opts *CertOptions) (csrPEM, keyPEM []byte, err error) {
	if opts == nil {
		opts = &CertOptions{}
	}
	if name == "" {
		return nil, nil, errors.New("certificate name is empty")
	}
	org, _ := Developer.organization()
	subject, err := rawName(name, org, opts.Country)
	if err != nil {
		return nil, nil, err
	}
	key, err := opts.key()
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		RawSubject:         subject,
		SignatureAlgorithm: x509.SHA256WithRSA,
	}, key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating certificate request: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return encodePEM("CERTIFICATE REQUEST", der), encodePEM("PRIVATE KEY", keyDER), nil
}

// ParseCSR reads one PEM certificate signing request and checks its
// self-signature.
func ParseCSR(data []byte) (*x509.CertificateRequest, error) {
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("parsing certificate request: no PEM CERTIFICATE REQUEST block")
		}
		if b.Type != "CERTIFICATE REQUEST" && b.Type != "NEW CERTIFICATE REQUEST" {
			continue
		}
		r, err := x509.ParseCertificateRequest(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing certificate request: %w", err)
		}
		if err := r.CheckSignature(); err != nil {
			return nil, fmt.Errorf("certificate request %q: bad signature: %w", r.Subject.CommonName, err)
		}
		return r, nil
	}
}

// SignCSR issues a developer certificate for a certificate signing request
// with the repository certificate and key: the request's subject (byte for
// byte) and key, validity as NewCert gives, issuer the repository. The
// request must name a developer (O=maintainer) and carry an RSA key of at
// least MinBits; extensions it asks for are ignored.
func SignCSR(repoCertPEM, repoKeyPEM, csrPEM []byte, opts *CertOptions) ([]byte, error) {
	s, err := repoSigner(repoCertPEM, repoKeyPEM)
	if err != nil {
		return nil, err
	}
	req, err := ParseCSR(csrPEM)
	if err != nil {
		return nil, err
	}
	name := req.Subject.CommonName
	if name == "" {
		return nil, errors.New("certificate request: subject has no common name (CN)")
	}
	if o := req.Subject.Organization; len(o) != 1 || o[0] != "maintainer" {
		return nil, fmt.Errorf("certificate request %q: subject O is %q, a developer's is \"maintainer\"", name, o)
	}
	pub, ok := req.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("certificate request %q: %T key, syspkg signs with RSA", name, req.PublicKey)
	}
	if pub.N.BitLen() < MinBits {
		return nil, fmt.Errorf("certificate request %q: RSA key of %d bits is too small (at least %d)", name, pub.N.BitLen(), MinBits)
	}
	notBefore, notAfter := opts.validity()
	serial, err := opts.serial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		RawSubject:            req.RawSubject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		SignatureAlgorithm:    x509.SHA256WithRSA,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.Cert, pub, s.key)
	if err != nil {
		return nil, fmt.Errorf("signing certificate request %q: %w", name, err)
	}
	return encodePEM("CERTIFICATE", der), nil
}

// SignRequest is "cert --sign": it issues a developer certificate for what
// a developer sent, a self-signed certificate (SignCert) or a certificate
// signing request (SignCSR), told apart by the PEM block type.
func SignRequest(repoCertPEM, repoKeyPEM, request []byte, opts *CertOptions) ([]byte, error) {
	for rest := request; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("no PEM CERTIFICATE or CERTIFICATE REQUEST block")
		}
		switch b.Type {
		case "CERTIFICATE":
			return SignCert(repoCertPEM, repoKeyPEM, request, opts)
		case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
			return SignCSR(repoCertPEM, repoKeyPEM, request, opts)
		}
	}
}

// repoSigner is NewSigner for a repository certificate only.
func repoSigner(certPEM, keyPEM []byte) (*Signer, error) {
	s, err := NewSigner(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	if KindOf(s.Cert) != Repository {
		return nil, fmt.Errorf("signing certificate: %q is not a repository certificate", s.Cert.Subject.CommonName)
	}
	return s, nil
}
