package build

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestToolSetting: a slow tool's answer is remembered while what it reads
// stays as it was (its configuration files, its environment, the tool
// itself), and for an hour at most.
func TestToolSetting(t *testing.T) {
	bin, home := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	calls := filepath.Join(bin, "calls")
	script := "#!/bin/sh\necho x >> " + calls + "\necho http://registry.test/\n"
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	asked := func() int {
		data, _ := os.ReadFile(calls)
		return strings.Count(string(data), "x")
	}
	want := 0
	ask := func(what string, again bool) {
		t.Helper()
		if got := toolSetting("npm", "config", "get", "registry"); got != "http://registry.test/" {
			t.Fatalf("%s: %q", what, got)
		}
		if again {
			want++
		}
		if got := asked(); got != want {
			t.Errorf("%s: npm asked %d times, want %d", what, got, want)
		}
	}
	ask("first", true)
	ask("unchanged", false)
	if err := os.WriteFile(filepath.Join(home, ".npmrc"), []byte("registry=http://registry.test/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ask("a new ~/.npmrc", true)
	ask("unchanged again", false)
	t.Setenv("npm_config_strict_ssl", "false")
	ask("an npm setting in the environment", true)
	// An answer an hour old is asked for again.
	files, _ := filepath.Glob(filepath.Join(home, "cache", "kiln", "host", "*.json"))
	for _, f := range files {
		data, _ := json.Marshal(toolAnswer{Value: "http://registry.test/", At: time.Now().Add(-2 * toolAnswerAge)})
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ask("an hour later", true)
}
