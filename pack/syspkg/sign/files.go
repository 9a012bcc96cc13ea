package sign

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	// KeyFile, when set, is an existing private key (PEM) to certify
	// instead of making one (CertOptions.Key read from a file).
	KeyFile string
}

// ErrNoName is the error for a certificate without a name.
var ErrNoName = errors.New(`the certificate needs a name: the developer's or repository's canonical name, e.g. "Jane Doe"`)

// Create makes a certificate of kind for name (NewCert, or NewCSR) and
// writes it and, unless opts.Key is an existing key, the new private key
// (mode 0600). The key is written first: a certificate without its key is
// useless, a key without a certificate can be certified again. Create
// returns the files written, also when a later one failed.
func (f CertFiles) Create(kind Kind, name string, opts *CertOptions) (written []string, err error) {
	if strings.TrimSpace(name) == "" {
		return nil, ErrNoName
	}
	if f.KeyFile != "" {
		o := CertOptions{}
		if opts != nil {
			o = *opts
		}
		if o.Key, err = readKey(f.KeyFile); err != nil {
			return nil, err
		}
		opts = &o
	}
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

func readKey(file string) ([]byte, error) {
	k, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the key to certify: %w", err)
	}
	if _, err := ParseKey(k); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return k, nil
}

// Issue makes the repository of repo issue the developer certificate or
// request in the file in (SignRequest) and writes it to out (default: in's
// name with -signed.pem); it returns the file written.
func Issue(in, out string, repo KeyPair, opts *CertOptions, replace bool) (string, error) {
	request, err := os.ReadFile(in)
	if err != nil {
		return "", fmt.Errorf("reading developer certificate: %w", err)
	}
	repoCert, repoKey, err := repo.Load()
	if err != nil {
		return "", err
	}
	issued, err := SignRequest(repoCert, repoKey, request, opts)
	if err != nil {
		return "", fmt.Errorf("%s: %w", in, err)
	}
	if out == "" {
		out = strings.TrimSuffix(in, filepath.Ext(in)) + "-signed.pem"
	}
	write := atomicfile.Create
	if replace {
		write = atomicfile.Write
	}
	return out, write(out, issued, 0o644)
}
