package ipk

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
)

// run runs a host tool and returns its output. A missing tool skips the
// test, or fails it under make test (testtool.Need).
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	testtool.Need(t, name)
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func contains(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s output lacks %q:\n%s", what, w, out)
		}
	}
}

// TestRealTools reads a package back with ar, dpkg-deb, tar, gzip and file.
func TestRealTools(t *testing.T) {
	testtool.Need(t, "ar", "dpkg-deb", "tar", "gzip", "file")
	dir := t.TempDir()
	root := packtest.BuildTree(t, packtest.Default)
	ipk, err := pack.WriteFile(Format{}, scriptedPackage(), root, dir)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(ipk)

	t.Run("ar", func(t *testing.T) {
		got := strings.Fields(run(t, dir, "ar", "t", name))
		if want := []string{"debian-binary", "control.tar.gz", "data.tar.gz"}; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("ar t = %q, want %q", got, want)
		}
		contains(t, "ar tv", run(t, dir, "ar", "tv", name), "rw-r--r-- 0/0", "May  1 00:00 2024 debian-binary")
	})

	t.Run("file", func(t *testing.T) {
		contains(t, "file", run(t, dir, "file", name), "Debian binary package (format 2.0)")
	})

	t.Run("dpkg-deb -I", func(t *testing.T) {
		out := run(t, dir, "dpkg-deb", "-I", name)
		contains(t, "dpkg-deb -I", out,
			" Package: hello\n",
			" Version: 1:1.2.0~beta1-3\n",
			" Architecture: rmall\n",
			" Maintainer: Jane Doe <jane@example.org>\n",
			" Depends: libc6 (>= 2.31), display (<< 3.0) | rm2fb\n",
			" Conflicts: hello-classic, goodbye\n",
			" Replaces: hello-classic (<< 1.0)\n",
			" Provides: greeter\n",
			" Installed-Size: 86\n",
			" Description: Friendly greeter\n",
			"  Hello prints a friendly greeting.\n",
			"  .\n",
			// dpkg-deb lists the control members with their sizes.
			" control", " postinst", " prerm", " conffiles")
		// The field values must come back exactly as written.
		field := run(t, dir, "dpkg-deb", "-f", name, "Homepage")
		if field != "https://example.org/hello\n" {
			t.Errorf("dpkg-deb -f Homepage = %q", field)
		}
	})

	t.Run("dpkg-deb -c", func(t *testing.T) {
		out := run(t, dir, "dpkg-deb", "-c", name)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) < 20 {
			t.Fatalf("dpkg-deb -c listed only %d entries:\n%s", len(lines), out)
		}
		for _, l := range lines {
			if !strings.Contains(l, " root/root ") || !strings.Contains(l, " 2024-0") {
				t.Errorf("entry not owned by root/root or not clamped: %q", l)
			}
		}
		contains(t, "dpkg-deb -c", out,
			"drwxr-xr-x root/root         0 2024-05-01 00:00 ./\n",
			"-rwsr-xr-x root/root ",
			"drwxrwxrwt root/root ",
			"drwxrwsr-x root/root ",
			"./usr/bin/hello -> ../../opt/bin/hello\n",
			"./"+packtest.LongName+"\n",
			"./usr/share/hello-long-link -> "+packtest.LongTarget+"\n",
			" 2024-04-01 00:00 ./etc/hello.conf\n")
	})

	t.Run("members", func(t *testing.T) {
		x := t.TempDir()
		run(t, x, "ar", "x", ipk)
		if got := run(t, x, "cat", "debian-binary"); got != "2.0\n" {
			t.Errorf("debian-binary = %q", got)
		}
		run(t, x, "gzip", "-t", "control.tar.gz", "data.tar.gz")
		contains(t, "tar -tzvf control.tar.gz", run(t, x, "tar", "-tzvf", "control.tar.gz"),
			"drwxr-xr-x root/root", " ./\n", "-rw-r--r-- root/root", " ./control\n",
			"-rwxr-xr-x root/root", " ./postinst\n", " ./conffiles\n")
		data := run(t, x, "tar", "-tzvf", "data.tar.gz")
		contains(t, "tar -tzvf data.tar.gz", data, "./"+packtest.LongName+"\n", "./opt/bin/hello-hardlink\n")
		// Extract both archives with GNU tar: content and modes survive.
		for _, member := range []string{"control", "data"} {
			dst := filepath.Join(x, member)
			if err := os.Mkdir(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			run(t, dst, "tar", "-xzpf", filepath.Join(x, member+".tar.gz"))
		}
		contains(t, "conffiles", run(t, x, "cat", "control/conffiles"), "/etc/hello.conf\n")
		got, err := os.ReadFile(filepath.Join(x, "data", packtest.LongName))
		if err != nil || string(got) != "long\n" {
			t.Errorf("long-named file: %q, %v", got, err)
		}
		st, err := os.Stat(filepath.Join(x, "data/opt/bin/suid-helper"))
		if err != nil || st.Mode()&os.ModeSetuid == 0 {
			t.Errorf("suid-helper lost its setuid bit: %v, %v", st.Mode(), err)
		}
	})
}
