package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManagedDaemon: with no --addr and no daemon running, kiln starts its
// own buildkitd under KILN_HOME, builds, and `kiln daemon` manages it.
// The recipe has no scripts, so no toolchain image is needed.
func TestManagedDaemon(t *testing.T) {
	requireIntegration(t)
	home, err := os.MkdirTemp("", "kh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	env := []string{"KILN_HOME=" + home, "KILN_ADDR="}
	t.Cleanup(func() { kiln(t, env, "daemon", "stop") })

	if r := kiln(t, env, "daemon", "status"); r.err == nil || !strings.Contains(r.stdout, "stopped") {
		t.Fatalf("status before start: err=%v\n%s", r.err, r.stdout)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "tiny")})
	out := t.TempDir()
	mustKiln(t, env, "build", dir, "-o", out, "--progress", "plain")
	if _, err := os.Stat(filepath.Join(out, "tiny_1.0-1_x86_64.ipk")); err != nil {
		t.Fatal(err)
	}
	st := mustKiln(t, env, "daemon", "status")
	if !strings.Contains(st.stdout, "running (pid") || !strings.Contains(st.stdout, "unix://"+home) {
		t.Errorf("status after build:\n%s", st.stdout)
	}
	if _, err := os.Stat(filepath.Join(home, "buildkitd.log")); err != nil {
		t.Errorf("daemon log: %v", err)
	}
	mustKiln(t, env, "daemon", "stop")
	if r := kiln(t, env, "daemon", "status"); r.err == nil {
		t.Errorf("status after stop says running:\n%s", r.stdout)
	}
}
