// Package elfcheck checks that the ELF files of a staged package run on
// the target's devices: each must have the machine, class and byte order of
// the target's platform, and may need no glibc symbol version (GLIBC_x.y)
// newer than the oldest glibc the target declares. noarch packages may hold
// no ELF file at all. It reads ELF with Go's debug/elf only, and runs
// inside the build graph (kiln elfcheck) after split, before packing.
package elfcheck

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// AllowNewerLibc is the validation rule that lets a recipe ship files
// needing a newer C library than the target's floor. A wrong machine is
// never allowed.
const AllowNewerLibc = "NewerLibc"

// Arch is the machine, class and byte order of a platform's ELF files.
type Arch struct {
	Machine elf.Machine
	Class   elf.Class
	Data    elf.Data
	// Short names the machine ("ARM"); Name the whole ("ARM (32-bit)").
	Short, Name string
}

// archs are the platforms whose ELF files kiln knows, by OCI platform.
var archs = []struct {
	platforms []string
	arch      Arch
}{
	{[]string{"linux/amd64"}, Arch{elf.EM_X86_64, elf.ELFCLASS64, elf.ELFDATA2LSB, "x86-64", "x86-64"}},
	{[]string{"linux/386"}, Arch{elf.EM_386, elf.ELFCLASS32, elf.ELFDATA2LSB, "x86", "x86 (32-bit)"}},
	{[]string{"linux/arm64", "linux/arm64/v8"}, Arch{elf.EM_AARCH64, elf.ELFCLASS64, elf.ELFDATA2LSB, "AArch64", "AArch64"}},
	{[]string{"linux/arm", "linux/arm/v5", "linux/arm/v6", "linux/arm/v7"}, Arch{elf.EM_ARM, elf.ELFCLASS32, elf.ELFDATA2LSB, "ARM", "ARM (32-bit)"}},
	{[]string{"linux/riscv64"}, Arch{elf.EM_RISCV, elf.ELFCLASS64, elf.ELFDATA2LSB, "RISC-V", "RISC-V (64-bit)"}},
	{[]string{"linux/ppc64le"}, Arch{elf.EM_PPC64, elf.ELFCLASS64, elf.ELFDATA2LSB, "PowerPC", "PowerPC (64-bit, little-endian)"}},
	{[]string{"linux/s390x"}, Arch{elf.EM_S390, elf.ELFCLASS64, elf.ELFDATA2MSB, "s390x", "s390x"}},
	{[]string{"linux/mips"}, Arch{elf.EM_MIPS, elf.ELFCLASS32, elf.ELFDATA2MSB, "MIPS", "MIPS (32-bit, big-endian)"}},
	{[]string{"linux/mipsle"}, Arch{elf.EM_MIPS, elf.ELFCLASS32, elf.ELFDATA2LSB, "MIPS", "MIPS (32-bit, little-endian)"}},
	{[]string{"linux/mips64"}, Arch{elf.EM_MIPS, elf.ELFCLASS64, elf.ELFDATA2MSB, "MIPS", "MIPS (64-bit, big-endian)"}},
	{[]string{"linux/mips64le"}, Arch{elf.EM_MIPS, elf.ELFCLASS64, elf.ELFDATA2LSB, "MIPS", "MIPS (64-bit, little-endian)"}},
	{[]string{"linux/loong64"}, Arch{elf.EM_LOONGARCH, elf.ELFCLASS64, elf.ELFDATA2LSB, "LoongArch", "LoongArch (64-bit)"}},
}

// ForPlatform is the ELF architecture of an OCI platform (linux/arm/v7).
func ForPlatform(platform string) (*Arch, error) {
	var known []string
	for _, a := range archs {
		for _, p := range a.platforms {
			if p == platform {
				arch := a.arch
				return &arch, nil
			}
			known = append(known, p)
		}
	}
	return nil, fmt.Errorf("platform %s: kiln does not know the ELF machine of its binaries (known: %s)", platform, strings.Join(known, ", "))
}

// describe names what an ELF file was built for: a known platform's name,
// else the machine with its class and byte order.
func describe(m elf.Machine, c elf.Class, d elf.Data) string {
	for _, a := range archs {
		if a.arch.Machine == m && a.arch.Class == c && a.arch.Data == d {
			return a.arch.Name
		}
	}
	name := strings.TrimPrefix(m.String(), "EM_")
	for _, a := range archs {
		if a.arch.Machine == m {
			name = a.arch.Short
			break
		}
	}
	bits := map[elf.Class]string{elf.ELFCLASS32: "32-bit", elf.ELFCLASS64: "64-bit"}[c]
	if bits == "" {
		bits = c.String()
	}
	order := map[elf.Data]string{elf.ELFDATA2LSB: "little-endian", elf.ELFDATA2MSB: "big-endian"}[d]
	if order == "" {
		order = d.String()
	}
	return fmt.Sprintf("%s (%s, %s)", name, bits, order)
}

// Libc is the C library a target runs on and the oldest version of it.
type Libc struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Expect is what a target's ELF files must satisfy.
type Expect struct {
	Target string
	// Arch is the machine every ELF file must have; nil means noarch,
	// where no ELF file is allowed.
	Arch *Arch
	// Libc is the floor: a glibc one is checked against the files' symbol
	// versions, others (and none) are not.
	Libc *Libc
	// AllowNewerLibc skips the floor (validation rule NewerLibc).
	AllowNewerLibc bool
}

// Kind tells problems apart.
type Kind int

