package integration

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// bookwormGlibc is the newest GLIBC_ version filesize (examples/bullseye)
// needs when bookworm's cross GCC builds it against glibc 2.36:
// pthread_create and __libc_start_main moved into libc.so.6 in 2.34.
const bookwormGlibc = "2.34"

// TestBullseyeTarget builds examples/bullseye with the repository's own
// target armv7-bullseye (kiln's armv7 on Debian bullseye: cross GCC 10,
// glibc 2.31; the base image set-up imports). The binary read back from
// the .ipk needs no GLIBC_ symbol version newer than 2.31, while the same
// program built with kiln's bookworm armv7 needs 2.34. Both are installed
// into a copy of set-up's debootstrapped bullseye armhf root and run there
// under qemu-user (chroot through binfmt): the bullseye build runs and
// reports the root's glibc 2.31, the bookworm one cannot start.
func TestBullseyeTarget(t *testing.T) {
	requireIntegration(t)
	rootfs := bullseyeRootfs(t)

	out := t.TempDir()
	r := mustKiln(t, nil, "build", "examples/bullseye", "-o", out, "--progress", "plain")
	for _, step := range []string{
		"toolchain armv7-bullseye: install",
		"filesize [armv7-bullseye] check ELF files (glibc <= 2.31, ARM)",
		"filesize [armv7-bullseye] test 0 (install)", // glibc 2.31 under qemu, in the graph
	} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress lacks %q:\n%s", step, tail(r.stderr, 40))
		}
	}
	ipk := filepath.Join(out, "filesize_1.0-1_armv7.ipk")
	if info := run(t, "dpkg-deb", "-I", ipk); !strings.Contains(info, "Architecture: armv7") {
		t.Errorf("dpkg-deb -I:\n%s", info)
	}
	bullseye := t.TempDir()
	run(t, "dpkg-deb", "-x", ipk, bullseye)
	bin := filepath.Join(bullseye, "usr/bin/filesize")
	if f := run(t, "file", bin); !strings.Contains(f, "ARM, EABI5") || !strings.Contains(f, "dynamically linked") {
		t.Errorf("file: %s", f)
	}
	need, syms := newestGlibc(t, bin)
	t.Logf("bullseye build needs GLIBC_%s (%s)", need, strings.Join(syms, ", "))
	if need == "" || compareVersions(need, "2.31") > 0 {
		t.Errorf("bullseye build needs GLIBC_%s (%s), want <= 2.31", need, strings.Join(syms, ", "))
	}

	// The same program from kiln's own armv7 (bookworm, glibc 2.36, which
	// the check allows) needs a newer glibc than bullseye's.
	bookwormOut := t.TempDir()
	mustKiln(t, nil, "build", filesizeRecipe(t, "armv7"), "-o", bookwormOut, "--progress", "plain")
	bookworm := t.TempDir()
	run(t, "dpkg-deb", "-x", filepath.Join(bookwormOut, "filesize_1.0-1_armv7.ipk"), bookworm)
	needB, symsB := newestGlibc(t, filepath.Join(bookworm, "usr/bin/filesize"))
	t.Logf("bookworm build needs GLIBC_%s (%s)", needB, strings.Join(symsB, ", "))
	if needB != bookwormGlibc {
		t.Errorf("bookworm build needs GLIBC_%s (%s), want %s", needB, strings.Join(symsB, ", "), bookwormGlibc)
	}

	// Install both into a bullseye armhf root and run them there.
	if os.Geteuid() != 0 {
		t.Fatal("running in the bullseye root needs chroot, as root")
	}
	root := filepath.Join(t.TempDir(), "root")
	run(t, "cp", "-a", rootfs, root)
	run(t, "dpkg-deb", "-x", ipk, root)
	run(t, "cp", filepath.Join(bookworm, "usr/bin/filesize"), filepath.Join(root, "usr/bin/filesize-bookworm"))
	version, err := os.Stat(filepath.Join(root, "etc/debian_version"))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("/etc/debian_version: %d bytes (glibc 2.31)", version.Size())
	if got := strings.TrimSpace(run(t, "chroot", root, "/usr/bin/filesize", "/etc/debian_version")); got != want {
		t.Errorf("filesize in the bullseye root: %q, want %q", got, want)
	}
	b, err := exec.Command("chroot", root, "/usr/bin/filesize-bookworm", "/etc/debian_version").CombinedOutput()
	if notFound := "version `GLIBC_" + bookwormGlibc + "' not found"; err == nil || !strings.Contains(string(b), notFound) {
		t.Errorf("the bookworm build in the bullseye root: %v, %q; want it refused with %q", err, b, notFound)
	}
}

