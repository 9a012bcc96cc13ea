// Package sign makes and checks syspkg certificates and signature blocks.
//
// syspkg trusts packages through X.509 certificates: a developer
// ("maintainer") certificate signs package metainfo, and a repository
// certificate signs repository lists and issues (re-signs) developer
// certificates. Users install packages signed by a certificate they trust or
// by one issued by a repository they use. The certificate in the seed's
// signature block is RSA with sha256WithRSAEncryption, subject
// CN=<name>, O=maintainer, C=<country>, its serial the creation time in Unix
// seconds and its validity starting on January 1st; that is what NewCert
// makes. Only the standard library is needed: the block is a bare DER
// certificate followed by a PKCS#1 v1.5 signature, not CMS.
//
// Keys only ever come in as PEM bytes (or paths to them): kiln hands them to
// the build graph as BuildKit secrets.
package sign

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"time"
)

// Kind is what a certificate is for.
type Kind string

const (
	// Developer certificates sign package metainfo. The seed's certificate
	// names this kind O=maintainer.
	Developer Kind = "developer"
	// Repository certificates sign repository lists and developer
	// certificates; they are CAs that may issue only end-entity certs.
	Repository Kind = "repository"
)

// organization is the subject O a certificate of kind k carries, which is
// also how KindOf tells the kinds apart.
func (k Kind) organization() (string, error) {
	switch k {
	case Developer:
		return "maintainer", nil
	case Repository:
		return "repository", nil
	}
	return "", fmt.Errorf("unknown certificate kind %q (want %q or %q)", k, Developer, Repository)
}

// DefaultBits is the RSA modulus size of new keys, as in the seed's
// certificate (a 4096-bit key signing with SHA-256).
const DefaultBits = 4096

// DefaultYears is how long a new certificate is valid, counted from
// January 1st of the year it is made.
const DefaultYears = 10

// CertOptions tune NewCert and SignCert; the zero value is the default.
type CertOptions struct {
	// Country is the subject's C= (two letters), left out when empty.
	Country string
	// Bits is the RSA modulus size of a generated key (default DefaultBits).
	Bits int
	// Now is the creation time (default: the clock). It sets the
	// validity; tests pass a fixed time.
	Now time.Time
	// Serial is the certificate's serial number (default: a random
	// 128-bit number, so two certificates issued in one second differ);
	// tests pass a fixed one.
	Serial *big.Int
	// Years is the validity period (default DefaultYears).
	Years int
	// Key is an existing PEM private key to certify instead of generating
	// one, e.g. to renew a certificate.
	Key []byte
}

func (o *CertOptions) now() time.Time {
	if o == nil || o.Now.IsZero() {
		return time.Now().UTC()
	}
	return o.Now.UTC()
}

// serial is the serial number of a new certificate: Serial, or a random
// positive number of up to 128 bits from crypto/rand (RFC 5280 allows 20
// octets; 128 bits of randomness make a collision practically impossible).
func (o *CertOptions) serial() (*big.Int, error) {
	if o != nil && o.Serial != nil {
		return new(big.Int).Set(o.Serial), nil
	}
	for {
		n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
		if err != nil {
			return nil, fmt.Errorf("making a certificate serial number: %w", err)
		}
		if n.Sign() > 0 {
			return n, nil
		}
	}
}

// validity is the period of a new certificate: from January 1st of the
// creation year, Years (default DefaultYears) long.
func (o *CertOptions) validity() (notBefore, notAfter time.Time) {
	years := DefaultYears
	if o != nil && o.Years > 0 {
		years = o.Years
	}
	start := time.Date(o.now().Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(years, 0, 0).Add(-time.Second)
}

// key is the private key to certify: Key parsed, or a new one of Bits.
func (o *CertOptions) key() (*rsa.PrivateKey, error) {
	if o.Key != nil {
		return ParseKey(o.Key)
	}
	bits := o.Bits
	if bits == 0 {
		bits = DefaultBits
	}
	if bits < MinBits {
		return nil, fmt.Errorf("RSA key of %d bits is too small (at least %d)", bits, MinBits)
	}
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("generating key: %w", err)
	}
	return key, nil
}

// MinBits is the smallest RSA key kiln makes or certifies.
const MinBits = 2048

