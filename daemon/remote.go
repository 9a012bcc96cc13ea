package daemon

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/moby/buildkit/client"
)

// Remote is a BuildKit daemon kiln does not manage: an address and, for
// tcp:// daemons that require it, the mutual-TLS files buildctl takes.
type Remote struct {
	Addr string `yaml:"addr" json:"addr"`
	// CACert verifies the daemon's certificate.
	CACert string `yaml:"tlscacert,omitempty" json:"tlscacert,omitempty"`
	// Cert and Key are the client certificate the daemon verifies.
	Cert string `yaml:"tlscert,omitempty" json:"tlscert,omitempty"`
	Key  string `yaml:"tlskey,omitempty" json:"tlskey,omitempty"`
	// ServerName is the name expected in the daemon's certificate
	// ("" = the address's host).
	ServerName string `yaml:"tlsservername,omitempty" json:"tlsservername,omitempty"`
}

// TLS reports whether any TLS setting is given.
func (r Remote) TLS() bool {
	return r.CACert != "" || r.Cert != "" || r.Key != "" || r.ServerName != ""
}

func (r Remote) String() string { return r.Addr }

// PlainTCP reports whether r is a tcp:// daemon kiln reaches without TLS
// verifying it: whatever crosses the session is readable on the network.
func (r Remote) PlainTCP() bool {
	u, err := url.Parse(r.Addr)
	return err == nil && u.Scheme == "tcp" && r.CACert == ""
}

// Validate checks the address and that the TLS files exist, so a typo is
// reported as such instead of as a failed handshake.
func (r Remote) Validate() error {
	u, err := url.Parse(r.Addr)
	if err != nil || u.Scheme == "" || !strings.Contains(r.Addr, "://") {
		return fmt.Errorf("daemon address %q: want unix:///path, tcp://host:port (or another scheme buildctl accepts)", r.Addr)
	}
	if (r.Cert == "") != (r.Key == "") {
		return fmt.Errorf("daemon %s: --tlscert and --tlskey go together (got cert %q, key %q)", r.Addr, r.Cert, r.Key)
	}
	if r.TLS() && u.Scheme == "unix" {
		return fmt.Errorf("daemon %s: TLS settings apply to tcp:// daemons, not unix sockets", r.Addr)
	}
	for _, f := range []struct{ flag, path string }{{"--tlscacert", r.CACert}, {"--tlscert", r.Cert}, {"--tlskey", r.Key}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("daemon %s: %s: %w", r.Addr, f.flag, err)
		}
	}
	return nil
}

// ClientOpts are the BuildKit client options reaching r.
func (r Remote) ClientOpts() []client.ClientOpt {
	var opts []client.ClientOpt
	if r.CACert != "" || r.ServerName != "" {
		opts = append(opts, client.WithServerConfig(r.ServerName, r.CACert))
	}
	if r.Cert != "" {
		opts = append(opts, client.WithCredentials(r.Cert, r.Key))
	}
	return opts
}

// Dial connects to r. gRPC connects lazily: errors show on the first call,
// which Check makes.
func (r Remote) Dial(ctx context.Context) (*client.Client, error) {
	c, err := client.New(ctx, r.Addr, r.ClientOpts()...)
	if err != nil {
		return nil, fmt.Errorf("daemon %s: %w", r.Addr, err)
	}
	return c, nil
}

// Connect dials r and asks for its workers, so an unreachable daemon or a
// refused certificate fails before any work starts, with a message saying
// which. The caller closes the client.
func (r Remote) Connect(ctx context.Context) (*client.Client, Status, error) {
	st := Status{Addr: r.Addr}
	c, err := r.Dial(ctx)
	if err != nil {
		return nil, st, err
	}
	if err := r.query(ctx, c, &st); err != nil {
		c.Close()
		return nil, st, err
	}
	return c, st, nil
}

// Check is Connect for callers that only want the status.
func (r Remote) Check(ctx context.Context) (Status, error) {
	c, st, err := r.Connect(ctx)
	if err == nil {
		c.Close()
	}
	return st, err
}

