package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSpecEditRerunsOnlyItsSteps: one file op writes a job's spec files
// and each kiln step mounts only its own: after the summary changes, the
// specs and what reads the package metadata run again, while split, ELF
// check and shared-library steps, whose specs did not change, come from
// the cache.
func TestSpecEditRerunsOnlyItsSteps(t *testing.T) {
	requireIntegration(t)
	dir := filepath.Join(t.TempDir(), "hello")
	copyDir(t, filepath.Join(repoRoot(t), "examples", "hello"), dir)
	file := filepath.Join(dir, "kiln.cue")
	build := func() map[string]string {
		r := mustKiln(t, nil, "build", dir, "--target", "armv7", "-o", t.TempDir(), "--progress", "plain")
		return vertexStates(r.stderr)
	}
	build()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// A summary no earlier run gave, so its steps cannot be in the cache.
	stamp := strconv.FormatInt(time.Now().UnixNano(), 10)
	edited := regexp.MustCompile(`(?m)^summary:(\s+)"`).ReplaceAll(data, []byte(`summary:${1}"Edited `+stamp+`: `))
	if string(edited) == string(data) {
		t.Fatalf("%s has no summary line to edit", file)
	}
	if err := os.WriteFile(file, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	states := build()
	for prefix, want := range map[string]string{
		"hello [armv7] step specs":               "run",
		"hello [armv7] pack hello_":              "run",
		"hello [armv7] build":                    "cached",
		"hello [armv7] split and strip":          "cached",
		"hello [armv7] check ELF files":          "cached",
		"hello [armv7] resolve shared libraries": "cached",
	} {
		got := ""
		for name, st := range states {
			if strings.HasPrefix(name, prefix) {
				got = st
			}
		}
		if got != want {
			t.Errorf("after editing the summary, %q: %q, want %s", prefix, got, want)
		}
	}
}

// vertexStates reads plain progress output: each step's name, "cached"
// or "run".
func vertexStates(out string) map[string]string {
	names, states := map[string]string{}, map[string]string{}
	step := regexp.MustCompile(`^#(\d+) (.*)$`)
	for _, line := range strings.Split(out, "\n") {
		m := step.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch id, rest := m[1], m[2]; {
		case rest == "CACHED":
			states[names[id]] = "cached"
		case strings.HasPrefix(rest, "DONE"):
			if states[names[id]] == "" {
				states[names[id]] = "run"
			}
		case names[id] == "":
			names[id] = rest
		}
	}
	return states
}
