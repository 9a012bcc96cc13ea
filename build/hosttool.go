package build

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kiln-build/kiln/internal/atomicfile"
)

// Asking npm or pip for a setting starts an interpreter: a third of a
// second for npm, a second for pip behind pyenv's shims, on every build
// with such a generator (the graph cache checks the answer again on each
// run). So the answers are remembered, under the user's cache directory,
// while nothing the tool reads for them changed: its executable, the
// environment variables it reads, the working directory and its
// configuration files, for an hour at most. A stale answer could only
// send fetch steps to another registry or index, and what they fetch is
// checked against the digest the recipe pins.

// toolReads is what a tool reads to answer a setting, as far as kiln
// knows: environment variables by prefix, and configuration files (~ is
// the home directory; "./" files are looked for in the working directory
// and every directory above it).
type toolReads struct {
	env   []string
	files []string
}

var slowTools = map[string]toolReads{
	"npm": {env: []string{"npm_config_", "NPM_CONFIG_", "NODE", "PREFIX"},
		files: []string{"./.npmrc", "~/.npmrc", "/etc/npmrc", "/usr/etc/npmrc", "/usr/local/etc/npmrc", "/usr/share/nodejs/npm/npmrc"}},
	"pip3": {env: []string{"PIP_", "VIRTUAL_ENV", "PYENV", "XDG_CONFIG"},
		files: []string{"~/.config/pip/pip.conf", "~/.pip/pip.conf", "/etc/pip.conf", "/etc/xdg/pip/pip.conf", "./.python-version"}},
}

const toolAnswerAge = time.Hour

type toolAnswer struct {
	Value string    `json:"value"`
	At    time.Time `json:"at"`
}

// toolSetting is toolOutput, remembered for the tools in slowTools.
func toolSetting(name string, args ...string) string {
	reads, slow := slowTools[name]
	file := ""
	if slow {
		file = toolAnswerFile(name, args, reads)
	}
	if file != "" {
		var a toolAnswer
		if data, err := os.ReadFile(file); err == nil && json.Unmarshal(data, &a) == nil && time.Since(a.At) < toolAnswerAge {
			return a.Value
		}
	}
	v := toolOutput(name, args...)
	if file != "" {
		if data, err := json.Marshal(toolAnswer{Value: v, At: time.Now()}); err == nil && os.MkdirAll(filepath.Dir(file), 0o755) == nil {
			_ = atomicfile.Write(file, data, 0o644) // only a missed speed-up
		}
	}
	return v
}

// toolAnswerFile names the answer for what the tool reads now; "" when
// the tool is not there or the cache directory is unknown.
func toolAnswerFile(name string, args []string, reads toolReads) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	exe, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", name, strings.Join(args, "\x00"))
	stamp := func(p string) {
		if fi, err := os.Stat(p); err == nil {
			fmt.Fprintf(h, "%s %d %d\x00", p, fi.Size(), fi.ModTime().UnixNano())
		} else {
			fmt.Fprintf(h, "%s -\x00", p)
		}
	}
	stamp(exe)
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		stamp(real)
	}
	env := os.Environ()
	slices.Sort(env)
	for _, kv := range env {
		for _, p := range append(reads.env, "HOME=", "PATH=") {
			if strings.HasPrefix(kv, p) {
				fmt.Fprintf(h, "%s\x00", kv)
				break
			}
		}
	}
	wd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	fmt.Fprintf(h, "%s\x00", wd)
	for _, f := range reads.files {
		switch {
		case strings.HasPrefix(f, "~/"):
			stamp(filepath.Join(home, f[2:]))
		case strings.HasPrefix(f, "./"):
			for d := wd; ; d = filepath.Dir(d) {
				stamp(filepath.Join(d, f[2:]))
				if d == filepath.Dir(d) {
					break
				}
			}
		default:
			stamp(f)
		}
	}
	return filepath.Join(dir, "kiln", "host", hex.EncodeToString(h.Sum(nil))[:32]+".json")
}
