package spk

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
)

// command runs a host tool and returns its output and exit code. A missing
// tool skips the test, or fails it under make test (testtool.Need).
func command(t *testing.T, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	testtool.Need(t, name)
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "LC_ALL=C", "TZ=UTC"), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), 0
}

// run runs a host tool that must succeed.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	out, code := command(t, dir, nil, name, args...)
	if code != 0 {
		t.Fatalf("%s %s: exit %d\n%s", name, strings.Join(args, " "), code, out)
	}
	return out
}

func contains(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s output lacks %q:\n%s", what, w, out)
		}
	}
}

// TestRealTools reads a package back with tar, gzip, md5sum, file and sh.
func TestRealTools(t *testing.T) {
	testtool.Need(t, "tar", "gzip", "file")
	dir := t.TempDir()
	p := fullPackage()
	o := withIcon(t, p)
	name, err := FileName(p, o)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := PackWithOptions(p, o, fullTree(t, packtest.Default), f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("tar -tvf", func(t *testing.T) {
		out := run(t, dir, "tar", "-tvf", name)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		var names []string
		for _, l := range lines {
			if !strings.Contains(l, " root/root ") || !strings.Contains(l, " 2024-05-01 00:00 ") {
				t.Errorf("entry not root/root at the epoch: %q", l)
			}
			names = append(names, l[strings.LastIndex(l, " ")+1:])
		}
		want := "INFO PACKAGE_ICON.PNG PACKAGE_ICON_256.PNG conf/ conf/privilege conf/resource package.tgz " +
			"scripts/ scripts/postinst scripts/postuninst scripts/postupgrade scripts/preinst scripts/preuninst " +
			"scripts/preupgrade scripts/start-stop-status"
		if got := strings.Join(names, " "); got != want {
			t.Errorf("tar -tvf names:\n%s\nwant\n%s", got, want)
		}
		contains(t, "tar -tvf", out, "-rw-r--r-- root/root", " INFO\n", "-rwxr-xr-x root/root", " scripts/preinst\n",
			"drwxr-xr-x root/root")
	})

	t.Run("package.tgz", func(t *testing.T) {
		out := run(t, dir, "sh", "-c", "tar -xOf '"+name+"' package.tgz | tar -tzvf -")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) < 20 {
			t.Fatalf("package.tgz lists only %d entries:\n%s", len(lines), out)
		}
		for _, l := range lines {
			if !strings.Contains(l, " root/root ") {
				t.Errorf("payload entry not owned by root/root: %q", l)
			}
			if strings.Contains(l, " ./") {
				t.Errorf("payload entry with ./ prefix (pkg_make_package writes none): %q", l)
			}
		}
		contains(t, "package.tgz", out,
			"drwxr-xr-x root/root         0 2024-05-01 00:00 etc/\n",
			"-rwsr-xr-x root/root ", " opt/bin/suid-helper\n",
			"usr/bin/hello -> ../../opt/bin/hello\n",
			packtest.LongName+"\n",
			" 2024-04-01 00:00 etc/hello.conf\n")
	})

	x := t.TempDir()
	run(t, x, "tar", "-xf", filepath.Join(dir, name))

	t.Run("file", func(t *testing.T) {
		out := run(t, x, "file", "PACKAGE_ICON.PNG", "PACKAGE_ICON_256.PNG")
		contains(t, "file", out, "PACKAGE_ICON.PNG:     PNG image data, 64 x 64,", "PACKAGE_ICON_256.PNG: PNG image data, 256 x 256,")
		contains(t, "file", run(t, x, "file", "package.tgz"), "gzip compressed data")
	})

	t.Run("INFO as shell", func(t *testing.T) {
		out := run(t, x, "sh", "-c", `. ./INFO; echo "$package $version $arch"; echo "$displayname"; echo "$description"; echo "$install_dep_packages"`)
		want := "hello 1.2.0-3 apollolake denverton geminilake\n" +
			"Hello \"World\"\n" +
			"Hello prints a friendly greeting, in \"quotes\" & <b>bold</b>.\n" +
			"WebStation:PHP7.4>=7.4.0-0001\n"
		if out != want {
			t.Errorf("INFO sourced by sh:\n%s\nwant\n%s", out, want)
		}
	})

	t.Run("checksum", func(t *testing.T) {
		run(t, x, "gzip", "-t", "package.tgz")
		out := run(t, x, "sh", "-c", `. ./INFO; sum=$(md5sum package.tgz | cut -d' ' -f1); echo "$checksum $sum"`)
		f := strings.Fields(out)
		if len(f) != 2 || f[0] != f[1] || len(f[0]) != 32 {
			t.Errorf("INFO checksum vs md5sum package.tgz: %q", out)
		}
	})

	t.Run("scripts", func(t *testing.T) {
		for _, s := range ScriptNames {
			run(t, x, "sh", "-n", "scripts/"+s)
		}
		if out := run(t, x, "cat", "scripts/postinst"); !strings.Contains(out, "echo installed") {
			t.Errorf("postinst is not the recipe's: %q", out)
		}
		run(t, x, "sh", "-c", "test -x scripts/start-stop-status && test -x scripts/preupgrade")
	})
}

// TestDefaultStartStopStatus runs the default script the way Package
// Center does and checks the exit codes it must give.
func TestDefaultStartStopStatus(t *testing.T) {
	testtool.Need(t, "tar")
	p := minimalPackage()
	dir := t.TempDir()
	spk, err := pack.WriteFile(Format{}, p, t.TempDir(), dir)
	if err != nil {
		t.Fatal(err)
	}
	run(t, dir, "tar", "-xf", spk, "scripts/start-stop-status")
	script := filepath.Join(dir, "scripts/start-stop-status")
	env := []string{"SYNOPKG_PKGNAME=hello", "SYNOPKG_PKGVAR=" + filepath.Join(dir, "var")}
	for _, step := range []struct {
		action string
		code   int
	}{
		{"status", 3}, // installed, never started
		{"stop", 0},   // stopping a stopped package succeeds
		{"start", 0},
		{"status", 0},
		{"start", 0}, // starting twice too
		{"prestart", 0},
		{"stop", 0},
		{"status", 3},
		{"restart", 1}, // unknown action
	} {
		if out, code := command(t, dir, env, script, step.action); code != step.code {
			t.Errorf("start-stop-status %s: exit %d, want %d\n%s", step.action, code, step.code, out)
		}
	}
	// DSM 6 has no SYNOPKG_PKGVAR: the state lives in the target's var/.
	env = []string{"SYNOPKG_PKGNAME=hello", "SYNOPKG_PKGDEST=" + filepath.Join(dir, "target")}
	command(t, dir, env, script, "start")
	if _, err := os.Stat(filepath.Join(dir, "target/var/.kiln-started")); err != nil {
		t.Errorf("DSM 6 start left no marker: %v", err)
	}

	// A package without a service reports running and accepts everything.
	o := DefaultOptions(p)
	o.CtlStop = no()
	var buf strings.Builder
	if err := PackWithOptions(p, o, t.TempDir(), &buf); err != nil {
		t.Fatal(err)
	}
	d2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(d2, "x.spk"), []byte(buf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, d2, "tar", "-xf", "x.spk", "scripts/start-stop-status")
	for action, want := range map[string]int{"status": 0, "start": 0, "stop": 0, "bogus": 1} {
		if _, code := command(t, d2, nil, filepath.Join(d2, "scripts/start-stop-status"), action); code != want {
			t.Errorf("non-startable %s: exit %d, want %d", action, code, want)
		}
	}
}
