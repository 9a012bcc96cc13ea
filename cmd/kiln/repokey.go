package main

import (
	"cmp"
	"fmt"
	"os"

	"github.com/kiln-build/kiln/pack/syspkg/sign"
	"github.com/spf13/pflag"
)

// keyFlags is how a command finds a certificate and its private key: files
// named by flags (defaults from the environment, then the names `kiln cert`
// writes), or the key's PEM text in an environment variable, the form CI
// systems and BuildKit secrets hand out.
type keyFlags struct {
	kind      sign.Kind
	flag, env string // "repo", "KILN_REPO": --repo-cert, $KILN_REPO_KEY, ...
	cert, key string
	flags     *pflag.FlagSet
}

func repoKeyFlags() *keyFlags {
	return &keyFlags{kind: sign.Repository, flag: "repo", env: "KILN_REPO"}
}

func devKeyFlags() *keyFlags { return &keyFlags{kind: sign.Developer, flag: "dev", env: "KILN_DEV"} }

func (k *keyFlags) register(f *pflag.FlagSet) {
	k.flags = f
	f.StringVar(&k.cert, k.flag+"-cert", cmp.Or(os.Getenv(k.env+"_CERT"), string(k.kind)+".pem"),
		fmt.Sprintf("%s certificate (PEM) [$%s_CERT]", k.kind, k.env))
	f.StringVar(&k.key, k.flag+"-key", cmp.Or(os.Getenv(k.env+"_KEY_FILE"), string(k.kind)+".key"),
		fmt.Sprintf("%s private key (PEM); without this flag the key's text in $%s_KEY is used when set [$%s_KEY_FILE]", k.kind, k.env, k.env))
}

// load reads the certificate and key, checks they belong together and
// that the certificate is of the right kind.
func (k *keyFlags) load() (certPEM, keyPEM []byte, err error) {
	if certPEM, err = os.ReadFile(k.cert); err != nil {
		return nil, nil, fmt.Errorf("reading %s certificate: %w (pass --%s-cert FILE)", k.kind, err, k.flag)
	}
	if text := os.Getenv(k.env + "_KEY"); text != "" && !k.flags.Changed(k.flag+"-key") {
		if _, err := sign.ParseKey([]byte(text)); err != nil {
			return nil, nil, fmt.Errorf("$%s_KEY: %w", k.env, err)
		}
		keyPEM = []byte(text)
	} else if keyPEM, err = os.ReadFile(k.key); err != nil {
		return nil, nil, fmt.Errorf("reading %s key: %w (pass --%s-key FILE or set $%s_KEY)", k.kind, err, k.flag, k.env)
	}
	if _, err := sign.NewSignerOf(k.kind, certPEM, keyPEM); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", k.cert, err)
	}
	return certPEM, keyPEM, nil
}

// signer is load as a sign.Signer.
func (k *keyFlags) signer() (*sign.Signer, error) {
	c, key, err := k.load()
	if err != nil {
		return nil, err
	}
	return sign.NewSigner(c, key)
}