const (
	WrongMachine Kind = iota // ELF file of another machine, class or byte order
	MachineCode              // ELF file in a noarch package
	NewerLibc                // needs a newer glibc than the target's floor
	Unreadable               // starts like ELF but debug/elf cannot read it
)

// Problem is one file that does not run on the target.
type Problem struct {
	Path string // slash-separated, relative to the package root
	Kind Kind
	Msg  string // the whole message, naming Path
}

func (p Problem) String() string { return p.Msg }

// Check reads every regular file under root (symlinks are not followed)
// and returns the problems of its ELF files, sorted by path. Static
// binaries, scripts and other files pass. The error is for a tree that
// cannot be read.
func Check(root string, e Expect) ([]Problem, error) {
	var floor []int
	if e.Libc != nil && e.Libc.Name == "glibc" && !e.AllowNewerLibc {
		v, ok := parseVersion(e.Libc.Version)
		if !ok {
			return nil, fmt.Errorf("target %s: glibc version %q is not a version", e.Target, e.Libc.Version)
		}
		floor = v
	}
	var problems []Problem
	err := RegularFiles(root, func(p, rel string) error {
		problems = append(problems, checkFile(p, rel, e, floor)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Path < problems[j].Path })
	return problems, nil
}

// RegularFiles calls fn for every regular file under root, with its path
// and its slash-separated path relative to root; symlinks are not
// followed. An error of fn stops the walk.
func RegularFiles(root string, fn func(path, rel string) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		return fn(p, filepath.ToSlash(rel))
	})
}

// checkFile checks one file; floor nil skips the glibc check.
func checkFile(file, rel string, e Expect, floor []int) []Problem {
	f, err := os.Open(file)
	if err != nil {
		return []Problem{{rel, Unreadable, fmt.Sprintf("%s: %v", rel, err)}}
	}
	defer f.Close()
	magic := make([]byte, len(elf.ELFMAG))
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != elf.ELFMAG {
		return nil // shorter than a header, or not ELF
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return []Problem{{rel, Unreadable, fmt.Sprintf("%s: starts like an ELF file but is not one debug/elf reads (%v)", rel, err)}}
	}
	got := describe(ef.Machine, ef.Class, ef.Data)
	switch {
	case e.Arch == nil:
		return []Problem{{rel, MachineCode, fmt.Sprintf("noarch packages hold no machine code: %s is %s %s ELF", rel, article(got), got)}}
	case ef.Machine != e.Arch.Machine || ef.Class != e.Arch.Class || ef.Data != e.Arch.Data:
		return []Problem{{rel, WrongMachine, fmt.Sprintf("%s: %s ELF, but target %s builds %s", rel, got, e.Target, e.Arch.Name)}}
	case floor == nil:
		return nil
	}
	need, err := newestGlibc(ef)
	if err != nil {
		return []Problem{{rel, Unreadable, fmt.Sprintf("%s: reading its symbol versions: %v", rel, err)}}
	}
	if v, _ := parseVersion(strings.TrimPrefix(need, "GLIBC_")); need != "" && compare(v, floor) > 0 {
		return []Problem{{rel, NewerLibc, fmt.Sprintf("%s needs %s, target %s has %s", rel, need, e.Target, e.Libc.Version)}}
	}
	return nil
}

// article is "a" or "an" as s is spoken: an x86-64, an ARM, an AArch64,
// an s390x; a MIPS, a PowerPC, a RISC-V.
func article(s string) string {
	for _, p := range []string{"x86", "ARM", "AArch64", "s390x", "A", "E", "I", "O", "U"} {
		if strings.HasPrefix(s, p) {
			return "an"
		}
	}
	return "a"
}

// NewestGlibc returns the newest glibc symbol version (GLIBC_x.y) the
// ELF file r needs, from its version-needs section; "" when it needs none
// (static binaries, files without versioned symbols).
func NewestGlibc(r io.ReaderAt) (string, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return "", err
	}
	return newestGlibc(f)
}

func newestGlibc(f *elf.File) (string, error) {
	if f.SectionByType(elf.SHT_GNU_VERNEED) == nil {
		return "", nil
	}
	needs, err := f.DynamicVersionNeeds()
	if errors.Is(err, elf.ErrNoSymbols) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	newest, best := "", []int(nil)
	for _, lib := range needs {
		for _, d := range lib.Needs {
			s, ok := strings.CutPrefix(d.Dep, "GLIBC_")
			if !ok {
				continue
			}
			v, ok := parseVersion(s)
			if ok && (best == nil || compare(v, best) > 0) {
				newest, best = d.Dep, v
			}
		}
	}
	return newest, nil
}

// parseVersion reads dot-separated numbers (2.2.5); GLIBC_PRIVATE and the
// like are not versions.
func parseVersion(s string) ([]int, bool) {
	if s == "" {
		return nil, false
	}
	parts := strings.Split(s, ".")
	v := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || p[0] == '+' {
			return nil, false
		}
		v[i] = n
	}
	return v, true
}

// compare orders versions part by part, numerically: 2.4 < 2.31, and
// 2.2 < 2.2.5.
func compare(a, b []int) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		x, y := -1, -1
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// CompareVersions compares two glibc versions ("2.4", "2.31") numerically.
func CompareVersions(a, b string) (int, error) {
	x, ok := parseVersion(a)
	if !ok {
		return 0, fmt.Errorf("%q is not a version", a)
	}
	y, ok := parseVersion(b)
	if !ok {
		return 0, fmt.Errorf("%q is not a version", b)
	}
	return compare(x, y), nil
}