func (r Remote) query(ctx context.Context, c *client.Client, st *Status) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	info, err := c.Info(ctx)
	if err != nil {
		return r.Explain(err)
	}
	st.Running = true
	st.Version = info.BuildkitVersion.Version
	workers, err := c.ListWorkers(ctx)
	if err != nil {
		return r.Explain(err)
	}
	st.Platforms = platforms(workers)
	if len(workers) == 0 {
		return fmt.Errorf("daemon %s has no workers", r.Addr)
	}
	return nil
}

// Explain turns the gRPC/TLS errors of a refused or unreachable daemon into
// what the user has to fix, keeping the original error wrapped.
func (r Remote) Explain(err error) error {
	msg := err.Error()
	if r.TLS() && !strings.Contains(msg, "connection refused") {
		// gRPC reports a refused certificate as whatever the connection
		// did next (a broken pipe, a reset, sometimes the TLS alert): ask
		// the daemon again with a bare handshake to learn which it was.
		if derr := r.diagnoseTLS(); derr != nil {
			msg = derr.Error() + "; " + msg
		}
	}
	hint := r.hint(msg)
	if hint == "" {
		return fmt.Errorf("daemon %s: %w", r.Addr, err)
	}
	return fmt.Errorf("daemon %s: %s: %w", r.Addr, hint, err)
}

func (r Remote) hint(msg string) string {
	switch {
	case strings.Contains(msg, "certificate required") && r.Cert == "":
		return "the daemon requires a client certificate: pass --tlscert and --tlskey"
	case strings.Contains(msg, "certificate required"), strings.Contains(msg, "unknown certificate authority"),
		strings.Contains(msg, "bad certificate"), strings.Contains(msg, "certificate unknown"):
		return fmt.Sprintf("the daemon rejected the client certificate %s: it is not signed by a CA the daemon trusts (its --tlscacert)", r.Cert)
	case strings.Contains(msg, "certificate signed by unknown authority"):
		return "the daemon's certificate is not signed by the CA given with --tlscacert"
	case strings.Contains(msg, "certificate is valid for"), strings.Contains(msg, "doesn't contain any IP SANs"):
		return "the daemon's certificate does not name this address: use the name it holds, or --tlsservername"
	case strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "the daemon does not speak TLS: drop the --tls* settings for it"
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such file or directory"),
		strings.Contains(msg, "no route to host"), strings.Contains(msg, "i/o timeout"),
		strings.Contains(msg, "context deadline exceeded"):
		return "the daemon is unreachable"
	case !r.TLS() && (strings.Contains(msg, "server preface") || strings.Contains(msg, "connection reset") ||
		strings.Contains(msg, "broken pipe") || strings.Contains(msg, "EOF")):
		return "the daemon closed the connection; if it requires TLS, pass --tlscacert, --tlscert and --tlskey"
	}
	return ""
}

// diagnoseTLS shakes hands with a tcp:// daemon the way gRPC does and
// waits briefly for its verdict on the client certificate (TLS 1.3 sends
// it after the client's side of the handshake is done). nil: accepted, or
// not a tcp:// daemon.
func (r Remote) diagnoseTLS() error {
	u, err := url.Parse(r.Addr)
	if err != nil || u.Scheme != "tcp" {
		return nil
	}
	cfg := &tls.Config{NextProtos: []string{"h2"}, ServerName: r.ServerName, RootCAs: x509.NewCertPool()}
	if cfg.ServerName == "" {
		cfg.ServerName = u.Hostname()
	}
	if r.CACert != "" {
		pem, err := os.ReadFile(r.CACert)
		if err != nil {
			return err
		}
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return fmt.Errorf("--tlscacert %s holds no PEM certificate", r.CACert)
		}
	}
	if r.Cert != "" {
		pair, err := tls.LoadX509KeyPair(r.Cert, r.Key)
		if err != nil {
			return fmt.Errorf("loading --tlscert/--tlskey: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", u.Host, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil // waiting for our HTTP/2 preface: accepted
		}
		return err
	}
	return nil
}
