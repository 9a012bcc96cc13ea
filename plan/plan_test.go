package plan

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/llb"
	_ "github.com/kiln-build/kiln/pack/all"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
)

func recipe(name, ver string, makedepends ...string) *schema.Recipe {
	return &schema.Recipe{Name: name, Version: ver, Summary: name, License: "MIT", Maintainer: "A <a@b.org>",
		Targets: []string{"x86_64", "armv7"}, Build: "make", Package: "make install", Makedepends: makedepends, File: name + "/kiln.yaml"}
}

func options(rs ...*schema.Recipe) Options {
	return Options{
		Recipes:   rs,
		Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"},
		Context: func(r *schema.Recipe) llb.LocalContext {
			return llb.LocalContext{Name: "r-" + r.Name, UniqueID: r.Name}
		},
		Packer: llb.Packer{State: bkllb.Local("kiln-packer", bkllb.LocalUniqueID("p")), Path: "/kiln"},
	}
}

// vertexNames lists the custom names of a job's graph.
func vertexNames(t *testing.T, j *llb.Job) string {
	return strings.Join(slices.Sorted(maps.Keys(vertexDigests(t, j))), "\n")
}

func TestHostDependency(t *testing.T) {
	lib := recipe("libfoo", "1.2-1")
	lib.Packages = map[string]*schema.PackageSpec{"libfoo": {Files: []string{"usr/lib/**"}}, "libfoo-dev": {Files: []string{"usr/include/**"}}}
	app := recipe("app", "1.0-1", "host:libfoo-dev >= 1.0", "build:libz-dev")
	jobs, err := compile(options(app, lib))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 4 {
		t.Fatalf("%d jobs, want 4", len(jobs))
	}
	names := vertexNames(t, jobs[1]) // app for armv7
	for _, want := range []string{"app [armv7] install libfoo-dev_1.2-1_armv7 into $SYSROOT", "libfoo [armv7] pack libfoo-dev_1.2-1_armv7.ipk", "toolchain armv7 + build dependencies: install libz-dev"} {
		if !strings.Contains(names, want) {
			t.Errorf("app's graph lacks %q:\n%s", want, names)
		}
	}
	if strings.Contains(vertexNames(t, jobs[0]), "[armv7]") {
		t.Error("the x86_64 job uses armv7 packages")
	}
}

func TestPlanErrors(t *testing.T) {
	withDepends := func(r *schema.Recipe, deps ...string) *schema.Recipe { r.Depends = deps; return r }
	for name, c := range map[string]struct {
		rs   []*schema.Recipe
		want string
	}{
		"cycle":       {[]*schema.Recipe{recipe("a", "1", "host:b"), recipe("b", "1", "host:c"), recipe("c", "1", "host:a")}, "dependency cycle: a -> b -> c -> a"},
		"self":        {[]*schema.Recipe{recipe("a", "1", "host:a")}, "dependency cycle: a -> a"},
		"constraint":  {[]*schema.Recipe{recipe("app", "1", "host:lib >= 2.0"), recipe("lib", "1.5-1")}, "recipe app needs lib (>= 2.0): recipe lib (lib/kiln.yaml) has version 1.5-1, which does not satisfy >= 2.0"},
		"missing":     {[]*schema.Recipe{recipe("app", "1", "host:nothere")}, "package nothere: no recipe in this build produces it"},
		"duplicate":   {[]*schema.Recipe{recipe("a", "1"), recipe("a", "2")}, "both produce package a"},
		"build range": {[]*schema.Recipe{recipe("a", "1", "build:cmake >= 3")}, "Debian build dependencies take no range"},
		"depends version": {[]*schema.Recipe{withDepends(recipe("app", "1"), "lib >= 2.0"), recipe("lib", "1.5-1")},
			"recipe app (app/kiln.yaml) depends on lib (>= 2.0): recipe lib (lib/kiln.yaml) has version 1.5-1, which does not satisfy >= 2.0"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := compile(options(c.rs...)); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v\nwant %q", err, c.want)
			}
		})
	}
}

