package integration

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gitDaemon serves the repositories under base over git:// on loopback and
// stops it (by PID) when the test ends.
func gitDaemon(t *testing.T, base string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
		fmt.Sprintf("--port=%d", port), "--base-path="+base, base)
	// Its own process group: git daemon forks a child per connection, and
	// the cleanup stops exactly the processes this test started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 50; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "git://" + addr
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("git daemon did not listen on %s", addr)
	return ""
}

// TestGitSource builds from a git repository pinned to a commit; a later
// commit on the branch must not change what is built.
func TestGitSource(t *testing.T) {
	requireIntegration(t)
	base := t.TempDir()
	repo := filepath.Join(base, "tool.git")
	git := gitRepo(t, repo, map[string]string{
		"tool.c":   "#include <stdio.h>\nint main(void){puts(\"tool from git, first commit\");return 0;}\n",
		"Makefile": "tool: tool.c\n\t$(CC) -o $@ tool.c\n",
	})
	pinned := git("rev-parse", "HEAD")
	writeFiles(t, repo, map[string]string{"tool.c": "#include <stdio.h>\nint main(void){puts(\"second commit\");return 0;}\n"})
	git("commit", "-q", "-am", "second")

	url := gitDaemon(t, base) + "/tool.git"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "gittool") + fmt.Sprintf(`sources:
  - git: %s
    commit: %s
    dest: tool
build: make -C tool CC="$CC"
package: install -D tool/tool "$pkgdir/usr/bin/tool"
`, url, pinned)})
	out := t.TempDir()
	mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	x := t.TempDir()
	run(t, "dpkg-deb", "-x", filepath.Join(out, "gittool_1.0-1_x86_64.ipk"), x)
	if got := strings.TrimSpace(run(t, filepath.Join(x, "usr/bin/tool"))); got != "tool from git, first commit" {
		t.Errorf("built from the wrong commit: %q", got)
	}
}

// TestLLBPipesToBuildctl: `kiln llb --pin` prints a definition that plain
// buildctl builds into the same package kiln builds (which pins the base
// images too, so the SBOM inside records the same digest).
func TestLLBPipesToBuildctl(t *testing.T) {
	requireIntegration(t)
	out := t.TempDir()
	mustKiln(t, nil, "build", "examples/hello", "--target", "x86_64", "-o", out, "--progress", "quiet")
	r := mustKiln(t, nil, "llb", "--pin", "examples/hello", "--target", "x86_64")
	args := []string{"--addr", strings.TrimSpace(mustKiln(t, nil, "daemon", "addr").stdout), "build", "--progress", "quiet"}
	for _, f := range strings.Fields(r.stderr) {
		if strings.Contains(f, "=") {
			args = append(args, "--local", f)
		}
	}
	bcOut := t.TempDir()
	args = append(args, "--output", "type=local,dest="+bcOut)
	cmd := exec.Command("buildctl", args...)
	cmd.Dir = repoRoot(t)
	cmd.Stdin = strings.NewReader(r.stdout)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("buildctl %v: %v\n%s", args, err, b)
	}
	const name = "hello_1.0.0-1_x86_64.ipk"
	if a, b := sha(t, filepath.Join(out, name)), sha(t, filepath.Join(bcOut, name)); a != b {
		t.Errorf("buildctl built %s as %s, kiln as %s", name, b, a)
	}
}
