package integration

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo makes a repository at dir and returns a git runner for it.
func gitRepo(t *testing.T, dir string, files map[string]string) func(args ...string) string {
	t.Helper()
	writeFiles(t, dir, files)
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=T", "-c", "user.email=t@example.org",
			"-c", "protocol.file.allow=always"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("add", ".")
	git("commit", "-q", "-m", "first")
	return git
}

// TestGitSubmodules: a git source with submodules: true holds its
// submodule at the commit the pinned tree records, not the submodule's
// newest; without it the submodule's directory stays empty.
func TestGitSubmodules(t *testing.T) {
	requireIntegration(t)
	base := t.TempDir()
	url := gitDaemon(t, base)
	lib := gitRepo(t, filepath.Join(base, "lib.git"), map[string]string{"lib.txt": "lib at the pinned commit\n"})
	libPinned := lib("rev-parse", "HEAD")
	app := gitRepo(t, filepath.Join(base, "app.git"), map[string]string{"app.txt": "app\n"})
	app("submodule", "add", url+"/lib.git", "lib")
	app("commit", "-q", "-m", "add lib")
	pinned := app("rev-parse", "HEAD")
	// Later commits of the submodule must not reach the build.
	writeFiles(t, filepath.Join(base, "lib.git"), map[string]string{"lib.txt": "lib, a later commit\n"})
	lib("commit", "-q", "-am", "later")
	if got := app("ls-tree", "HEAD", "lib"); !strings.Contains(got, libPinned) {
		t.Fatalf("app records %q, not %s", got, libPinned)
	}

	recipe := func(submodules bool) string {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "subapp") + fmt.Sprintf(`sources:
  - git: %s/app.git
    commit: %s
    submodules: %t
package: |
  install -D -m 644 app.txt "$pkgdir/usr/share/subapp/app.txt"
  if [ -e lib/lib.txt ]; then install -D -m 644 lib/lib.txt "$pkgdir/usr/share/subapp/lib.txt"; fi
`, url, pinned, submodules)})
		return dir
	}
	contents := func(dir string) map[string]string {
		out := t.TempDir()
		mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
		x := t.TempDir()
		run(t, "dpkg-deb", "-x", filepath.Join(out, "subapp_1.0-1_x86_64.ipk"), x)
		got := map[string]string{}
		for _, f := range []string{"app.txt", "lib.txt"} {
			if b, err := exec.Command("cat", filepath.Join(x, "usr/share/subapp", f)).Output(); err == nil {
				got[f] = string(b)
			}
		}
		return got
	}
	with := contents(recipe(true))
	if with["app.txt"] != "app\n" || with["lib.txt"] != "lib at the pinned commit\n" {
		t.Errorf("with submodules: %q", with)
	}
	without := contents(recipe(false))
	if without["app.txt"] != "app\n" || without["lib.txt"] != "" {
		t.Errorf("without submodules: %q", without)
	}
}
