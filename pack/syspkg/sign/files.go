package sign

import (
	"errors"

	"github.com/kiln-build/kiln/internal/atomicfile"
)

// CertFiles name what kiln cert developer and kiln cert repository write:
// a certificate, or a certificate signing request, and its private key.
type CertFiles struct {
	// Out is the files' name without extension: Out.pem (Out.csr for a
	// request) and Out.key.
	Out string
	// CSR writes a developer's certificate signing request (NewCSR)
	// instead of a self-signed certificate.
	CSR bool
	// Replace replaces existing files. Without it an existing file is an
	// *fs.PathError wrapping fs.ErrExist, found before a key is made.
	Replace bool
}

// Create makes a certificate of kind for name (NewCert, or NewCSR) and
// writes it and, unless opts.Key is an existing key, the new private key
// (mode 0600). The key is written first: a certificate without its key is
// useless, a key without a certificate can be certified again. Create
// returns the files written, also when a later one failed.
func (f CertFiles) Create(kind Kind, name string, opts *CertOptions) (written []string, err error) {
	certPath, keyPath := f.Out+".pem", f.Out+".key"
	if f.CSR {
		if kind != Developer {
			return nil, errors.New("only developers send certificate signing requests")
		}
		certPath = f.Out + ".csr"
	}
	newKey := opts == nil || opts.Key == nil
	if !f.Replace {
		outputs := []string{certPath}
		if newKey {
			outputs = append(outputs, keyPath)
		}
		if err := atomicfile.CheckAbsent(outputs...); err != nil {
			return nil, err
		}
	}
	var certPEM, keyPEM []byte
	if f.CSR {
		certPEM, keyPEM, err = NewCSR(name, opts)
	} else {
		certPEM, keyPEM, err = NewCert(kind, name, opts)
	}
	if err != nil {
		return nil, err
	}
	write := atomicfile.Create
	if f.Replace {
		write = atomicfile.Write
	}
	if newKey {
		if err := write(keyPath, keyPEM, 0o600); err != nil {
			return nil, err
		}
		written = append(written, keyPath)
	}
	if err := write(certPath, certPEM, 0o644); err != nil {
		return written, err
	}
	return append(written, certPath), nil
}