// TestHostCompat: a host: dependency on a recipe declaring compat is
// satisfied only by a version that compat makes API compatible with the
// one asked for; without compat, Debian ordering alone decides.
func TestHostCompat(t *testing.T) {
	withCompat := func(ver, compat string) *schema.Recipe {
		r := recipe("lib", ver)
		r.Compat = compat
		return r
	}
	for _, c := range []struct {
		lib  *schema.Recipe
		dep  string
		want string // "" for success
	}{
		{withCompat("2.3.0", "x.a.b"), "host:lib >= 2.0.0", ""},
		{withCompat("3.0.0", "x.a.b"), "host:lib >= 2.0.0", "which its compat x.a.b does not make API compatible with 2.0.0"},
		{withCompat("2.3.0", "x.x.b"), "host:lib >= 2.0.0", "does not make API compatible"},
		{withCompat("2.0.4", "x.x.ab"), "host:lib >= 2.0.1", ""},
		{withCompat("2.0.4", "x.x.b"), "host:lib >= 2.0.1", "2.0.4 is not API compatible with 2.0.1"},
		{recipe("lib", "3.0.0"), "host:lib >= 2.0.0", ""},
		{withCompat("1.0.0", "x.a.b"), "host:lib >= 2.0.0", "does not satisfy >= 2.0.0"},
	} {
		_, err := compile(options(recipe("app", "1", c.dep), c.lib))
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("lib %s (compat %q), %s: %v, want %q", c.lib.Version, c.lib.Compat, c.dep, err, c.want)
		}
	}
}

