package elfcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestRunMessage: every problem of every package in one error, a line
// each naming the package and the file, packages in the spec's order,
// files by path, and the validation rule named once for newer-glibc files.
func TestRunMessage(t *testing.T) {
	arm := arch(t, "linux/arm/v7")
	newer := string(fakeELF(t, arm, map[string][]string{"libc.so.6": {"GLIBC_2.4", "GLIBC_2.34"}}))
	root := t.TempDir()
	for dir, files := range map[string]map[string]string{
		"foo": {
			"usr/bin/zz":     newer,
			"usr/bin/foo":    goBinary(t, "amd64"),
			"usr/bin/ok":     string(fakeELF(t, arm, map[string][]string{"libc.so.6": {"GLIBC_2.4"}})),
			"usr/lib/a.so":   goBinary(t, "arm64"),
			"usr/bin/script": "#!/bin/sh\n",
		},
		"foo-tools": {"bin/x": newer},
	} {
		src := tree(t, files)
		if err := os.Rename(src, filepath.Join(root, dir)); err != nil {
			t.Fatal(err)
		}
	}
	spec := Spec{Target: "rm2", Platform: "linux/arm/v7", Libc: &Libc{Name: "glibc", Version: "2.31"},
		Packages: []string{"foo", "foo-doc", "foo-tools"}} // foo-doc: empty, no directory
	want := `ELF files that do not run on target rm2:
package foo: usr/bin/foo: x86-64 ELF, but target rm2 builds ARM (32-bit)
package foo: usr/bin/zz needs GLIBC_2.34, target rm2 has 2.31
package foo: usr/lib/a.so: AArch64 ELF, but target rm2 builds ARM (32-bit)
package foo-tools: bin/x needs GLIBC_2.34, target rm2 has 2.31
(allow files needing a newer glibc with validation rule NewerLibc)`
	if err := Run(spec, root); err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}

	// Through the JSON file the in-graph step reads; NewerLibc allowed
	// leaves only the wrong machines, and no hint.
	spec.AllowNewerLibc = true
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "elfcheck.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want = `ELF files that do not run on target rm2:
package foo: usr/bin/foo: x86-64 ELF, but target rm2 builds ARM (32-bit)
package foo: usr/lib/a.so: AArch64 ELF, but target rm2 builds ARM (32-bit)`
	if err := RunFile(file, root); err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}

	spec.Packages = []string{"foo-doc"}
	if err := Run(spec, root); err != nil {
		t.Errorf("empty package: %v", err)
	}
}

func TestSpecErrors(t *testing.T) {
	for _, s := range []Spec{
		{Target: "t", Platform: "linux/sparc"},
		{Target: "t", Platform: "linux/arm64", Libc: &Libc{Name: "glibc", Version: "two"}},
	} {
		if err := Run(s, t.TempDir()); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}

func TestLabel(t *testing.T) {
	for want, s := range map[string]Spec{
		"glibc <= 2.36, ARM":          {Platform: "linux/arm/v7", Libc: &Libc{Name: "glibc", Version: "2.36"}},
		"x86-64, newer glibc allowed": {Platform: "linux/amd64", Libc: &Libc{Name: "glibc", Version: "2.36"}, AllowNewerLibc: true},
		"musl, AArch64":               {Platform: "linux/arm64", Libc: &Libc{Name: "musl", Version: "1.2.4"}},
		"AArch64":                     {Platform: "linux/arm64"},
		"noarch: no machine code":     {},
		"glibc <= 2.31, ARM":          {Platform: "linux/arm/v5", Libc: &Libc{Name: "glibc", Version: "2.31"}},
		"glibc <= 2.17, PowerPC":      {Platform: "linux/ppc64le", Libc: &Libc{Name: "glibc", Version: "2.17"}},
		"glibc <= 2.28, MIPS":         {Platform: "linux/mipsle", Libc: &Libc{Name: "glibc", Version: "2.28"}},
		"glibc <= 2.36, x86-64":       {Platform: "linux/amd64", Libc: &Libc{Name: "glibc", Version: "2.36"}},
	} {
		if got := s.Label(); got != want {
			t.Errorf("%+v: label %q, want %q", s, got, want)
		}
	}
}
