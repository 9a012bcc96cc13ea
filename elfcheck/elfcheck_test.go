package elfcheck

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// goBinaries cross-compiles one small static Go program per GOARCH, once
// per test run: real ELF files of each machine, needing no glibc symbol.
var goBinaries = struct {
	once  sync.Once
	dir   string
	paths map[string]string
	err   error
}{}

func goBinary(t *testing.T, goarch string) string {
	t.Helper()
	goBinaries.once.Do(func() {
		goBinaries.dir, goBinaries.err = os.MkdirTemp("", "elfcheck-go-")
		if goBinaries.err != nil {
			return
		}
		src := filepath.Join(goBinaries.dir, "main.go")
		goBinaries.err = os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hello\") }\n"), 0o644)
		goBinaries.paths = map[string]string{}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, arch := range []string{"amd64", "arm64", "arm"} {
			out := filepath.Join(goBinaries.dir, "hello-"+arch)
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, src)
				cmd.Dir = goBinaries.dir
				cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "GOARM=7", "CGO_ENABLED=0", "GOFLAGS=", "GO111MODULE=off")
				b, err := cmd.CombinedOutput()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					goBinaries.err = &buildError{arch, err, b}
					return
				}
				goBinaries.paths[arch] = out
			}()
		}
		wg.Wait()
	})
	if goBinaries.err != nil {
		t.Fatal(goBinaries.err)
	}
	return goBinaries.paths[goarch]
}

type buildError struct {
	arch string
	err  error
	out  []byte
}

func (e *buildError) Error() string {
	return "go build GOARCH=" + e.arch + ": " + e.err.Error() + "\n" + string(e.out)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if goBinaries.dir != "" {
		os.RemoveAll(goBinaries.dir)
	}
	os.Exit(code)
}

