package frontend

import (
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
)

func recipe(name string, targets ...string) *schema.Recipe {
	return &schema.Recipe{Name: name, Version: "1.0-1", Summary: name + " summary", License: "MIT",
		Maintainer: "A <a@b.org>", Targets: targets, Build: "make", Package: "make install", File: "kiln.yaml"}
}

func TestTargetFor(t *testing.T) {
	cross := []*schema.Recipe{recipe("hello", "x86_64", "aarch64", "armv7")}
	noarch := []*schema.Recipe{recipe("data", "noarch")}
	for _, c := range []struct {
		platform string
		rs       []*schema.Recipe
		want     string // target, or "error: ..." substring
	}{
		{"linux/amd64", cross, "x86_64"},
		{"linux/arm64", cross, "aarch64"},
		{"linux/arm64/v8", cross, "aarch64"},
		{"linux/arm/v7", cross, "armv7"},
		{"linux/arm", cross, "armv7"}, // arm normalises to v7
		{"linux/amd64/v3", cross, "x86_64"},
		{"linux/arm/v6", cross, "error: platform linux/arm/v6: no kiln target builds for it"},
		{"linux/s390x", cross, "error: known: linux/arm64 (aarch64), linux/arm/v7 (armv7), linux/amd64 (x86_64)"},
		{"linux/arm64", noarch, "noarch"},
		{"linux/s390x", noarch, "noarch"},
	} {
		p, err := platforms.Parse(c.platform)
		if err != nil {
			t.Fatal(err)
		}
		got, err := TargetFor(p, c.rs, nil)
		if err != nil {
			got = "error: " + err.Error()
		}
		if strings.HasPrefix(c.want, "error: ") {
			if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, strings.TrimPrefix(c.want, "error: ")) {
				t.Errorf("%s: got %q, want %q", c.platform, got, c.want)
			}
		} else if got != c.want {
			t.Errorf("%s: got %q, want %q", c.platform, got, c.want)
		}
	}
}

func TestRecipeOptions(t *testing.T) {
	r := recipe("hello", "x86_64")
	r.Options = map[string]schema.Option{"word": {Default: "hello"}, "debug": {Default: "off"}}
	args := map[string]string{"word": "bonjour", "KILN_APT_MIRROR": "http://m", "BUILDKIT_SYNTAX": "img",
		"HTTP_PROXY": "http://p", "SOURCE_DATE_EPOCH": "0"}
	set, err := recipeOptions(args, []*schema.Recipe{r})
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != 1 || set["word"] != "bonjour" {
		t.Errorf("options = %v, want only word=bonjour", set)
	}
	_, err = recipeOptions(map[string]string{"colour": "red"}, []*schema.Recipe{r})
	if err == nil || !strings.Contains(err.Error(), `--build-arg colour: the recipe has no option "colour" (options: debug, word;`) {
		t.Errorf("unknown build arg: %v", err)
	}
}

// TestTargetForUserTargets: a platform two targets build for maps to the
// one the recipes list first.
func TestTargetForUserTargets(t *testing.T) {
	set, err := toolchains.Load(toolchains.Source{File: "repo.yaml", Recipes: true, Data: []byte(
		"recipes: {}\ntargets:\n  rm2: {extends: armv7, formats: {ipk: {arch: rm2}}}\n")})
	if err != nil {
		t.Fatal(err)
	}
	armv7 := platforms.MustParse("linux/arm/v7")
	for _, c := range []struct {
		rs   []*schema.Recipe
		want string
	}{
		{[]*schema.Recipe{recipe("app", "rm2")}, "rm2"},
		{[]*schema.Recipe{recipe("app", "x86_64", "rm2", "armv7")}, "rm2"},
		{[]*schema.Recipe{recipe("app", "armv7"), recipe("lib", "rm2")}, "armv7"},
		{[]*schema.Recipe{recipe("app", "x86_64")}, "armv7"},
	} {
		got, err := TargetFor(armv7, c.rs, set)
		if err != nil || got != c.want {
			t.Errorf("%v: got %q (%v), want %q", c.rs[0].Targets, got, err, c.want)
		}
	}
}

// TestContextTargets: the frontend reads the targets/ directories beside
// the recipe, as the CLI does: in its directory and in its parent.
func TestContextTargets(t *testing.T) {
	files := map[string][]byte{}
	for _, p := range []string{"targets/top.yaml", "repo/targets/b.cue", "repo/targets/a.yaml", "repo/hello/targets/own.json",
		"repo/other/targets/no.yaml", "repo/targets/README.md", "repo/targets/.hidden.yaml", "repo/targets/sub/x.yaml"} {
		if isTargetFile(p) {
			files[p] = []byte(p)
		}
	}
	for _, c := range []struct{ prefix, want string }{
		{"repo/hello", "repo/hello/targets/own.json repo/targets/a.yaml repo/targets/b.cue"},
		{"repo", "repo/targets/a.yaml repo/targets/b.cue targets/top.yaml"},
		{"", "targets/top.yaml"},
	} {
		var got []string
		for _, s := range (&contextInfo{prefix: c.prefix, targetFiles: files}).targets() {
			got = append(got, s.File)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("recipe in %q: targets %v, want %s", c.prefix, got, c.want)
		}
	}
}