// TestLibcFloorRefusesBookwormBuild: a target that declares glibc 2.31 but
// still builds with kiln's bookworm toolchain (no suite change) fails the
// build in the check step, naming the package, the file, the version the
// binary needs and the target's; no package is written.
func TestLibcFloorRefusesBookwormBuild(t *testing.T) {
	requireIntegration(t)
	dir := filesizeRecipe(t, "rm2")
	writeFiles(t, dir, map[string]string{"targets/rm2.yaml": `targets:
  rm2:
    extends: armv7   # kiln's armv7: bookworm's cross GCC and glibc 2.36
    description: reMarkable 2 (glibc 2.31)
    libc: {version: "2.31"}
    formats: {ipk: {arch: rm2}}
`})
	out := t.TempDir()
	r := kiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	if r.err == nil {
		t.Fatalf("build succeeded:\n%s", tail(r.stderr, 40))
	}
	for _, w := range []string{
		"filesize [rm2] check ELF files (glibc <= 2.31, ARM)",
		"package filesize: usr/bin/filesize needs GLIBC_" + bookwormGlibc + ", target rm2 has 2.31",
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("output lacks %q:\n%s", w, tail(r.stderr, 40))
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a refused build wrote %d files", len(entries))
	}
}

// bullseyeRootfs is set-up's debootstrapped bullseye armhf root (the
// armhf half of library/debian:bullseye), which tests copy, never change.
func bullseyeRootfs(t *testing.T) string {
	t.Helper()
	cache := os.Getenv("KILN_DEV_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		cache = filepath.Join(home, ".cache", "kiln-dev")
	}
	dir := filepath.Join(cache, "rootfs", "bullseye-armhf")
	if _, err := os.Stat(dir + ".done"); err != nil {
		t.Fatalf("no debootstrapped bullseye armhf root (%v): run hack/setup.sh", err)
	}
	return dir
}

// filesizeRecipe is a repository holding examples/bullseye's recipe and
// sources for target, without the example's targets/ and tests (its
// install test expects glibc 2.31).
func filesizeRecipe(t *testing.T, target string) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "examples", "bullseye")
	recipe := readFile(t, filepath.Join(src, "kiln.yaml"))
	if !strings.Contains(recipe, "\ntargets: [armv7-bullseye]\n") || !strings.Contains(recipe, "\ntests:\n") {
		t.Fatalf("examples/bullseye/kiln.yaml changed: want targets: [armv7-bullseye] and tests: last")
	}
	recipe = strings.Replace(recipe, "\ntargets: [armv7-bullseye]\n", "\ntargets: ["+target+"]\n", 1)
	recipe = recipe[:strings.Index(recipe, "\ntests:\n")+1]
	dir := t.TempDir()
	copyDir(t, filepath.Join(src, "src"), filepath.Join(dir, "src"))
	writeFiles(t, dir, map[string]string{"kiln.yaml": recipe})
	return dir
}

// newestGlibc reads the dynamic symbols of the ELF file at path with
// debug/elf and returns the newest GLIBC_x.y version any of them needs,
// with the symbols that need it.
func newestGlibc(t *testing.T, path string) (string, []string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	imported, err := f.ImportedSymbols()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	newest := ""
	var syms []string
	for _, s := range imported {
		v, ok := strings.CutPrefix(s.Version, "GLIBC_")
		if !ok {
			continue
		}
		switch c := compareVersions(v, newest); {
		case newest == "" || c > 0:
			newest, syms = v, []string{s.Name}
		case c == 0:
			syms = append(syms, s.Name)
		}
	}
	slices.Sort(syms)
	return newest, syms
}

// compareVersions compares dotted version numbers numerically (2.4 < 2.31).
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}
