package spk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/importer/importertest"
)

var opts = importer.Options{Maintainer: "Jane Doe <jane@example.org>", Timestamp: "2024-05-01", License: "MIT"}

// corpus lists the test specs, written for these tests from SPK's
// documentation (no public spec).
func corpus(t *testing.T) []string {
	dirs, err := filepath.Glob("testdata/corpus/*")
	if err != nil || len(dirs) < 15 {
		t.Fatalf("corpus: %d specs, %v", len(dirs), err)
	}
	return dirs
}

func TestGolden(t *testing.T) {
	importertest.Golden(t, corpus(t), Import, opts)
}

func TestValidates(t *testing.T) {
	im, err := Import(corpus(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	importertest.Validates(t, im)
}

func TestConstraints(t *testing.T) {
	for in, want := range map[string]string{
		"=1.2.3":      "= 1.2.3",
		">=2":         ">= 2",
		"~1.2.3":      ">= 1.2.3, << 1.3",
		"~1.2":        ">= 1.2, << 1.3",
		"^1.2.3":      ">= 1.2.3, << 2",
		">1.0,<2.0":   ">> 1.0, << 2.0",
		"1.0.0-pre.1": ">= 1.0.0~pre.1",
		"":            "",
	} {
		got, _ := constraints(in)
		if strings.Join(got, ", ") != want {
			t.Errorf("constraints(%q) = %q, want %q", in, got, want)
		}
	}
	if _, approx := constraints("3.7"); approx == "" {
		t.Error("a compat range is carried over without a note")
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ src, want string }{
		"nopkg.spk.yaml":   {"build: {}\n", "pkg"},
		"badtmpl.spk.yaml": {"pkg: x/{{ opt.nothing }}\n", "has no value"},
		"loop.spk.yaml":    {"# {% for x in y %}\npkg: x/1.0.0\n", "line 1: template construct"},
		"notyaml.spk.yaml": {"pkg: [\n", "yaml"},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(tc.src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Import([]string{p}, opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file and %q", name, err, tc.want)
		}
	}
}
