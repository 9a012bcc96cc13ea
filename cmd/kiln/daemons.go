package main

import (
	"context"
	"fmt"
	"os"

	"github.com/kiln-build/kiln/daemon"
	"github.com/spf13/pflag"
)

// daemonFlags say which BuildKit daemons a command talks to: --addr (one
// or several), a builder file, and the mutual-TLS files for tcp:// daemons.
type daemonFlags struct {
	addrs   []string
	builder string
	tls     daemon.Remote // TLS settings shared by every --addr
}

func (d *daemonFlags) flags(f *pflag.FlagSet) {
	var env []string
	if v := os.Getenv("KILN_ADDR"); v != "" {
		env = []string{v}
	}
	f.StringArrayVar(&d.addrs, "addr", env, "BuildKit daemon address (unix:// or tcp://); repeat or comma-separate to spread the build over several; default: kiln's own managed daemon [$KILN_ADDR]")
	f.StringVar(&d.builder, "builder", os.Getenv("KILN_BUILDER"), "file listing the daemons to build on, each with its own TLS files [$KILN_BUILDER]")
	f.StringVar(&d.tls.CACert, "tlscacert", os.Getenv("KILN_TLSCACERT"), "CA certificate that signed the daemons' certificates [$KILN_TLSCACERT]")
	f.StringVar(&d.tls.Cert, "tlscert", os.Getenv("KILN_TLSCERT"), "client certificate presented to the daemons [$KILN_TLSCERT]")
	f.StringVar(&d.tls.Key, "tlskey", os.Getenv("KILN_TLSKEY"), "key of --tlscert [$KILN_TLSKEY]")
	f.StringVar(&d.tls.ServerName, "tlsservername", os.Getenv("KILN_TLSSERVERNAME"), "name expected in the daemons' certificates (default: the address's host) [$KILN_TLSSERVERNAME]")
}

// explicit lists the daemons named by flags, the builder file's after the
// --addr ones; nil when none is, i.e. the managed daemon is meant.
func (d *daemonFlags) explicit() ([]daemon.Remote, error) {
	var out []daemon.Remote
	for _, a := range splitList(d.addrs) {
		r := d.tls
		r.Addr = a
		if err := r.Validate(); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if d.builder != "" {
		rs, err := daemon.LoadBuilder(d.builder)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	if len(out) == 0 && d.tls.TLS() {
		return nil, fmt.Errorf("--tlscacert/--tlscert/--tlskey apply to daemons given with --addr tcp://HOST:PORT")
	}
	seen := map[string]bool{}
	for _, r := range out {
		if seen[r.Addr] {
			return nil, fmt.Errorf("daemon %s is listed twice", r.Addr)
		}
		seen[r.Addr] = true
	}
	return out, nil
}

// daemons resolves the flags, starting or finding kiln's managed daemon
// when none is named.
func (d *daemonFlags) daemons(ctx context.Context) ([]daemon.Remote, error) {
	rs, err := d.explicit()
	if err != nil || len(rs) > 0 {
		return rs, err
	}
	addr, err := managed().Ensure(ctx)
	if err != nil {
		return nil, err
	}
	return []daemon.Remote{{Addr: addr}}, nil
}

// lookAhead starts finding the daemons while the caller plans the build:
// a managed daemon that already runs is found in the background, one that
// does not is only started once the plan is known to be good (daemons).
func (d *daemonFlags) lookAhead(ctx context.Context) func() ([]daemon.Remote, error) {
	type found struct {
		rs  []daemon.Remote
		err error
	}
	ch := make(chan found, 1)
	go func() {
		rs, err := d.explicit()
		if err != nil || len(rs) > 0 {
			ch <- found{rs, err}
			return
		}
		if st, err := managed().Status(ctx); err == nil && st.Running {
			ch <- found{rs: []daemon.Remote{{Addr: st.Addr}}}
			return
		}
		ch <- found{}
	}()
	return func() ([]daemon.Remote, error) {
		f := <-ch
		if f.err != nil || len(f.rs) > 0 {
			return f.rs, f.err
		}
		return d.daemons(ctx)
	}
}
