package daemon

import (
	"context"
	"fmt"
	"strings"
)

// Selection says which BuildKit daemons a command talks to: addresses (one
// or several, comma-separated allowed), a builder file, and the mutual-TLS
// files shared by the addresses. Nothing named means kiln's managed daemon.
type Selection struct {
	Addrs   []string
	Builder string
	TLS     Remote // TLS settings shared by every address
}

// Explicit lists the daemons named, the builder file's after the addresses;
// nil when none is, i.e. the managed daemon is meant.
func (s Selection) Explicit() ([]Remote, error) {
	var out []Remote
	for _, list := range s.Addrs {
		for _, a := range strings.Split(list, ",") {
			if a = strings.TrimSpace(a); a == "" {
				continue
			}
			r := s.TLS
			r.Addr = a
			if err := r.Validate(); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	if s.Builder != "" {
		rs, err := LoadBuilder(s.Builder)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	if len(out) == 0 && s.TLS.TLS() {
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

// Resolve returns the daemons named, or kiln's managed daemon m, started
// when it does not run.
func (s Selection) Resolve(ctx context.Context, m *Managed) ([]Remote, error) {
	rs, err := s.Explicit()
	if err != nil || len(rs) > 0 {
		return rs, err
	}
	addr, err := m.Ensure(ctx)
	if err != nil {
		return nil, err
	}
	return []Remote{{Addr: addr}}, nil
}

// LookAhead starts resolving the daemons while the caller plans a build: a
// managed daemon that already runs is found in the background, one that
// does not is only started when the returned function is called, i.e. once
// the plan is known to be good.
func (s Selection) LookAhead(ctx context.Context, m *Managed) func() ([]Remote, error) {
	type found struct {
		rs  []Remote
		err error
	}
	ch := make(chan found, 1)
	go func() {
		rs, err := s.Explicit()
		if err != nil || len(rs) > 0 {
			ch <- found{rs, err}
			return
		}
		if st, err := m.Status(ctx); err == nil && st.Running {
			ch <- found{rs: []Remote{{Addr: st.Addr}}}
			return
		}
		ch <- found{}
	}()
	return func() ([]Remote, error) {
		f := <-ch
		if f.err != nil || len(f.rs) > 0 {
			return f.rs, f.err
		}
		return s.Resolve(ctx, m)
	}
}
