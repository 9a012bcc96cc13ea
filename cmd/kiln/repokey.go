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

// pair is where the flags and the environment say the files are.
func (k *keyFlags) pair() sign.KeyPair {
	p := sign.KeyPair{Kind: k.kind, CertFile: k.cert, KeyFile: k.key,
		CertHint: fmt.Sprintf("pass --%s-cert FILE", k.flag), KeyHint: fmt.Sprintf("pass --%s-key FILE or set $%s_KEY", k.flag, k.env)}
	if !k.flags.Changed(k.flag + "-key") {
		p.KeyText, p.KeyFrom = os.Getenv(k.env+"_KEY"), "$"+k.env+"_KEY"
	}
	return p
}
