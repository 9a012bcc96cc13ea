package plan

import (
	"strings"
	"testing"

	"github.com/kiln-build/kiln/schema"
)

// TestDependencyErrorsBlameWhatWasWritten: a dependency that cannot be
// resolved is named as the recipe wrote it (a bare makedepends, a package
// option, a test's requires), not as kiln rewrote it ("host:NAME").
func TestDependencyErrorsBlameWhatWasWritten(t *testing.T) {
	const missing = "package nothere: no recipe in this build produces it"
	for name, c := range map[string]struct {
		mod  func(r *schema.Recipe)
		want string
	}{
		"bare makedepends": {func(r *schema.Recipe) { r.Makedepends = []string{"nothere"} },
			`recipe app: makedepends "nothere": ` + missing},
		"host makedepends": {func(r *schema.Recipe) { r.Makedepends = []string{"host:nothere >= 1"} },
			`recipe app: makedepends "host:nothere >= 1": ` + missing},
		"package option": {func(r *schema.Recipe) {
			r.Options = map[string]schema.Option{"cc": {Package: "nothere", Default: ">= 1.0"}}
		}, `recipe app: option cc (package nothere >= 1.0): ` + missing},
		"package option without a value": {func(r *schema.Recipe) {
			r.Options = map[string]schema.Option{"cc": {Package: "nothere"}}
		}, `recipe app: option cc (package nothere): ` + missing},
		"test requires": {func(r *schema.Recipe) {
			r.Tests = []schema.Test{{Stage: "install", Script: "true", Requires: []string{"nothere"}}}
		}, `recipe app: test 0: requires "nothere": ` + missing},
	} {
		t.Run(name, func(t *testing.T) {
			app := recipe("app", "1.0-1")
			c.mod(app)
			_, err := compile(options(app))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v\nwant %q", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "host:nothere:") {
				t.Errorf("err = %v: names host:nothere, which the recipe did not write", err)
			}
		})
	}
}

// TestPackageOptionWithoutValue: a package option left without a value
// still needs its package (any version): the build installs it.
func TestPackageOptionWithoutValue(t *testing.T) {
	app := recipe("app", "1.0-1")
	app.Options = map[string]schema.Option{"cc": {Package: "lib"}}
	jobs, err := compile(options(app, recipe("lib", "1.0-1")))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Recipe.Name == "app" && !strings.Contains(vertexNames(t, j), "install lib_1.0-1") {
			t.Errorf("app's build does not install lib:\n%s", vertexNames(t, j))
		}
	}
}
