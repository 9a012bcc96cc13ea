package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

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
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// envfile VAR FILE sets VAR to the contents of FILE, e.g. a
			// key handed over in the environment as CI secrets are.
			"envfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: envfile VAR FILE")
				}
				ts.Setenv(args[0], ts.ReadFile(args[1]))
			},
		},
	})
}

// TestHelpFiles: every help/NAME.txt is some command's long help.
func TestHelpFiles(t *testing.T) {
	longs := map[string]string{}
	var visit func(c *cobra.Command, path string)
	visit = func(c *cobra.Command, path string) {
		longs[path] = c.Long
		for _, sub := range c.Commands() {
			visit(sub, strings.TrimPrefix(path+"-"+sub.Name(), "-"))
		}
	}
	visit(rootCmd(), "")
	entries, err := helpFiles.ReadDir("help")
	if err != nil || len(entries) == 0 {
		t.Fatalf("help files: %v", err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".txt")
		if l, ok := longs[name]; !ok || l == "" || l != help(name) {
			t.Errorf("help/%s: no command %q shows it", e.Name(), name)
		}
	}
}
