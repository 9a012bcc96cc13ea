package integration

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHostDependency: greeter links against libgreet, built by a sibling
// recipe for the same target and offline-installed into $SYSROOT; a build:
// dependency comes from Debian into the toolchain. One solve builds both.
func TestHostDependency(t *testing.T) {
	requireIntegration(t)
	dir := t.TempDir()
	head := `version: 1.%d-1
summary: Test
license: MIT
maintainer: Kiln Tests <tests@example.org>
timestamp: 2024-05-01
targets: [x86_64, armv7]
sources: [{path: src}]
`
	writeFiles(t, dir, map[string]string{
		"libgreet/kiln.yaml": "name: libgreet\n" + strings.Replace(head, "%d", "2", 1) + `build: |
  $CC -O2 -c greet.c
  $AR rcs libgreet.a greet.o
package: |
  install -D -m 644 libgreet.a "$pkgdir/usr/lib/libgreet.a"
  install -D -m 644 greet.h "$pkgdir/usr/include/greet.h"
`,
		"libgreet/src/greet.h": "const char *greeting(void);\n",
		"libgreet/src/greet.c": "#include \"greet.h\"\nconst char *greeting(void) { return \"hello from libgreet\"; }\n",
		"greeter/kiln.yaml": "name: greeter\n" + strings.Replace(head, "%d", "0", 1) + `makedepends: ["host:libgreet >= 1.1", "build:pkg-config"]
build: |
  command -v pkg-config
  $CC -O2 -I"$SYSROOT/usr/include" main.c -L"$SYSROOT/usr/lib" -lgreet -o greeter
package: install -D greeter "$pkgdir/usr/bin/greeter"
`,
		"greeter/src/main.c": "#include <stdio.h>\n#include <greet.h>\nint main(void){puts(greeting());return 0;}\n",
	})
	out := t.TempDir()
	mustKiln(t, nil, "build", filepath.Join(dir, "greeter"), filepath.Join(dir, "libgreet"), "-o", out, "--progress", "plain")
	for target, c := range map[string]targetCheck{"x86_64": targetChecks["x86_64"], "armv7": targetChecks["armv7"]} {
		x := t.TempDir()
		run(t, "dpkg-deb", "-x", filepath.Join(out, "greeter_1.0-1_"+c.arch+".ipk"), x)
		argv := append(append([]string{}, c.qemu...), filepath.Join(x, "usr/bin/greeter"))
		if got := strings.TrimSpace(run(t, argv[0], argv[1:]...)); got != "hello from libgreet" {
			t.Errorf("%s: greeter printed %q", target, got)
		}
	}

	// An unsatisfiable constraint fails before the build, naming both recipes.
	writeFiles(t, dir, map[string]string{"greeter/kiln.yaml": strings.Replace(readFile(t, filepath.Join(dir, "greeter/kiln.yaml")), ">= 1.1", ">= 2.0", 1)})
	r := kiln(t, nil, "build", filepath.Join(dir, "greeter"), filepath.Join(dir, "libgreet"), "-o", t.TempDir())
	if r.err == nil || !strings.Contains(r.stderr, "recipe greeter needs libgreet (>= 2.0): recipe libgreet") {
		t.Errorf("unsatisfiable constraint: err=%v\n%s", r.err, tail(r.stderr, 5))
	}
}