// tree makes a package root holding files (path -> source file to copy, or
// content when it is not a file).
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			data = []byte(src)
		}
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func expect(t *testing.T, target, platform string, libc *Libc) Expect {
	t.Helper()
	e, err := Spec{Target: target, Platform: platform, Libc: libc}.Expect()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func messages(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

var glibc236 = &Libc{Name: "glibc", Version: "2.36"}

// TestMachine: Go programs cross-compiled for each machine pass on their
// own target, static (no GLIBC symbol, so any floor), and are refused on
// the others, naming the file and both architectures.
func TestMachine(t *testing.T) {
	targets := []struct{ name, platform, goarch, arch string }{
		{"x86_64", "linux/amd64", "amd64", "x86-64"},
		{"aarch64", "linux/arm64", "arm64", "AArch64"},
		{"armv7", "linux/arm/v7", "arm", "ARM (32-bit)"},
	}
	for _, tg := range targets {
		for _, bin := range targets {
			root := tree(t, map[string]string{"usr/bin/foo": goBinary(t, bin.goarch)})
			ps, err := Check(root, expect(t, tg.name, tg.platform, &Libc{Name: "glibc", Version: "2.0"}))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(messages(ps), "\n")
			want := ""
			if tg != bin {
				want = "usr/bin/foo: " + bin.arch + " ELF, but target " + tg.name + " builds " + tg.arch
			}
			if got != want {
				t.Errorf("%s binary on %s: %q, want %q", bin.goarch, tg.name, got, want)
			}
		}
	}
}

// TestNoarch: any ELF file in a noarch package is refused; scripts pass.
func TestNoarch(t *testing.T) {
	root := tree(t, map[string]string{
		"usr/bin/foo":   goBinary(t, "arm"),
		"usr/bin/bar":   goBinary(t, "amd64"),
		"usr/bin/hello": "#!/bin/sh\necho hello\n",
	})
	ps, err := Check(root, expect(t, "noarch", "", nil))
	if err != nil {
		t.Fatal(err)
	}
	want := "noarch packages hold no machine code: usr/bin/bar is an x86-64 ELF\n" +
		"noarch packages hold no machine code: usr/bin/foo is an ARM (32-bit) ELF"
	if got := strings.Join(messages(ps), "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestOtherFiles: scripts, data, empty and short files, a file that only
// looks like ELF to file(1)'s first bytes, and symlinks (not followed,
// even to a wrong-machine binary outside the tree) pass; a file that
// starts like ELF but is not one is reported.
func TestOtherFiles(t *testing.T) {
	root := tree(t, map[string]string{
		"usr/bin/script": "#!/bin/sh\nexit 0\n",
		"usr/share/data": "plain text",
		"empty":          "",
		"short":          "\x7fEL",
	})
	if err := os.Symlink(goBinary(t, "arm64"), filepath.Join(root, "usr/bin/link")); err != nil {
		t.Fatal(err)
	}
	ps, err := Check(root, expect(t, "armv7", "linux/arm/v7", glibc236))
	if err != nil || len(ps) != 0 {
		t.Fatalf("problems %q, err %v", messages(ps), err)
	}
	if err := os.WriteFile(filepath.Join(root, "broken"), []byte("\x7fELF\x09garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	ps, err = Check(root, expect(t, "armv7", "linux/arm/v7", glibc236))
	if err != nil || len(ps) != 1 || ps[0].Kind != Unreadable || !strings.HasPrefix(ps[0].Msg, "broken: starts like an ELF file but is not one") {
		t.Errorf("problems %q, err %v", messages(ps), err)
	}
}

// fakeELF writes a minimal ELF file of arch (no code) whose version-needs
// section asks each library for the given versions, as a dynamically
// linked program's does: the glibc checks, without a C compiler.
func fakeELF(t *testing.T, a Arch, needs map[string][]string) []byte {
	t.Helper()
	var bo binary.ByteOrder = binary.LittleEndian
	if a.Data == elf.ELFDATA2MSB {
		bo = binary.BigEndian
	}
	libs := make([]string, 0, len(needs))
	for l := range needs {
		libs = append(libs, l)
	}
	sort.Strings(libs)
	// .dynstr, then .gnu.version_r pointing into it.
	str := []byte{0}
	add := func(s string) uint32 {
		off := uint32(len(str))
		str = append(append(str, s...), 0)
		return off
	}
	var vn bytes.Buffer
	put := func(vs ...any) {
		for _, v := range vs {
			binary.Write(&vn, bo, v)
		}
	}
	index := uint16(2)
	for i, l := range libs {
		next := uint32(16 + 16*len(needs[l]))
		if i == len(libs)-1 {
			next = 0
		}
		put(uint16(1), uint16(len(needs[l])), add(l), uint32(16), next)
		for j, v := range needs[l] {
			auxNext := uint32(16)
			if j == len(needs[l])-1 {
				auxNext = 0
			}
			put(uint32(0), uint16(0), index, add(v), auxNext)
			index++
		}
	}
	is64 := a.Class == elf.ELFCLASS64
	symSize, hdrSize, shSize := elf.Sym32Size, 52, 40
	if is64 {
		symSize, hdrSize, shSize = elf.Sym64Size, 64, 64
	}
	// Sections after the header: dynstr, dynsym (the null symbol),
	// versym (its index), verneed; then the section headers.
	type sec struct {
		typ       elf.SectionType
		data      []byte
		link      uint32
		off, size int
	}
	secs := []sec{
		{typ: elf.SHT_NULL},
		{typ: elf.SHT_STRTAB, data: str},
		{typ: elf.SHT_DYNSYM, data: make([]byte, symSize), link: 1},
		{typ: elf.SHT_GNU_VERSYM, data: make([]byte, 2), link: 2},
		{typ: elf.SHT_GNU_VERNEED, data: vn.Bytes(), link: 1},
	}
	var body bytes.Buffer
	for i := range secs[1:] {
		s := &secs[i+1]
		for body.Len()%8 != 0 {
			body.WriteByte(0)
		}
		s.off, s.size = hdrSize+body.Len(), len(s.data)
		body.Write(s.data)
	}
	for body.Len()%8 != 0 {
		body.WriteByte(0)
	}
	shoff := hdrSize + body.Len()
	var out bytes.Buffer
	ident := [elf.EI_NIDENT]byte{0x7f, 'E', 'L', 'F', byte(a.Class), byte(a.Data), byte(elf.EV_CURRENT)}
	if is64 {
		binary.Write(&out, bo, elf.Header64{Ident: ident, Type: uint16(elf.ET_EXEC), Machine: uint16(a.Machine),
			Version: uint32(elf.EV_CURRENT), Shoff: uint64(shoff), Ehsize: uint16(hdrSize),
			Shentsize: uint16(shSize), Shnum: uint16(len(secs))})
	} else {
		binary.Write(&out, bo, elf.Header32{Ident: ident, Type: uint16(elf.ET_EXEC), Machine: uint16(a.Machine),
			Version: uint32(elf.EV_CURRENT), Shoff: uint32(shoff), Ehsize: uint16(hdrSize),
			Shentsize: uint16(shSize), Shnum: uint16(len(secs))})
	}
	out.Write(body.Bytes())
	for _, s := range secs {
		if is64 {
			binary.Write(&out, bo, elf.Section64{Type: uint32(s.typ), Off: uint64(s.off), Size: uint64(s.size), Link: s.link, Addralign: 1})
		} else {
			binary.Write(&out, bo, elf.Section32{Type: uint32(s.typ), Off: uint32(s.off), Size: uint32(s.size), Link: s.link, Addralign: 1})
		}
	}
	return out.Bytes()
}

func arch(t *testing.T, platform string) Arch {
	t.Helper()
	a, err := ForPlatform(platform)
	if err != nil {
		t.Fatal(err)
	}
	return *a
}

// TestGlibcFloor: the newest GLIBC_ version any library is asked for is
// compared numerically with the floor (2.4 < 2.31), on every class and
// byte order; GLIBC_PRIVATE and other libraries' versions do not count.
func TestGlibcFloor(t *testing.T) {
	needs := map[string][]string{
		"libc.so.6":       {"GLIBC_2.4", "GLIBC_2.31", "GLIBC_PRIVATE", "GLIBC_2.7"},
		"libm.so.6":       {"GLIBC_2.29"},
		"libstdc++.so.6":  {"GLIBCXX_3.4.32", "CXXABI_1.3.15"},
		"ld-linux.so.3":   {"GLIBC_2.4"},
		"libgcc_s.so.1":   {"GCC_12.0.0"},
		"libfuture.so.99": {"FUTURE_9.9"},
	}
	for _, platform := range []string{"linux/arm/v7", "linux/amd64", "linux/mips", "linux/s390x"} {
		a := arch(t, platform)
		data := fakeELF(t, a, needs)
		newest, err := NewestGlibc(bytes.NewReader(data))
		if err != nil || newest != "GLIBC_2.31" {
			t.Fatalf("%s: NewestGlibc = %q, %v; want GLIBC_2.31", platform, newest, err)
		}
		root := tree(t, map[string]string{"opt/bin/foo": string(data)})
		for floor, want := range map[string]string{
			"2.4":  "opt/bin/foo needs GLIBC_2.31, target rm2 has 2.4",
			"2.30": "opt/bin/foo needs GLIBC_2.31, target rm2 has 2.30",
			"2.31": "",
			"2.36": "",
			"3":    "",
		} {
			ps, err := Check(root, expect(t, "rm2", platform, &Libc{Name: "glibc", Version: floor}))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(messages(ps), "\n"); got != want {
				t.Errorf("%s, floor %s: %q, want %q", platform, floor, got, want)
			}
		}
		// Allowed, or another C library: the versions are not checked.
		for _, e := range []Expect{
			{Target: "rm2", Arch: &a, Libc: &Libc{Name: "glibc", Version: "2.4"}, AllowNewerLibc: true},
			{Target: "rm2", Arch: &a, Libc: &Libc{Name: "musl", Version: "1.2"}},
			{Target: "rm2", Arch: &a},
		} {
			if ps, err := Check(root, e); err != nil || len(ps) != 0 {
				t.Errorf("%s %+v: %q, %v", platform, e.Libc, messages(ps), err)
			}
		}
	}
}

// TestClassAndByteOrder: the same machine with another class or byte order
// is refused too, named by both.
func TestClassAndByteOrder(t *testing.T) {
	x32 := arch(t, "linux/amd64")
	x32.Class = elf.ELFCLASS32
	mipsle := arch(t, "linux/mipsle")
	root := tree(t, map[string]string{
		"x32":    string(fakeELF(t, x32, nil)),
		"mipsle": string(fakeELF(t, mipsle, nil)),
	})
	ps, err := Check(root, expect(t, "x86_64", "linux/amd64", glibc236))
	if err != nil {
		t.Fatal(err)
	}
	want := "mipsle: MIPS (32-bit, little-endian) ELF, but target x86_64 builds x86-64\n" +
		"x32: x86-64 (32-bit, little-endian) ELF, but target x86_64 builds x86-64"
	if got := strings.Join(messages(ps), "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	ps, err = Check(root, expect(t, "mips", "linux/mips", glibc236))
	if err != nil || len(ps) != 2 || ps[0].Msg != "mipsle: MIPS (32-bit, little-endian) ELF, but target mips builds MIPS (32-bit, big-endian)" {
		t.Errorf("%q, %v", messages(ps), err)
	}
}

// cProgram compiles a program calling pthread_create with the host's C
// compiler: with glibc 2.34 or newer (bookworm: 2.36) it needs GLIBC_2.34
// (pthread_create and __libc_start_main moved into libc.so.6 there).
func cProgram(t *testing.T) string {
	t.Helper()
	testtool.Need(t, "cc")
	dir := t.TempDir()
	src := filepath.Join(dir, "prog.c")
	code := `#include <pthread.h>
#include <stdio.h>
static void *run(void *arg) { puts("hello"); return arg; }
int main(void) {
	pthread_t t;
	if (pthread_create(&t, NULL, run, NULL) != 0) return 1;
	return pthread_join(t, NULL);
}
`
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "prog")
	if b, err := exec.Command("cc", "-O2", "-pthread", "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, b)
	}
	return out
}

func hostPlatform(t *testing.T) string {
	p := map[string]string{"amd64": "linux/amd64", "arm64": "linux/arm64", "arm": "linux/arm/v7", "riscv64": "linux/riscv64"}[runtime.GOARCH]
	if p == "" || runtime.GOOS != "linux" {
		t.Skipf("no ELF platform for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return p
}

// TestCompiledProgram: a C program built against the host's glibc needs
// GLIBC_2.34, refused on a 2.31 target and accepted on 2.34 and 2.36.
func TestCompiledProgram(t *testing.T) {
	prog := cProgram(t)
	platform := hostPlatform(t)
	f, err := os.Open(prog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	newest, err := NewestGlibc(f)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := CompareVersions(strings.TrimPrefix(newest, "GLIBC_"), "2.34"); err != nil || c < 0 {
		t.Skipf("the host's glibc is older than 2.34 (the program needs %q)", newest)
	}
	if newest != "GLIBC_2.34" {
		t.Fatalf("NewestGlibc = %s, want GLIBC_2.34", newest)
	}
	root := tree(t, map[string]string{"usr/bin/foo": prog})
	for floor, want := range map[string]string{"2.31": "usr/bin/foo needs GLIBC_2.34, target rm2 has 2.31", "2.34": "", "2.36": ""} {
		ps, err := Check(root, expect(t, "rm2", platform, &Libc{Name: "glibc", Version: floor}))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(messages(ps), "\n"); got != want {
			t.Errorf("floor %s: %q, want %q", floor, got, want)
		}
	}
}

// TestObjdumpAgrees: NewestGlibc finds what binutils lists as the newest
// GLIBC_ version of the program's dynamic symbols.
func TestObjdumpAgrees(t *testing.T) {
	prog := cProgram(t)
	testtool.Need(t, "objdump")
	out, err := exec.Command("objdump", "-T", prog).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want string
	var best []int
	for _, m := range regexp.MustCompile(`\bGLIBC_([0-9.]+)\b`).FindAllStringSubmatch(string(out), -1) {
		if v, ok := parseVersion(m[1]); ok && (best == nil || compare(v, best) > 0) {
			want, best = m[0], v
		}
	}
	f, err := os.Open(prog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, err := NewestGlibc(f); err != nil || got != want {
		t.Errorf("NewestGlibc = %q, %v; objdump -T says %q", got, err, want)
	}
}

// TestStaticHasNoGlibc: a static Go binary needs no glibc symbol.
func TestStaticHasNoGlibc(t *testing.T) {
	f, err := os.Open(goBinary(t, "arm"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, err := NewestGlibc(f); err != nil || got != "" {
		t.Errorf("NewestGlibc = %q, %v; want none", got, err)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"2.4", "2.31", -1},
		{"2.31", "2.4", 1},
		{"2.2.5", "2.2", 1},
		{"2.2", "2.2.5", -1},
		{"2.34", "2.34", 0},
		{"2.17", "2.9", 1},
		{"3", "2.99", 1},
	} {
		if got, err := CompareVersions(c.a, c.b); err != nil || got != c.want {
			t.Errorf("CompareVersions(%s, %s) = %d, %v; want %d", c.a, c.b, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "PRIVATE", "2.", "2.x", "+2.3", "-1"} {
		if _, err := CompareVersions(bad, "2.31"); err == nil {
			t.Errorf("%q is taken as a version", bad)
		}
	}
}

func TestForPlatform(t *testing.T) {
	for platform, want := range map[string]string{
		"linux/amd64": "x86-64", "linux/arm64": "AArch64", "linux/arm/v7": "ARM (32-bit)", "linux/arm/v6": "ARM (32-bit)",
	} {
		if a, err := ForPlatform(platform); err != nil || a.Name != want {
			t.Errorf("ForPlatform(%s) = %+v, %v", platform, a, err)
		}
	}
	if _, err := ForPlatform("linux/sparc"); err == nil || !strings.Contains(err.Error(), "linux/sparc: kiln does not know the ELF machine") {
		t.Errorf("unknown platform: %v", err)
	}
}
