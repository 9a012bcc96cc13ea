package spk

import (
	"strings"
	"testing"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/importer/importertest"
)

var opts = importer.Options{Maintainer: "Jane Doe <jane@example.org>", Timestamp: "2024-05-01", License: "MIT"}

// corpus lists the test specs, written for these tests from SPK's
// documentation (no public spec).
func corpus(t *testing.T) []string {
	return importertest.Corpus(t, "testdata/corpus/*", 15)
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
	importertest.Errors(t, Import, map[string]importertest.ErrorCase{
		"nopkg.spk.yaml":   {Src: "build: {}\n", Options: opts, Want: "pkg"},
		"badtmpl.spk.yaml": {Src: "pkg: x/{{ opt.nothing }}\n", Options: opts, Want: "has no value"},
		"loop.spk.yaml":    {Src: "# {% for x in y %}\npkg: x/1.0.0\n", Options: opts, Want: "line 1: template construct"},
		"notyaml.spk.yaml": {Src: "pkg: [\n", Options: opts, Want: "yaml"},
	})
}

// TestTemplateOpts: a templated spec renders for the version asked for.
func TestTemplateOpts(t *testing.T) {
	o := opts
	o.TemplateOpts = map[string]string{"version": "3.0.1", "python": "3.12"}
	im, err := Import([]string{"testdata/corpus/templated-pin"}, o)
	if err != nil {
		t.Fatal(err)
	}
	f := im.Recipes[0].Fields
	if v := f.Get("version"); v != "3.0.1" {
		t.Errorf("version %v, want 3.0.1", v)
	}
	if d, _ := f.Get("depends").([]string); len(d) != 2 || d[0] != "python >= 3.12" || d[1] != "python << 3.13" {
		t.Errorf("depends %v, want python ~3.12", d)
	}
}
