package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/frontend"
	"github.com/kiln-build/kiln/solve"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/spf13/pflag"
)

// signFlags make kiln build write each syspkg package's signed metainfo.
// The developer key goes to the daemon only as a BuildKit secret.
type signFlags struct {
	on      bool
	baseURL string
	dev     *keyFlags
	signing *frontend.Signing
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
	f.signing = &frontend.Signing{Cert: cert, BaseURL: f.baseURL}
	p.build = append(p.build, frontend.Sign(f.signing))
	return map[string][]byte{frontend.SigningKeySecret: key}, nil
}

// signCollected signs, on daemon d, the metainfo of payloads that several
// daemons built and the build collected into out.
func (f *signFlags) signCollected(ctx context.Context, p *planned, d daemon.Remote, out, progress string, secrets map[string][]byte) error {
	locals := map[string]string{frontend.CollectedLocal: out}
	for k, v := range p.locals {
		locals[k] = v
	}
	o := p.opts
	sum, err := solve.Run(ctx, solve.Request{
		Nodes: []solve.Node{{Daemon: d, Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			return frontend.SignCollected(ctx, c, o, f.signing)
		}}},
		Locals:   locals,
		OutDir:   out,
		Progress: progress,
		Secrets:  secrets,
	})
	if err != nil {
		return fmt.Errorf("signing syspkg metainfo on %s: %w", d.Addr, err)
	}
	for _, file := range sum.Files {
		if strings.HasSuffix(file, ".json") {
			fmt.Fprintln(os.Stdout, file)
		}
	}
	return nil
}
