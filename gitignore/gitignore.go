// Package gitignore turns the .gitignore files of a local source tree into
// the exclude patterns BuildKit's local source understands, so files git
// ignores (build output, editor droppings) never reach a build.
package gitignore

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Patterns reads every .gitignore under dir and returns dockerignore-style
// patterns relative to dir, always excluding .git itself.
func Patterns(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == ".gitignore" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading .gitignore files under %s: %w", dir, err)
	}
	sort.Strings(files) // parents before children: later patterns win
	out := []string{".git", "**/.git"}
	for _, f := range files {
		rel, err := filepath.Rel(dir, filepath.Dir(f))
		if err != nil {
			return nil, err
		}
		pats, err := readFile(f, filepath.ToSlash(rel))
		if err != nil {
			return nil, err
		}
		out = append(out, pats...)
	}
	return out, nil
}

func readFile(file, base string) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(data, base), nil
}

// Parse converts the lines of a .gitignore file found in directory base
// (relative, "." for the root) into dockerignore patterns.
func Parse(data []byte, base string) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		if p, ok := Convert(sc.Text(), base); ok {
			out = append(out, p)
		}
	}
	return out
}

// Convert translates one .gitignore line found in directory base (relative,
// "." for the root) into a dockerignore pattern. A pattern without a slash
// matches at any depth below base; one with a slash is anchored to base.
func Convert(line, base string) (string, bool) {
	line = strings.TrimRight(line, " \t\r")
	if line == "" || strings.HasPrefix(line, "#") {
		return "", false
	}
	neg := strings.HasPrefix(line, "!")
	line = strings.TrimPrefix(line, "!")
	line = strings.TrimPrefix(line, `\`) // escaped leading # or !
	line = strings.TrimSuffix(line, "/") // directories: their contents go too
	if line == "" {
		return "", false
	}
	anchored := strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	if !anchored && !strings.HasPrefix(line, "**") {
		line = "**/" + line
	}
	if base != "." && base != "" {
		line = path.Join(base, line)
	}
	if neg {
		line = "!" + line
	}
	return line, true
}
