package daemon

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultHome(t *testing.T) {
	tests := []struct {
		name                string
		kilnHome, xdg, home string
		want                string
	}{
		{"KILN_HOME wins", "/srv/kiln", "/xdg", "/home/u", "/srv/kiln"},
		{"XDG_DATA_HOME", "", "/xdg", "/home/u", "/xdg/kiln"},
		{"relative XDG_DATA_HOME ignored", "", "rel/xdg", "/home/u", "/home/u/.local/share/kiln"},
		{"HOME fallback", "", "", "/home/u", "/home/u/.local/share/kiln"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KILN_HOME", tt.kilnHome)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			if got := DefaultHome(); got != tt.want {
				t.Errorf("DefaultHome() = %q, want %q", got, tt.want)
			}
		})
	}
}

// writeExe creates an executable file (content irrelevant: it is only looked up).
func writeExe(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// isolateLookup makes binary discovery see only what a test sets up: no KILN_BUILDKITD, an
// empty PATH and a kiln executable in an empty directory.
func isolateLookup(t *testing.T) (exeDir, pathDir string) {
	t.Helper()
	exeDir, pathDir = t.TempDir(), t.TempDir()
	t.Setenv("KILN_BUILDKITD", "")
	t.Setenv("PATH", pathDir)
	old := executable
	executable = func() (string, error) { return filepath.Join(exeDir, "kiln"), nil }
	t.Cleanup(func() { executable = old })
	return exeDir, pathDir
}

func TestFindBuildkitdOrder(t *testing.T) {
	exeDir, pathDir := isolateLookup(t)
	explicitDir, envDir := t.TempDir(), t.TempDir()
	explicit := writeExe(t, explicitDir, "my-buildkitd")
	env := writeExe(t, envDir, "buildkitd")
	nextToKiln := writeExe(t, exeDir, "buildkitd")
	onPath := writeExe(t, pathDir, "buildkitd")

	check := func(step, arg, want string) {
		t.Helper()
		got, err := findBuildkitd(arg)
		if err != nil || got != want {
			t.Fatalf("%s: findBuildkitd(%q) = %q, %v; want %q", step, arg, got, err, want)
		}
	}
	t.Setenv("KILN_BUILDKITD", env)
	check("explicit beats everything", explicit, explicit)
	check("KILN_BUILDKITD", "", env)
	t.Setenv("KILN_BUILDKITD", "")
	check("next to the kiln executable", "", nextToKiln)
	if err := os.Remove(nextToKiln); err != nil {
		t.Fatal(err)
	}
	check("PATH", "", onPath)
}

func TestFindBuildkitdNextToSymlinkedKiln(t *testing.T) {
	_, _ = isolateLookup(t)
	realDir, linkDir := t.TempDir(), t.TempDir()
	writeExe(t, realDir, "kiln")
	want := writeExe(t, realDir, "buildkitd")
	link := filepath.Join(linkDir, "kiln")
	if err := os.Symlink(filepath.Join(realDir, "kiln"), link); err != nil {
		t.Fatal(err)
	}
	executable = func() (string, error) { return link, nil }
	got, err := findBuildkitd("")
	if err != nil || got != want {
		t.Fatalf("findBuildkitd = %q, %v; want %q", got, err, want)
	}
}

func TestFindBuildkitdNotFound(t *testing.T) {
	isolateLookup(t)
	_, err := findBuildkitd("")
	if !errors.Is(err, ErrBuildkitdNotFound) {
		t.Fatalf("err = %v, want ErrBuildkitdNotFound", err)
	}
	for _, hint := range []string{"buildkitd not found", "make setup", "KILN_BUILDKITD", "--addr"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("error %q does not mention %q", err, hint)
		}
	}
}

func TestFindBuildkitdExplicitMissingOrNotExecutable(t *testing.T) {
	_, pathDir := isolateLookup(t)
	writeExe(t, pathDir, "buildkitd") // must not be used as a silent fallback
	missing := filepath.Join(t.TempDir(), "nope")
	plain := filepath.Join(t.TempDir(), "buildkitd")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, explicit, env string }{
		{"explicit missing", missing, ""},
		{"explicit not executable", plain, ""},
		{"env missing", "", missing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("KILN_BUILDKITD", tc.env)
			got, err := findBuildkitd(tc.explicit)
			if !errors.Is(err, ErrBuildkitdNotFound) {
				t.Fatalf("findBuildkitd = %q, %v; want ErrBuildkitdNotFound", got, err)
			}
			want := tc.explicit + tc.env
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %q", err, want)
			}
		})
	}
}
