// Package buildkitd starts throw-away BuildKit daemons for integration
// tests and benchmarks: loopback TCP, optionally mutual TLS, their own
// state directory, and the registry settings kiln's managed daemon gets.
// Stop ends exactly the process Start launched, by its PID.
package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/kiln-build/kiln/daemon"
)

// Options describe a daemon to start.
type Options struct {
	// Binary is buildkitd ("" = $KILN_BUILDKITD).
	Binary string
	// Dir holds the state, config and log; it must be short enough for
	// buildkitd's unix sockets under it.
	Dir string
	// Server, with CA, makes the daemon require client certificates
	// signed by CA.
	Server *Pair
	CA     *CA
	// Client is presented while waiting for the daemon to answer.
	Client *Pair
}

// Daemon is a running buildkitd.
type Daemon struct {
	// Remote reaches it (with Options.Client when TLS).
	Remote daemon.Remote
	PID    int
	Log    string
	cmd    *exec.Cmd
	exited chan error
}

// Start launches buildkitd on a free loopback port and waits until it
// answers.
func Start(ctx context.Context, o Options) (*Daemon, error) {
	bin := o.Binary
	if bin == "" {
		bin = os.Getenv("KILN_BUILDKITD")
	}
	if bin == "" {
		return nil, errors.New("KILN_BUILDKITD is not set")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := "tcp://" + ln.Addr().String()
	ln.Close()
	root := filepath.Join(o.Dir, "state")
	cfg, err := daemon.Config(root)
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(o.Dir, "buildkitd.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	args := []string{"--config", cfgPath, "--root", root, "--addr", addr,
		"--oci-worker=true", "--containerd-worker=false"}
	r := daemon.Remote{Addr: addr}
	if o.Server != nil {
		args = append(args, "--tlscacert", o.CA.Cert, "--tlscert", o.Server.Cert, "--tlskey", o.Server.Key)
		r.CACert = o.CA.Cert
	}
	if o.Client != nil {
		r.Cert, r.Key = o.Client.Cert, o.Client.Key
	}
	d := &Daemon{Remote: r, Log: filepath.Join(o.Dir, "buildkitd.log"), exited: make(chan error, 1)}
	logf, err := os.Create(d.Log)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	d.cmd = exec.Command(bin, args...)
	d.cmd.Env = daemon.Environ(os.Environ())
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	// Its own process group: a Ctrl-C of the test run reaches it through
	// Stop, not half-way through a solve.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	d.PID = d.cmd.Process.Pid
	go func() { d.exited <- d.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err = r.Check(ctx); err == nil {
			return d, nil
		}
		select {
		case werr := <-d.exited:
			d.exited <- werr
			return nil, fmt.Errorf("buildkitd exited during start-up (%v):\n%s", werr, d.tail())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.Stop()
			return nil, fmt.Errorf("buildkitd on %s did not answer within 60s (%v):\n%s", addr, err, d.tail())
		}
	}
}

// Stop terminates the daemon by its PID: SIGTERM, then SIGKILL after 30 s.
func (d *Daemon) Stop() {
	if d == nil || d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.exited:
		d.exited <- err
	case <-time.After(30 * time.Second):
		_ = d.cmd.Process.Kill()
		d.exited <- <-d.exited
	}
}

func (d *Daemon) tail() string {
	b, _ := os.ReadFile(d.Log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// Kill ends the daemon abruptly (SIGKILL to its PID), as a crash would.
func (d *Daemon) Kill() {
	_ = d.cmd.Process.Kill()
	err := <-d.exited
	d.exited <- err
}
