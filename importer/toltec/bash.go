package toltec

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

//go:embed dump.sh
var dumpScript string

// view is what sourcing a recipe defines: the recipe's top level, or a
// split package's after its function ran.
type view struct {
	vars   map[string]string
	arrays map[string][]string
	funcs  map[string]function
}

// diag is a message bash printed while sourcing: a command the sandbox
// refused or did not find, at a line of the recipe.
type diag struct {
	line int
	msg  string
}

var diagRe = regexp.MustCompile(`(?m)^(?:\S*/)?recipe: line ([0-9]+): (.*)$`)

// diags reads bash's messages about the recipe; a syntax error is an
// error, as it is for Toltec.
func diags(stderr string) ([]diag, error) {
	var out []diag
	for _, m := range diagRe.FindAllStringSubmatch(stderr, -1) {
		line, _ := strconv.Atoi(m[1])
		if strings.HasPrefix(m[2], "syntax error") {
			return nil, fmt.Errorf("line %d: %s", line, m[2])
		}
		if strings.HasPrefix(m[2], "`") {
			continue // the text of the line a syntax error quotes
		}
		out = append(out, diag{line, m[2]})
	}
	return out, nil
}

// function is a function's text as declare -f prints it and the line of
// the recipe it starts on.
type function struct {
	line int
	text string
}

// body is the function's body without its header and braces.
func (f function) body() string {
	t := f.text
	if i := strings.Index(t, "\n{"); i >= 0 {
		t = t[i+2:]
		if j := strings.IndexByte(t, '\n'); j >= 0 {
			t = t[j+1:]
		}
	}
	t = strings.TrimSuffix(strings.TrimRight(t, "\n"), "}")
	lines := strings.Split(strings.Trim(t, "\n"), "\n")
	for i, l := range lines {
		// declare -f indents bodies by four spaces.
		lines[i] = strings.TrimPrefix(strings.TrimRight(l, " "), "    ")
	}
	return strings.Join(lines, "\n")
}

// sourceTimeout bounds a recipe that loops at the top level.
const sourceTimeout = 20 * time.Second

// source reads recipe the way Toltec does, by sourcing it with bash, but
// in a sandbox where sourcing can have no effect: an empty environment
// whose PATH is an empty directory (no external command runs), bash's
// restricted mode (no output redirection, no command names with '/', no
// cd), a copy of the recipe in a read-only directory, a network namespace
// without interfaces when the kernel allows one, and a time limit. It
// returns the top-level view, one per split package function, and what
// bash said about the recipe.
func source(recipe string) (*view, map[string]*view, []diag, error) {
	data, err := os.ReadFile(recipe)
	if err != nil {
		return nil, nil, nil, err
	}
	dir, err := os.MkdirTemp("", "kiln-toltec-")
	if err != nil {
		return nil, nil, nil, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "recipe"), data, 0o444); err != nil {
		return nil, nil, nil, err
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		return nil, nil, nil, err
	}
	defer os.Chmod(dir, 0o755) //nolint:errcheck // best effort before RemoveAll
	bash, err := exec.LookPath("bash")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading Toltec recipes needs bash: %w", err)
	}
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	mark := "KILN-" + hex.EncodeToString(nonce[:])
	args := []string{bash, "--noprofile", "--norc", "-c", dumpScript, "kiln-import", mark, dir}
	if un, err := exec.LookPath("unshare"); err == nil && exec.Command(un, "-rn", "true").Run() == nil {
		args = append([]string{un, "-rn"}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sourceTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = []string{"PATH=" + dir, "LC_ALL=C", "HOME=" + dir}
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, nil, nil, fmt.Errorf("sourcing took longer than %s", sourceTimeout)
		}
		return nil, nil, nil, fmt.Errorf("sourcing failed: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	chunks := strings.Split(stdout.String(), "\x00"+mark+"\x00")
	if len(chunks) < 2 {
		return nil, nil, nil, fmt.Errorf("sourcing printed nothing: %s", strings.TrimSpace(stderr.String()))
	}
	top, err := parseView(chunks[1])
	if err != nil {
		return nil, nil, nil, err
	}
	split := map[string]*view{}
	i := 2
	for _, p := range top.arrays["pkgnames"] {
		if _, ok := top.funcs[p]; !ok {
			continue
		}
		if i >= len(chunks) {
			return nil, nil, nil, fmt.Errorf("split package %s: its function failed: %s", p, strings.TrimSpace(stderr.String()))
		}
		v, err := parseView(chunks[i])
		if err != nil {
			return nil, nil, nil, fmt.Errorf("split package %s: %w", p, err)
		}
		split[p] = v
		i++
	}
	ds, err := diags(stderr.String())
	if err != nil {
		return nil, nil, nil, err
	}
	return top, split, ds, nil
}

// parseView reads the NUL-separated records dump.sh prints up to E.
func parseView(s string) (*view, error) {
	v := &view{vars: map[string]string{}, arrays: map[string][]string{}, funcs: map[string]function{}}
	f := strings.Split(s, "\x00")
	next := func() (string, bool) {
		if len(f) == 0 {
			return "", false
		}
		x := f[0]
		f = f[1:]
		return x, true
	}
	for {
		kind, ok := next()
		if !ok {
			return nil, fmt.Errorf("reading what the recipe defines: unexpected end")
		}
		switch kind {
		case "E":
			return v, nil
		case "V":
			name, _ := next()
			v.vars[name], _ = next()
		case "A":
			name, _ := next()
			ns, _ := next()
			n, err := strconv.Atoi(ns)
			if err != nil || n > len(f) {
				return nil, fmt.Errorf("reading array %s: bad count %q", name, ns)
			}
			v.arrays[name] = append([]string{}, f[:n]...)
			f = f[n:]
		case "F":
			name, _ := next()
			ls, _ := next()
			text, _ := next()
			line, _ := strconv.Atoi(ls)
			// declare -f leaves a blank after "name ()" and "{".
			lines := strings.Split(text, "\n")
			for i, l := range lines {
				lines[i] = strings.TrimRight(l, " ")
			}
			v.funcs[name] = function{line: line, text: strings.Join(lines, "\n")}
		default:
			return nil, fmt.Errorf("reading what the recipe defines: unexpected record %q", kind)
		}
	}
}
