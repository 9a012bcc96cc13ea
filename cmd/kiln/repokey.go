package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/kiln-build/kiln/pack/syspkg/sign"
	"github.com/spf13/pflag"
)

// repoKey is how a command finds the repository certificate and its
// private key: files named by flags (defaults from the environment, then
// the names `kiln cert repository` writes), or the key's PEM text in
// $KILN_REPO_KEY, the form CI systems and BuildKit secrets hand out.
type repoKey struct {
	cert, key string
	flags     *pflag.FlagSet
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (r *repoKey) register(f *pflag.FlagSet) {
	r.flags = f
	f.StringVar(&r.cert, "repo-cert", envOr("KILN_REPO_CERT", "repository.pem"), "repository certificate (PEM) [$KILN_REPO_CERT]")
	f.StringVar(&r.key, "repo-key", envOr("KILN_REPO_KEY_FILE", "repository.key"),
		"repository private key (PEM); without this flag the key's text in $KILN_REPO_KEY is used when set [$KILN_REPO_KEY_FILE]")
}

// load reads the certificate and key and checks they belong together.
func (r *repoKey) load() (certPEM, keyPEM []byte, err error) {
	certPEM, err = os.ReadFile(r.cert)
	if err != nil {
		return nil, nil, fmt.Errorf("reading repository certificate: %w (pass --repo-cert FILE)", err)
	}
	if text := os.Getenv("KILN_REPO_KEY"); text != "" && !r.flags.Changed("repo-key") {
		keyPEM = []byte(text)
		if _, err := sign.ParseKey(keyPEM); err != nil {
			return nil, nil, fmt.Errorf("$KILN_REPO_KEY: %w", err)
		}
	} else if keyPEM, err = os.ReadFile(r.key); err != nil {
		return nil, nil, fmt.Errorf("reading repository key: %w (pass --repo-key FILE or set $KILN_REPO_KEY)", err)
	}
	s, err := sign.NewSigner(certPEM, keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", r.cert, err)
	}
	if sign.KindOf(s.Cert) != sign.Repository {
		return nil, nil, fmt.Errorf("%s: %q is not a repository certificate (make one with kiln cert repository)", r.cert, s.Cert.Subject.CommonName)
	}
	return certPEM, keyPEM, nil
}

// signer is load as a sign.Signer.
func (r *repoKey) signer() (*sign.Signer, error) {
	c, k, err := r.load()
	if err != nil {
		return nil, err
	}
	return sign.NewSigner(c, k)
}

var errNoName = errors.New("the certificate needs a name: the developer's or repository's canonical name, e.g. \"Jane Doe\"")
