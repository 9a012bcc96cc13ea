package repo

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kiln-build/kiln/pack/syspkg/sign"
)

// SignList makes a signed repository list: one metainfo URL per line (the
// last one ends in a newline too), the repository certificate in PEM, then
// the signature block made with that certificate's key. That is the seed's
// recipe: list the URLs, append the certificate from "cert --repo", sign
// with build. The URLs stay in the order given; a repeated or malformed
// URL is an error.
func SignList(urls []string, s *sign.Signer) ([]byte, error) {
	if sign.KindOf(s.Cert) != sign.Repository {
		return nil, fmt.Errorf("repository list: %q is not a repository certificate", s.Cert.Subject.CommonName)
	}
	var b bytes.Buffer
	seen := map[string]bool{}
	var errs []error
	for _, u := range urls {
		if err := checkURL(u); err != nil {
			errs = append(errs, err)
		} else if seen[u] {
			errs = append(errs, fmt.Errorf("%s: listed twice", u))
		}
		seen[u] = true
		b.WriteString(u + "\n")
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("repository list: %w", err)
	}
	b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Cert.Raw}))
	return s.Sign(b.Bytes())
}

func checkURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || strings.ContainsAny(u, " \t\r\n") {
		return fmt.Errorf("%q is not an http(s) URL", u)
	}
	return nil
}

// List is a verified repository list.
type List struct {
	URLs []string
	Cert *x509.Certificate // the repository certificate
}

// ParseList verifies a signed repository list. The list must be signed
// by the certificate it carries, and that certificate must be one of
// trusted, or, when trusted is nil, it is trusted on first use (the
// repository is being added). at is the verification time (zero: now).
func ParseList(signed []byte, trusted []*x509.Certificate, at time.Time) (*List, error) {
	data, signer, _, err := sign.Split(signed)
	if err != nil {
		return nil, fmt.Errorf("repository list: %w", err)
	}
	i := bytes.Index(data, []byte("-----BEGIN CERTIFICATE-----"))
	if i < 0 || (i > 0 && data[i-1] != '\n') {
		return nil, errors.New("repository list: no repository certificate")
	}
	blk, rest := pem.Decode(data[i:])
	if blk == nil || len(bytes.TrimSpace(rest)) > 0 || !bytes.Equal(blk.Bytes, signer.Raw) {
		return nil, errors.New("repository list: the certificate in the list is not the one that signed it")
	}
	if sign.KindOf(signer) != sign.Repository {
		return nil, fmt.Errorf("repository list: %q is not a repository certificate", signer.Subject.CommonName)
	}
	if trusted == nil {
		trusted = []*x509.Certificate{signer}
	}
	if _, _, err := sign.Verify(signed, trusted, at); err != nil {
		return nil, fmt.Errorf("repository list: %w", err)
	}
	r := &List{Cert: signer}
	for _, line := range strings.Split(string(data[:i]), "\n") {
		if line == "" {
			continue
		}
		if err := checkURL(line); err != nil {
			return nil, fmt.Errorf("repository list: %w", err)
		}
		r.URLs = append(r.URLs, line)
	}
	return r, nil
}
