package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRemoteValidate(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		r    Remote
		want string
	}{
		{Remote{Addr: "tcp://h:1234"}, ""},
		{Remote{Addr: "tcp://h:1234", CACert: ca}, ""},
		{Remote{Addr: "h:1234"}, `daemon address "h:1234": want unix:///path, tcp://host:port`},
		{Remote{Addr: "tcp://h:1", Cert: ca}, "--tlscert and --tlskey go together"},
		{Remote{Addr: "unix:///run/b.sock", CACert: ca}, "TLS settings apply to tcp:// daemons"},
		{Remote{Addr: "tcp://h:1", CACert: filepath.Join(dir, "nope.pem")}, "daemon tcp://h:1: --tlscacert: stat "},
	} {
		err := c.r.Validate()
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.r, err, c.want)
		}
	}
}

func TestRemoteHint(t *testing.T) {
	plain := Remote{Addr: "tcp://h:1"}
	withCert := Remote{Addr: "tcp://h:1", CACert: "ca", Cert: "c.pem", Key: "k.pem"}
	noCert := Remote{Addr: "tcp://h:1", CACert: "ca"}
	for _, c := range []struct {
		r        Remote
		msg      string
		contains string
	}{
		{noCert, "remote error: tls: certificate required", "requires a client certificate"},
		{withCert, "remote error: tls: certificate required", "rejected the client certificate c.pem"},
		{withCert, "x509: certificate signed by unknown authority", "not signed by the CA given with --tlscacert"},
		{withCert, "tls: first record does not look like a TLS handshake", "does not speak TLS"},
		{plain, "error reading server preface: EOF", "if it requires TLS"},
		{plain, "dial tcp 127.0.0.1:1: connect: connection refused", "unreachable"},
		{plain, "something else", ""},
	} {
		if got := c.r.hint(c.msg); (c.contains == "" && got != "") || !strings.Contains(got, c.contains) {
			t.Errorf("hint(%q) = %q, want %q", c.msg, got, c.contains)
		}
	}
}

func TestLoadBuilder(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"ca.pem", "cert.pem", "key.pem"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	good := filepath.Join(dir, "builder.yaml")
	os.WriteFile(good, []byte(`daemons:
  - addr: tcp://b1:1234
    tlscacert: ca.pem
    tlscert: cert.pem
    tlskey: key.pem
  - addr: unix:///run/buildkit/buildkitd.sock
`), 0o644)
	rs, err := LoadBuilder(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].CACert != filepath.Join(dir, "ca.pem") || rs[0].Key != filepath.Join(dir, "key.pem") || rs[1].TLS() {
		t.Errorf("LoadBuilder = %+v", rs)
	}

	for body, want := range map[string]string{
		"daemons: []\n": "no daemons listed",
		"daemons:\n  - addr: tcp://b1:1\n  - tlscacert: ca.pem\n": "bad.yaml:3: daemons[1]: addr is required",
		"daemons:\n  - addr: tcp://b1:1\n    tlscrt: c\n":         "line 3: field tlscrt not found",
		"daemons:\n  - addr: tcp://b1:1\n    tlscert: cert.pem\n": "bad.yaml:2: daemons[0]: daemon tcp://b1:1: --tlscert and --tlskey go together",
		"nodes: []\n": "field nodes not found",
	} {
		bad := filepath.Join(dir, "bad.yaml")
		os.WriteFile(bad, []byte(body), 0o644)
		if _, err := LoadBuilder(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadBuilder(%q) = %v, want %q", body, err, want)
		}
	}
}
