package sign

import (
	"bytes"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"time"
)

// Describe says in one line what a PEM certificate or certificate request
// is: its kind, subject, issuer, validity, serial and key ("kiln cert
// show").
func Describe(data []byte) (string, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return "", fmt.Errorf("no PEM data")
	}
	switch b.Type {
	case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
		r, err := ParseCSR(data)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("certificate request %q (%s), %s", r.Subject.CommonName, r.Subject, keyDesc(r.PublicKey)), nil
	case "CERTIFICATE":
		c, err := ParseCert(data)
		if err != nil {
			return "", err
		}
		kind := string(KindOf(c))
		if kind == "" {
			kind = "non-syspkg"
		}
		issuer := "self-signed"
		if !bytes.Equal(c.RawIssuer, c.RawSubject) {
			issuer = fmt.Sprintf("issued by %q", c.Issuer.CommonName)
		}
		return fmt.Sprintf("%s certificate %q (%s), %s, valid %s to %s, serial %s, %s", kind, c.Subject.CommonName, c.Subject,
			issuer, c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly), c.SerialNumber, keyDesc(c.PublicKey)), nil
	case "PRIVATE KEY", "RSA PRIVATE KEY":
		return "", fmt.Errorf("this is a private key, not a certificate")
	}
	return "", fmt.Errorf("PEM block %q is not a certificate or certificate request", b.Type)
}

func keyDesc(k any) string {
	if rk, ok := k.(*rsa.PublicKey); ok {
		return fmt.Sprintf("RSA-%d", rk.N.BitLen())
	}
	return fmt.Sprintf("%T key", k)
}
