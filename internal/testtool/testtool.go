// Package testtool lets tests that run host tools (dpkg-deb, openssl, tar,
// unzip, ...) pass on a machine with only Go installed: `go test -short
// ./...` skips them, naming the tool; `make test` installs every tool and
// sets KILN_INTEGRATION=1, where a missing tool fails the test instead,
// since skipping there would hide a broken set-up.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Need skips t unless every named tool is on PATH (fails it instead under
// KILN_INTEGRATION=1). Call it before the test does any work that needs
// the tools, or in the helper that runs them.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, name := range tools {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("KILN_INTEGRATION") == "1" {
				t.Fatalf("needs %s, which make test installs: %v", name, err)
			}
			t.Skipf("needs %s (make test installs it)", name)
		}
	}
}
