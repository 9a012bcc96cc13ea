package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/buildkitd"
)

// TestRemoteTLS: a second buildkitd requires mutual TLS; kiln builds
// through it with the right certificates (flags, or the same settings from
// the environment) and is refused, with a message saying why, without a
// client certificate or with one from another CA.
func TestRemoteTLS(t *testing.T) {
	requireIntegration(t)
	ref, want := sharedCache(t)
	d, ca, client, certs := tlsDaemon(t)
	other, err := buildkitd.NewCA(certs, "other")
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := other.Issue("rogue", false)
	if err != nil {
		t.Fatal(err)
	}
	addr := d.Remote.Addr
	tlsFlags := []string{"--addr", addr, "--tlscacert", ca.Cert, "--tlscert", client.Cert, "--tlskey", client.Key}

	t.Run("build", func(t *testing.T) {
		out := t.TempDir()
		// The empty daemon takes the toolchain from the shared cache, so
		// this needs no cold build; the solve and export go over TLS.
		args := append([]string{"build", "examples/hello", "--target", "x86_64", "-o", out, "--progress", "plain",
			"--cache-from", "type=registry,ref=" + ref}, tlsFlags...)
		r := mustKiln(t, nil, args...)
		t.Logf("%s", tail(strings.TrimSpace(r.stderr), 1))
		if got := packages(t, out); strings.Join(got, " ") != "hello_1.0.0-1_x86_64.ipk" {
			t.Fatalf("packages = %v\n%s", got, tail(r.stderr, 30))
		}
		ipk := filepath.Join(out, "hello_1.0.0-1_x86_64.ipk")
		info := run(t, "dpkg-deb", "-I", ipk)
		if !strings.Contains(info, "Package: hello") || !strings.Contains(info, "Architecture: x86_64") {
			t.Errorf("dpkg-deb -I:\n%s", info)
		}
		x := t.TempDir()
		run(t, "dpkg-deb", "-x", ipk, x)
		if got := strings.TrimSpace(run(t, filepath.Join(x, "opt/bin/hello"))); got != "Hello from kiln! (built for x86_64)" {
			t.Errorf("hello says %q", got)
		}
		if a, b := sha(t, ipk), sha(t, filepath.Join(want, "hello_1.0.0-1_x86_64.ipk")); a != b {
			t.Errorf("the package built over TLS differs from the managed daemon's: %s vs %s", a, b)
		}
	})

	t.Run("env", func(t *testing.T) {
		env := []string{"KILN_ADDR=" + addr, "KILN_TLSCACERT=" + ca.Cert, "KILN_TLSCERT=" + client.Cert, "KILN_TLSKEY=" + client.Key}
		r := mustKiln(t, env, "daemon", "status")
		if !strings.Contains(r.stdout, "status:    running") || !strings.Contains(r.stdout, "linux/amd64") {
			t.Errorf("status:\n%s", r.stdout)
		}
	})

	refused := []struct {
		name, want string
		args       []string
	}{
		{"no-client-cert", "requires a client certificate", []string{"--addr", addr, "--tlscacert", ca.Cert}},
		{"other-ca", "rejected the client certificate", []string{"--addr", addr, "--tlscacert", ca.Cert, "--tlscert", rogue.Cert, "--tlskey", rogue.Key}},
		{"no-tls", "if it requires TLS", []string{"--addr", addr}},
		{"wrong-ca", "not signed by the CA given with --tlscacert", []string{"--addr", addr, "--tlscacert", other.Cert, "--tlscert", client.Cert, "--tlskey", client.Key}},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			r := kiln(t, nil, append([]string{"build", "examples/hello", "--target", "x86_64", "-o", out, "--progress", "plain"}, c.args...)...)
			if r.err == nil {
				t.Fatalf("build was not refused:\n%s", tail(r.stderr, 20))
			}
			if !strings.Contains(r.stderr, c.want) || !strings.Contains(r.stderr, addr) {
				t.Errorf("error does not say %q about %s:\n%s", c.want, addr, tail(r.stderr, 10))
			}
			t.Logf("refused: %s", tail(strings.TrimSpace(r.stderr), 1))
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("a refused build left %d entries in the output directory", len(entries))
			}
		})
	}
	t.Run("status-refused", func(t *testing.T) {
		r := kiln(t, nil, "daemon", "status", "--addr", addr, "--tlscacert", ca.Cert)
		if r.err == nil || !strings.Contains(r.stdout, "unreachable") || !strings.Contains(r.stderr, "requires a client certificate") {
			t.Errorf("status without a client certificate: err=%v\n%s\n%s", r.err, r.stdout, r.stderr)
		}
	})
}

// tlsDaemon starts a daemon requiring client certificates of a new CA.
func tlsDaemon(t *testing.T) (*buildkitd.Daemon, *buildkitd.CA, buildkitd.Pair, string) {
	t.Helper()
	certs := t.TempDir()
	ca, err := buildkitd.NewCA(certs, "kiln-test")
	if err != nil {
		t.Fatal(err)
	}
	server, err := ca.Issue("server", true)
	if err != nil {
		t.Fatal(err)
	}
	client, err := ca.Issue("client", false)
	if err != nil {
		t.Fatal(err)
	}
	return startDaemon(t, buildkitd.Options{Server: &server, CA: ca, Client: &client}), ca, client, certs
}

// tlsAndPlain starts a daemon requiring mutual TLS and a plain TCP one,
// and writes a --builder file listing them in that order.
func tlsAndPlain(t *testing.T) (tlsd, plain *buildkitd.Daemon, builder string) {
	t.Helper()
	tlsd, ca, client, _ := tlsDaemon(t)
	plain = startDaemon(t, buildkitd.Options{})
	builder = filepath.Join(t.TempDir(), "builder.yaml")
	writeFiles(t, filepath.Dir(builder), map[string]string{"builder.yaml": fmt.Sprintf(`daemons:
  - addr: %s
    tlscacert: %s
    tlscert: %s
    tlskey: %s
  - addr: %s
`, tlsd.Remote.Addr, ca.Cert, client.Cert, client.Key, plain.Remote.Addr)})
	return tlsd, plain, builder
}
