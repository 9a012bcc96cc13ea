package main

import (
	"github.com/kiln-build/kiln/frontend"
	"github.com/spf13/pflag"
)

// signFlags make kiln build write each syspkg package's signed metainfo.
// The developer key goes to the daemon only as a BuildKit secret.
type signFlags struct {
	on      bool
	baseURL string
	dev     *keyFlags
}

func (f *signFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.on, "sign", false, "write each syspkg package's metainfo, signed with the developer certificate (--dev-cert, --dev-key)")
	fs.StringVar(&f.baseURL, "syspkg-url", "", "where the syspkg payloads will be published, for metainfo whose recipe gives no formats.syspkg.url")
	f.dev = devKeyFlags()
	f.dev.register(fs)
}

// apply checks the certificate and key (they must belong together) and
// returns the secrets the build needs.
func (f *signFlags) apply(p *planned) (map[string][]byte, error) {
	if !f.on {
		return nil, nil
	}
	cert, key, err := f.dev.load()
	if err != nil {
		return nil, err
	}
	p.build = append(p.build, frontend.Sign(&frontend.Signing{Cert: cert, BaseURL: f.baseURL}))
	return map[string][]byte{frontend.SigningKeySecret: key}, nil
}
