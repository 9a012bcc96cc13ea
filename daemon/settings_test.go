package daemon

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsSurviveRestart: the managed daemon restarted from a shell
// without KILN_REGISTRY_MIRRORS (after it was killed, or a reboot) keeps
// the mirrors it was started with; a variable set, even to "", wins and
// is remembered; one that differs from the running daemon's is reported.
func TestSettingsSurviveRestart(t *testing.T) {
	home := shortHome(t)
	bin := fakeBuildkitd(t, "#!/bin/sh\nexit 3\n")
	m := &Managed{Home: home, Binary: bin, Log: testLogger(t)}
	start := func() string {
		t.Helper()
		if err := m.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "exit status 3") {
			t.Fatalf("Start = %v", err)
		}
		cfg, err := os.ReadFile(filepath.Join(home, configName))
		if err != nil {
			t.Fatal(err)
		}
		return string(cfg)
	}
	const mirror = `mirrors = ["127.0.0.1:5000"]`
	t.Setenv("KILN_REGISTRY_MIRRORS", "docker.io=127.0.0.1:5000")
	t.Setenv("KILN_INSECURE_REGISTRIES", "10.0.0.1:5000")
	if cfg := start(); !strings.Contains(cfg, mirror) || !strings.Contains(cfg, `[registry."10.0.0.1:5000"]`) {
		t.Fatalf("first start's config:\n%s", cfg)
	}
	os.Unsetenv("KILN_REGISTRY_MIRRORS")
	os.Unsetenv("KILN_INSECURE_REGISTRIES")
	if cfg := start(); !strings.Contains(cfg, mirror) || !strings.Contains(cfg, `[registry."10.0.0.1:5000"]`) {
		t.Errorf("a restart from a plain shell lost the settings:\n%s", cfg)
	}
	if got := m.changedSettings(); len(got) != 0 {
		t.Errorf("unset variables reported as changed: %v", got)
	}
	t.Setenv("KILN_REGISTRY_MIRRORS", "docker.io=10.0.0.2:5000")
	if got := strings.Join(m.changedSettings(), "; "); got != `KILN_REGISTRY_MIRRORS="docker.io=10.0.0.2:5000" (the daemon has "docker.io=127.0.0.1:5000")` {
		t.Errorf("changed settings = %s", got)
	}
	t.Setenv("KILN_REGISTRY_MIRRORS", "")
	if cfg := start(); strings.Contains(cfg, "mirrors") {
		t.Errorf("KILN_REGISTRY_MIRRORS= did not clear the mirrors:\n%s", cfg)
	}
}
