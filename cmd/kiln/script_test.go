package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI's behaviour (help, exit codes, error text) is tested with txtar
// scripts in testdata/script, run against this very main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"kiln": main})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("KILN_HOME", env.WorkDir+"/.kiln")
			env.Setenv("KILN_APT_MIRROR", "http://mirror.test/debian")
			return nil
		},
	})
}