func TestVariants(t *testing.T) {
	withOpts := func() *schema.Recipe {
		r := recipe("app", "1.0-1")
		r.Targets = []string{"x86_64"}
		r.Options = map[string]schema.Option{
			"debug": {Default: "off", Choices: []string{"on", "off"}},
			"level": {Default: "2"},
		}
		r.Variants = []map[string]string{{"debug": "off"}, {"debug": "on"}}
		return r
	}
	jobs, err := compile(options(withOpts()))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, j := range jobs {
		files = append(files, j.Files...)
	}
	if got := strings.Join(files, " "); got != "debug-off_level-2/app_1.0-1_x86_64.ipk debug-on_level-2/app_1.0-1_x86_64.ipk" {
		t.Errorf("variant files: %s", got)
	}
	if names := vertexNames(t, jobs[1]); !strings.Contains(names, "app [x86_64 debug-on_level-2] build") {
		t.Errorf("variant vertex names:\n%s", names)
	}

	o := options(withOpts())
	o.Set = map[string]string{"debug": "on", "level": "3"}
	if jobs, err = compile(o); err != nil || len(jobs) != 1 || jobs[0].Files[0] != "debug-on_level-3/app_1.0-1_x86_64.ipk" {
		t.Errorf("--opt: %v %v", err, jobs)
	}
	one := 1
	o = options(withOpts())
	o.Variant = &one
	if jobs, err = compile(o); err != nil || len(jobs) != 1 || !strings.HasPrefix(jobs[0].Files[0], "debug-on") {
		t.Errorf("--variant 1: %v %v", err, jobs)
	}

	for name, c := range map[string]struct {
		mod  func(*Options)
		want string
	}{
		"bad choice":   {func(o *Options) { o.Set = map[string]string{"debug": "maybe"} }, `option debug="maybe" is not one of its choices (on, off)`},
		"unknown opt":  {func(o *Options) { o.Set = map[string]string{"colour": "red"} }, `no recipe in this build has an option "colour"`},
		"bad variant":  {func(o *Options) { n := 5; o.Variant = &n }, "recipe app has 2 variant(s); --variant 5 is not one of them"},
		"variant name": {func(o *Options) { o.Recipes[0].Variants = []map[string]string{{"nope": "1"}} }, `variant 0: unknown option "nope"`},
	} {
		t.Run(name, func(t *testing.T) {
			o := options(withOpts())
			c.mod(&o)
			if _, err := compile(o); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestPackageOption: an option naming a package (SPK's pkg option) puts
// that recipe's package into $SYSROOT, checked against the option's value.
func TestPackageOption(t *testing.T) {
	lib := recipe("libfoo", "1.2-1")
	app := recipe("app", "1.0-1")
	app.Options = map[string]schema.Option{"foo": {Package: "libfoo", Default: ">= 1.0"}}
	jobs, err := compile(options(app, lib))
	if err != nil {
		t.Fatal(err)
	}
	if names := vertexNames(t, jobs[1]); !strings.Contains(names, "app [armv7] install libfoo_1.2-1_armv7 into $SYSROOT") {
		t.Errorf("package option did not install libfoo:\n%s", names)
	}
	o := options(app, lib)
	o.Set = map[string]string{"foo": ">= 2.0"}
	if _, err := compile(o); err == nil || !strings.Contains(err.Error(), "does not satisfy >= 2.0") {
		t.Errorf("--opt foo='>= 2.0' against libfoo 1.2-1: %v", err)
	}
	o.Set = map[string]string{"foo": "2.0"}
	if _, err := compile(o); err == nil || !strings.Contains(err.Error(), `option foo="2.0": want a version constraint`) {
		t.Errorf("--opt foo=2.0: %v", err)
	}
}

// Groups are the connected components of host: dependencies; Only keeps a
// group's jobs and still compiles their dependencies into their graphs.
func TestGroupsAndOnly(t *testing.T) {
	lib := recipe("libfoo", "1.2-1")
	app := recipe("app", "1.0-1", "host:libfoo")
	solo := recipe("solo", "2-1")
	o := options(app, lib, solo)
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range p.Groups() {
		got = append(got, strings.Join(g, "+"))
	}
	want := "app/x86_64+libfoo/x86_64 app/armv7+libfoo/armv7 solo/x86_64 solo/armv7"
	if strings.Join(got, " ") != want {
		t.Errorf("groups = %v, want %s", got, want)
	}

	only, err := p.Only([]string{"app/armv7"})
	if err != nil {
		t.Fatal(err)
	}
	jobs := only.Jobs
	if len(jobs) != 1 || jobs[0].Recipe.Name != "app" || jobs[0].Target.Name != "armv7" {
		t.Fatalf("Only app/armv7 gave %d jobs", len(jobs))
	}
	if names := vertexNames(t, jobs[0]); !strings.Contains(names, "libfoo [armv7] pack libfoo_1.2-1_armv7.ipk") {
		t.Errorf("app/armv7 alone lost its dependency:\n%s", names)
	}

	if _, err := p.Only([]string{"app/riscv"}); err == nil || !strings.Contains(err.Error(), "no job app/riscv") {
		t.Errorf("unknown job: %v", err)
	}
}

func TestSpread(t *testing.T) {
	groups := [][]string{{"a/x86_64"}, {"b/x86_64", "lib/x86_64"}, {"a/armv7"}, {"b/armv7", "lib/armv7"}, {"c/x86_64"}}
	got := Spread(groups, 2)
	want := [][]string{{"b/x86_64", "lib/x86_64", "a/x86_64", "c/x86_64"}, {"b/armv7", "lib/armv7", "a/armv7"}}
	if len(got) != 2 || strings.Join(got[0], " ") != strings.Join(want[0], " ") || strings.Join(got[1], " ") != strings.Join(want[1], " ") {
		t.Errorf("Spread = %v, want %v", got, want)
	}
	if got := Spread(groups[:1], 3); len(got[0]) != 1 || got[1] != nil || got[2] != nil {
		t.Errorf("one group on three daemons: %v", got)
	}
}

// TestRecipeImage: a recipe's own image gets its own toolchain (the target's
// packages installed on it), while other recipes share the default one.
func TestRecipeImage(t *testing.T) {
	own := recipe("own", "1.0-1")
	own.Image = "registry.test/custom/builder:1"
	plain := recipe("plain", "1.0-1")
	jobs, err := compile(options(own, plain))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		def, err := j.Output.Marshal(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var images []string
		for _, dt := range def.Def {
			if s := string(dt); strings.Contains(s, "docker-image://") {
				for _, ref := range []string{"registry.test/custom/builder:1", "docker.io/library/debian:bookworm"} {
					if strings.Contains(s, ref) {
						images = append(images, ref)
					}
				}
			}
		}
		want := "docker.io/library/debian:bookworm"
		if j.Recipe.Name == "own" {
			want = "registry.test/custom/builder:1"
		}
		if !strings.Contains(strings.Join(images, " "), want) {
			t.Errorf("%s/%s uses images %v, want %s", j.Recipe.Name, j.Target.Name, images, want)
		}
		if j.Recipe.Name == "own" && strings.Contains(strings.Join(images, " "), "docker.io/library/debian:bookworm") {
			t.Errorf("own/%s also builds on the default image: %v", j.Target.Name, images)
		}
		if names := vertexNames(t, j); !strings.Contains(names, "toolchain "+j.Target.Name) {
			t.Errorf("%s/%s has no toolchain step:\n%s", j.Recipe.Name, j.Target.Name, names)
		}
	}
}

// compile is New for tests that look only at the jobs.
func compile(o Options) ([]*llb.Job, error) {
	p, err := New(o)
	if err != nil {
		return nil, err
	}
	return p.Jobs, nil
}

// TestForTarget: a platform's part of a plan holds its target's jobs and
// the noarch ones, which serve every target.
func TestForTarget(t *testing.T) {
	data := recipe("data", "1-1")
	data.Targets = []string{"noarch"}
	p, err := New(options(recipe("a", "1-1"), recipe("b", "1-1"), data))
	if err != nil {
		t.Fatal(err)
	}
	arm := p.ForTarget("armv7")
	if arm == nil || strings.Join(arm.IDs, " ") != "a/armv7 b/armv7 data/noarch" {
		t.Errorf("ForTarget(armv7) = %v", arm)
	}
	if only, _ := New(options(recipe("a", "1-1"))); only.ForTarget("aarch64") != nil {
		t.Errorf("ForTarget(aarch64): want nil, no job builds for it")
	}
}

// TestUserTargets: a plan builds for the targets of its set (a repository's
// own, and its armv7 in place of kiln's), and knows no others. rm2 builds
// in the toolchain of the armv7 it extends.
func TestUserTargets(t *testing.T) {
	set, err := toolchains.Load(toolchains.Source{File: "targets/rm.yaml", Data: []byte(
		"targets:\n  armv7: {suite: bullseye, image: docker.io/library/debian:bullseye}\n  rm2: {extends: armv7, formats: {ipk: {arch: rm2}}}\n")})
	if err != nil {
		t.Fatal(err)
	}
	r := recipe("app", "1.0-1")
	r.Targets = []string{"armv7", "rm2"}
	o := options(r)
	o.Toolchains = set
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.IDs, " "); got != "app/armv7 app/rm2" {
		t.Fatalf("jobs %s", got)
	}
	for i, want := range []string{"app [armv7] pack app_1.0-1_armv7.ipk", "app [rm2] pack app_1.0-1_rm2.ipk"} {
		names := vertexNames(t, p.Jobs[i])
		if !strings.Contains(names, want) || !strings.Contains(names, "toolchain armv7: install") {
			t.Errorf("job %s lacks %q:\n%s", p.IDs[i], want, names)
		}
		if p.Jobs[i].Target.Suite != "bullseye" {
			t.Errorf("job %s builds on %s", p.IDs[i], p.Jobs[i].Target.Suite)
		}
	}
	o.Toolchains = nil
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), `unknown target "rm2"`) {
		t.Errorf("kiln's own targets: %v", err)
	}
}
