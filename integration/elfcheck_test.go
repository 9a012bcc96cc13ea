package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWrongMachineRefused: the check step between split and packing
// refuses an x86-64 binary in an armv7 package (the toolchain's own
// /bin/true, unstripped: the ARM strip would not read it) and any ELF file
// in a noarch package, naming the package and the file; the validation
// rule NewerLibc does not allow a wrong machine. An ARM binary built with
// $CC and a script pass, and the package is written.
func TestWrongMachineRefused(t *testing.T) {
	requireIntegration(t)
	head := func(name, target string) string {
		return strings.Replace(fmt.Sprintf(recipeHead, name), "targets: [x86_64]", "targets: ["+target+"]", 1) +
			"flags: [nostrip]\n"
	}
	const armv7Package = `package: |
  printf 'int main(void) { return 0; }\n' > ok.c
  "$CC" -o ok ok.c
  install -D ok "$pkgdir/usr/bin/ok"
  printf '#!/bin/sh\nexit 0\n' > script && install -D script "$pkgdir/usr/bin/script"
`
	const x86Binary = `  install -D /bin/true "$pkgdir/usr/bin/foo"
`
	for _, c := range []struct {
		name, recipe string
		want         []string // in the error; none: the build succeeds
	}{
		{"armv7 passes", head("elfok", "armv7") + armv7Package, nil},
		{"armv7 refuses x86-64", head("wrongarch", "armv7") + armv7Package + x86Binary, []string{
			"wrongarch [armv7] check ELF files (glibc <= 2.36, ARM)",
			"package wrongarch: usr/bin/foo: x86-64 ELF, but target armv7 builds ARM (32-bit)",
		}},
		{"NewerLibc allows no machine", head("wrongarch", "armv7") + "validation: [{allow: NewerLibc}]\n" + armv7Package + x86Binary, []string{
			"wrongarch [armv7] check ELF files (ARM, newer glibc allowed)",
			"package wrongarch: usr/bin/foo: x86-64 ELF, but target armv7 builds ARM (32-bit)",
		}},
		{"noarch refuses any ELF", head("elfnoarch", "noarch") + "package: |\n" + x86Binary, []string{
			"elfnoarch [noarch] check ELF files (noarch: no machine code)",
			"package elfnoarch: noarch packages hold no machine code: usr/bin/foo is an x86-64 ELF",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"kiln.yaml": c.recipe})
			out := t.TempDir()
			r := kiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
			if c.want == nil {
				if r.err != nil {
					t.Fatalf("build failed: %v\n%s", r.err, tail(r.stderr, 40))
				}
				if !strings.Contains(r.stderr, "elfok [armv7] check ELF files (glibc <= 2.36, ARM)") {
					t.Errorf("progress shows no check step:\n%s", tail(r.stderr, 40))
				}
				if _, err := os.Stat(filepath.Join(out, "elfok_1.0-1_armv7.ipk")); err != nil {
					t.Error(err)
				}
				return
			}
			if r.err == nil {
				t.Fatalf("build succeeded:\n%s", tail(r.stderr, 40))
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("output lacks %q:\n%s", w, tail(r.stderr, 40))
				}
			}
			for _, ok := range []string{"usr/bin/ok", "usr/bin/script"} {
				if strings.Contains(r.stderr, ok+":") || strings.Contains(r.stderr, ok+" is") {
					t.Errorf("%s is reported:\n%s", ok, tail(r.stderr, 40))
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("a refused build wrote %d files", len(entries))
			}
		})
	}
}
