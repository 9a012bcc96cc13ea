package sign

import (
	"fmt"
	"os"
)

// KeyPair says where a certificate of Kind and its private key are: two
// files, or the key's PEM text in place of the key file (the form CI
// systems and BuildKit secrets hand keys out).
type KeyPair struct {
	Kind     Kind
	CertFile string
	KeyFile  string
	// KeyText, when not empty, is the key itself; KeyFrom names where it
	// came from (e.g. "$KILN_DEV_KEY"), for messages.
	KeyText, KeyFrom string
	// CertHint and KeyHint tell the user how to name the files, added to
	// the error when one cannot be read.
	CertHint, KeyHint string
}

// Load reads the certificate and key, and checks that they belong
// together and that the certificate is of Kind.
func (p KeyPair) Load() (certPEM, keyPEM []byte, err error) {
	if certPEM, err = os.ReadFile(p.CertFile); err != nil {
		return nil, nil, fmt.Errorf("reading %s certificate: %w (%s)", p.Kind, err, p.CertHint)
	}
	if p.KeyText != "" {
		if _, err := ParseKey([]byte(p.KeyText)); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p.KeyFrom, err)
		}
		keyPEM = []byte(p.KeyText)
	} else if keyPEM, err = os.ReadFile(p.KeyFile); err != nil {
		return nil, nil, fmt.Errorf("reading %s key: %w (%s)", p.Kind, err, p.KeyHint)
	}
	if _, err := NewSignerOf(p.Kind, certPEM, keyPEM); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p.CertFile, err)
	}
	return certPEM, keyPEM, nil
}

// Signer is Load as a Signer.
func (p KeyPair) Signer() (*Signer, error) {
	c, k, err := p.Load()
	if err != nil {
		return nil, err
	}
	return NewSigner(c, k)
}