// NewCert makes a self-signed certificate of kind for name and returns it
// with its private key, both PEM ("CERTIFICATE", PKCS#8 "PRIVATE KEY").
func NewCert(kind Kind, name string, opts *CertOptions) (certPEM, keyPEM []byte, err error) {
	if opts == nil {
		opts = &CertOptions{}
	}
	org, err := kind.organization()
	if err != nil {
		return nil, nil, err
	}
	if name == "" {
		return nil, nil, errors.New("certificate name is empty")
	}
	subject, err := rawName(name, org, opts.Country)
	if err != nil {
		return nil, nil, err
	}
	key, err := opts.key()
	if err != nil {
		return nil, nil, err
	}
	serial, err := opts.serial()
	if err != nil {
		return nil, nil, err
	}
	notBefore, notAfter := opts.validity()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		RawSubject:            subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		SignatureAlgorithm:    x509.SHA256WithRSA,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if kind == Repository {
		// A repository issues developer certificates only, never
		// further CAs: MaxPathLen 0.
		tmpl.IsCA = true
		tmpl.MaxPathLenZero = true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating %s certificate: %w", kind, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return encodePEM("CERTIFICATE", der), encodePEM("PRIVATE KEY", keyDER), nil
}

// SignCert issues the developer certificate dev anew with the repository
// certificate repo (and its key): same subject, key and validity, issuer the
// repository. This is "cert --sign": the result goes back to the developer.
// A self-signed dev certificate must carry a valid self-signature, which
// shows its sender holds the key.
func SignCert(repoCertPEM, repoKeyPEM, devCertPEM []byte, opts *CertOptions) ([]byte, error) {
	s, err := repoSigner(repoCertPEM, repoKeyPEM)
	if err != nil {
		return nil, err
	}
	dev, err := ParseCert(devCertPEM)
	if err != nil {
		return nil, err
	}
	if KindOf(dev) != Developer {
		return nil, fmt.Errorf("signing certificate: %q is not a developer certificate", dev.Subject.CommonName)
	}
	if bytes.Equal(dev.RawIssuer, dev.RawSubject) {
		// CheckSignatureFrom would demand a CA parent; check the bare signature.
		if err := dev.CheckSignature(dev.SignatureAlgorithm, dev.RawTBSCertificate, dev.Signature); err != nil {
			return nil, fmt.Errorf("signing certificate: %q: bad self-signature: %w", dev.Subject.CommonName, err)
		}
	}
	serial, err := opts.serial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		RawSubject:            dev.RawSubject, // byte for byte, not re-encoded
		NotBefore:             dev.NotBefore,
		NotAfter:              dev.NotAfter,
		SignatureAlgorithm:    x509.SHA256WithRSA,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.Cert, dev.PublicKey, s.key)
	if err != nil {
		return nil, fmt.Errorf("signing certificate %q: %w", dev.Subject.CommonName, err)
	}
	return encodePEM("CERTIFICATE", der), nil
}

// rawName encodes a subject as the seed's certificate does: CN, O, then C,
// the first two as UTF8String and the country as PrintableString. Go's
// pkix.Name would write C first and pick the string types itself.
func rawName(cn, org, country string) ([]byte, error) {
	utf8 := func(s string) asn1.RawValue {
		return asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(s)}
	}
	rdn := pkix.RDNSequence{
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: utf8(cn)}},
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: utf8(org)}},
	}
	if country != "" {
		if len(country) != 2 {
			return nil, fmt.Errorf("country %q is not a two-letter code", country)
		}
		rdn = append(rdn, pkix.RelativeDistinguishedNameSET{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: asn1.RawValue{Tag: asn1.TagPrintableString, Bytes: []byte(country)}},
		})
	}
	return asn1.Marshal(rdn)
}

// KindOf tells a certificate's kind from its subject O and CA flag; it
// returns "" for a certificate that is neither kind.
func KindOf(c *x509.Certificate) Kind {
	if len(c.Subject.Organization) != 1 {
		return ""
	}
	switch o := c.Subject.Organization[0]; {
	case o == "maintainer" && !c.IsCA:
		return Developer
	case o == "repository" && c.IsCA:
		return Repository
	}
	return ""
}

// ParseCert reads one PEM certificate (the first CERTIFICATE block).
func ParseCert(data []byte) (*x509.Certificate, error) {
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("parsing certificate: no PEM CERTIFICATE block")
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing certificate: %w", err)
		}
		return c, nil
	}
}

// ParseKey reads an RSA private key in PEM: PKCS#8 ("PRIVATE KEY") or
// PKCS#1 ("RSA PRIVATE KEY"). Encrypted keys are not supported: kiln gets
// keys as build secrets, already in the clear inside the build.
func ParseKey(data []byte) (*rsa.PrivateKey, error) {
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("parsing private key: no PEM PRIVATE KEY block")
		}
		switch b.Type {
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parsing private key: %w", err)
			}
			return k, nil
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parsing private key: %w", err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("parsing private key: %T is not an RSA key (syspkg signs with RSA)", k)
			}
			return rk, nil
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("parsing private key: encrypted keys are not supported")
		}
	}
}

// readFile reads a key or certificate file, naming it in errors.
func readFile(kind, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", kind, err)
	}
	return data, nil
}

func encodePEM(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
